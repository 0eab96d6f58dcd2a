import type { RequestHandler, Response } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import type { z } from 'zod';
import type { CreatedResult } from '../../domain/messages';
import type { PaymentFlow } from '../../domain/payment';
import type { MoneyTiming, PaymentLinkInput, PisPaymentInput, PollTiming } from '../../domain/requests';
import type { PaymentIdPrefix } from '../../domain/ids';
import type { OutboundUrlPolicy } from '../../common/outboundUrl';
import { joinPayment, PaymentKeyReused, paymentSearchAttributes, startPayment } from '../../common/startPayment';
import { fingerprintOf } from '../../common/fingerprint';
import { idempotencyMismatch, paymentIdFor } from '../idempotency';
import { withMerchantDefaults } from '../merchantDefaults';
import { assertRequestUrlsAllowed } from '../outboundUrls';
import { actingMerchant } from '../principal';
import { refusedError } from '../payments';
import { invalidParameter, parseBody, type BodyIssue } from '../schemas/common';

export interface CreatePaymentDeps {
  client: Client;
  taskQueue: string;
  timing: PollTiming;
  /** The hold before settlement and the late-payment window, from config, handed to each new payment. */
  money: MoneyTiming;
  /** Told what each create came to (for metrics): a new payment, the same one again, refused by Ping, or a 409. */
  onCreate?: (flow: PaymentFlow, outcome: 'created' | 'replayed' | 'refused' | 'conflict') => void;
  /** Where a notify_url may point (ALLOW_HTTP_WEBHOOK_URLS, ALLOW_PRIVATE_WEBHOOK_URLS). */
  outboundUrls: OutboundUrlPolicy;
}

/** What differs between the flows' create endpoints. */
export interface FlowSpec<R> {
  flow: PaymentFlow;
  idPrefix: PaymentIdPrefix;
  workflowType: 'paymentLink' | 'pisPayment';
  schema: z.ZodType<R>;
  amountOf(request: R): number;
  currencyOf(request: R): string;
  referenceOf(request: R): string | undefined;
  /**
   * Checks that depend on when the request arrives (a due date must lie ahead), kept out of the
   * schema: they hold for a new payment, but a retry of the request that created a payment is
   * answered with that payment even after they have stopped holding.
   */
  checkTimes?(request: R, now: number): BodyIssue | undefined;
  /** Flow-specific search attributes beyond flow, status, amount, currency and reference. */
  extraSearchAttributes?(request: R): SearchAttributePair[];
  /** For the Web UI: a one-line summary and markdown details. No payer data. */
  describe(request: R, amount: number): { staticSummary: string; staticDetails: string };
}

/**
 * `POST /v1/<flow>`: validates, derives the payment id from the Idempotency-Key, and starts the
 * payment's workflow (common/startPayment.ts), answering once the payment exists at Ping. A retry
 * with the same key and body returns the same payment (200); a different body is a 409; a payment
 * Ping refused answers with Ping's reason.
 */
export function createPaymentHandler<R>(spec: FlowSpec<R>, { client, taskQueue, timing, money, onCreate, outboundUrls }: CreatePaymentDeps): RequestHandler {
  const conflict = () => {
    onCreate?.(spec.flow, 'conflict');
    return idempotencyMismatch();
  };
  const keyReused = async <T>(attempt: () => Promise<T>): Promise<T> => {
    try {
      return await attempt();
    } catch (err) {
      throw err instanceof PaymentKeyReused ? conflict() : err;
    }
  };
  /**
   * A request that would no longer be accepted as a new payment (its due date has passed) may still
   * be the retry of one that was: answer it from the payment under its key, as a replay would.
   */
  const replayOrRefuse = async (paymentId: string, fingerprint: string, issue: BodyIssue): Promise<CreatedResult> => {
    try {
      return await keyReused(() => joinPayment(client.workflow.getHandle(paymentId), fingerprint));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw invalidParameter(issue);
      throw err;
    }
  };

  return async (req, res) => {
    const merchant = actingMerchant(res);
    const request = parseBody(spec.schema, merchant ? withMerchantDefaults(req.body, spec.flow, merchant) : req.body);
    await assertRequestUrlsAllowed(request, outboundUrls);
    const paymentId = paymentIdFor(spec.idPrefix, req, merchant?.merchantId);
    // A merchant's request is recognised by what it sent, not by the defaults it got: a retry stays the same request after the merchant's settings change.
    const fingerprint = fingerprintOf(merchant ? req.body : request);
    const timeIssue = spec.checkTimes?.(request, Date.now());
    if (timeIssue) {
      // Without a key the id is new, so no earlier request can have made this payment.
      if (req.get('idempotency-key') === undefined) throw invalidParameter(timeIssue);
      answer(res, await replayOrRefuse(paymentId, fingerprint, timeIssue));
      return;
    }
    const amount = spec.amountOf(request);
    const input = { paymentId, request, fingerprint, timing, money } as PaymentLinkInput | PisPaymentInput;
    const created = await keyReused(() =>
      startPayment(client, {
        workflowType: spec.workflowType,
        input,
        taskQueue,
        typedSearchAttributes: [
          ...paymentSearchAttributes({ flow: spec.flow, amount, currency: spec.currencyOf(request), reference: spec.referenceOf(request), merchantId: merchant?.merchantId }),
          ...(spec.extraSearchAttributes?.(request) ?? []),
        ],
        ...spec.describe(request, amount),
      }),
    );
    answer(res, created);
  };

  function answer(res: Response, { payment, first }: CreatedResult): void {
    const refused = refusedError(payment);
    onCreate?.(spec.flow, refused ? 'refused' : first ? 'created' : 'replayed');
    if (refused) throw refused;
    res.status(first ? 201 : 200).json(payment);
  }
}
