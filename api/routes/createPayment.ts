import type { RequestHandler, Response } from 'express';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import type { z } from 'zod';
import { createdUpdate, fingerprintQuery, type CreatedResult } from '../../domain/messages';
import { IDEMPOTENCY_KEY_REUSED } from '../../domain/failureTypes';
import type { PaymentFlow } from '../../domain/payment';
import type { MoneyTiming, PollTiming } from '../../domain/requests';
import { AmountMinor, Currency, MerchantId, MerchantReference, PaymentFlow as FlowKey, PaymentStatus } from '../../domain/searchAttributes';
import type { PaymentIdPrefix } from '../../domain/ids';
import type { OutboundUrlPolicy } from '../../common/outboundUrl';
import { fingerprintOf, idempotencyMismatch, paymentIdFor } from '../idempotency';
import { withMerchantDefaults } from '../merchantDefaults';
import { assertRequestUrlsAllowed } from '../outboundUrls';
import { actingMerchant } from '../principal';
import { refusedError, updateFailureType } from '../payments';
import { readPaymentUntil } from '../readPaymentUntil';
import { invalidParameter, parseBody, type BodyIssue } from '../schemas/common';

/** How long a retry waits for the payment its key made to exist at Ping (as the first request's `created` update does). */
const JOIN_WAIT_MS = 30_000;

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
 * payment's workflow with update-with-start, answering once the payment exists at Ping. A retry with
 * the same key and body returns the same payment (200); a different body is a 409; a payment Ping
 * refused answers with Ping's reason.
 */
export function createPaymentHandler<R>(spec: FlowSpec<R>, { client, taskQueue, timing, money, onCreate, outboundUrls }: CreatePaymentDeps): RequestHandler {
  const conflict = () => {
    onCreate?.(spec.flow, 'conflict');
    return idempotencyMismatch();
  };
  /**
   * A payment under this key exists, running or finished: answer as before if it is the same request,
   * once it exists at Ping. Read through queries, never a second `created` update: an update that
   * reaches a running workflow in the same task as an activity's result after a worker restart is
   * replayed in the other order (domain/messages.ts).
   */
  const joinExisting = async (handle: WorkflowHandle, fingerprint: string): Promise<CreatedResult> => {
    if ((await handle.query(fingerprintQuery)) !== fingerprint) throw conflict();
    const payment = await readPaymentUntil(client, handle.workflowId, (p) => p.status !== 'creating', JOIN_WAIT_MS);
    return { payment, first: false };
  };
  /**
   * A request that would no longer be accepted as a new payment (its due date has passed) may still
   * be the retry of one that was: answer it from the payment under its key, as a replay would.
   */
  const replayOrRefuse = async (paymentId: string, fingerprint: string, issue: BodyIssue): Promise<CreatedResult> => {
    try {
      return await joinExisting(client.workflow.getHandle(paymentId), fingerprint);
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
    const reference = spec.referenceOf(request);

    const operation = new WithStartWorkflowOperation(spec.workflowType, {
      workflowId: paymentId,
      taskQueue,
      args: [{ paymentId, request, fingerprint, timing, money }],
      // A retry finds the payment under its key, running or finished, and joins it by queries (joinExisting).
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: PaymentStatus, value: 'creating' },
        { key: FlowKey, value: spec.flow },
        { key: AmountMinor, value: amount },
        { key: Currency, value: spec.currencyOf(request) },
        ...(reference ? [{ key: MerchantReference, value: reference }] : []),
        ...(merchant ? [{ key: MerchantId, value: merchant.merchantId }] : []),
        ...(spec.extraSearchAttributes?.(request) ?? []),
      ],
      ...spec.describe(request, amount),
    });

    let payment;
    let first = false;
    try {
      ({ payment, first } = await client.workflow.executeUpdateWithStart(createdUpdate, { args: [{ fingerprint }], startWorkflowOperation: operation }));
    } catch (err) {
      if (updateFailureType(err) === IDEMPOTENCY_KEY_REUSED) throw conflict();
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      ({ payment, first } = await joinExisting(client.workflow.getHandle(paymentId), fingerprint));
    }
    answer(res, { payment, first });
  };

  function answer(res: Response, { payment, first }: CreatedResult): void {
    const refused = refusedError(payment);
    onCreate?.(spec.flow, refused ? 'refused' : first ? 'created' : 'replayed');
    if (refused) throw refused;
    res.status(first ? 201 : 200).json(payment);
  }
}
