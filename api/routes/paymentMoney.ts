import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ALREADY_REFUNDED, IDEMPOTENCY_KEY_REUSED, PAYMENT_NOT_PAID, PAYMENT_REFUNDED, PAYMENT_SETTLED } from '../../domain/failureTypes';
import { refundKeyQuery, refundSignal, settleSignal } from '../../domain/messages';
import { queryPayment } from '../../common/workflowQueries';
import type { PaymentResource } from '../../domain/payment';
import { ApiError, methodNotAllowed } from '../errors';
import { fingerprintOf } from '../../common/fingerprint';
import { idempotencyKeyOf } from '../idempotency';
import { askPayment, RequestRefused } from '../askPayment';
import { confinePaymentId, paymentHandle, readPayment } from '../payments';
import { readPaymentUntil } from '../readPaymentUntil';
import { noBodyParameters, requireJsonBody } from '../requestBody';
import { parseBody } from '../schemas/common';
import { refundRequestSchema } from '../schemas/refund';

/** How long a refund's answer waits for Ping's before it answers with the refund still pending. */
const REFUND_ANSWER_WAIT_MS = 5_000;
/** Settling is four calls at Ping; beyond this the answer shows the settlement still pending. */
const SETTLE_ANSWER_WAIT_MS = 10_000;

const conflict = (code: string, message: string) => new ApiError(409, 'invalid_request_error', code, message);

/** The workflow's refusals (answers to its refund and settle signals) as HTTP answers; nothing has reached Ping when one comes. */
const REFUSALS: Record<string, (message: string) => ApiError> = {
  [ALREADY_REFUNDED]: (m) => conflict('already_refunded', m),
  [PAYMENT_SETTLED]: (m) => conflict('payment_settled', m),
  [PAYMENT_NOT_PAID]: (m) => conflict('payment_not_paid', m),
  [PAYMENT_REFUNDED]: (m) => conflict('payment_refunded', m),
  [IDEMPOTENCY_KEY_REUSED]: () =>
    new ApiError(409, 'idempotency_error', 'idempotency_key_reused', 'This Idempotency-Key was already used with a different refund request; use a new key for a new request'),
};

function refusal(err: unknown): ApiError | undefined {
  return err instanceof RequestRefused ? REFUSALS[err.type]?.(err.message) : undefined;
}

/** Why a payment whose workflow has closed cannot be refunded (or settled) any more. */
function closedPaymentRefusal(payment: PaymentResource): ApiError {
  if (payment.status === 'refunded') return REFUSALS[ALREADY_REFUNDED]('The payment is already refunded');
  if (payment.settlement && payment.settlement.status !== 'pending') return REFUSALS[PAYMENT_SETTLED](`The payment's settlement is ${payment.settlement.status}`);
  return REFUSALS[PAYMENT_NOT_PAID](`The payment is ${payment.status}, not paid`);
}

export interface PaymentMoneyDeps {
  client: Client;
}

/** The money after a payment: `POST /v1/payments/:id/refunds` and `POST /v1/payments/:id/settle` (docs/money.md). */
export function paymentMoneyRoutes({ client }: PaymentMoneyDeps): Router {
  const router = Router();
  router.param('id', confinePaymentId);

  /**
   * One full refund per payment. The Idempotency-Key is required: a refund moves money, so a retry
   * must be recognisable. The same key (and body) answers with the same refund, also after the
   * workflow has closed; a new key while a refund is pending or done is a 409 `already_refunded`.
   */
  router.post('/payments/:id/refunds', requireJsonBody, async (req, res) => {
    const id = String(req.params.id);
    const key = idempotencyKeyOf(req);
    if (key === undefined) throw new ApiError(400, 'invalid_request_error', 'idempotency_key_required', 'A refund needs an Idempotency-Key header, so a retried request cannot refund twice');
    const body = parseBody(refundRequestSchema, req.body ?? {});
    const handle = paymentHandle(client, id);
    const current = await readPayment(client, id);
    if (body.amount !== undefined && body.amount !== current.amount) {
      throw new ApiError(400, 'invalid_request_error', 'amount_invalid', `Ping refunds whole payments only: amount must be ${current.amount} (the payment's amount) or left out`, 'amount');
    }
    const request = { requestId: randomUUID(), idempotencyKey: key, fingerprint: fingerprintOf(body), reason: body.reason, ...(body.description ? { description: body.description } : {}) };
    let first = false;
    let closed: PaymentResource | undefined;
    try {
      first = (await askPayment(handle, refundSignal, request)).outcome === 'accepted';
    } catch (err) {
      const refused = refusal(err);
      if (refused) throw refused;
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      closed = await replayClosed(handle, request.idempotencyKey, request.fingerprint);
    }
    const payment = await readPaymentUntil(client, id, (p) => p.refund !== null && p.refund.status !== 'pending', REFUND_ANSWER_WAIT_MS, closed);
    // Exactly one request per key is the first: the one whose signal the workflow took the refund from.
    res.status(first ? 201 : 200).json(payment);
  });

  /** Settles now: a manual settlement, or an automatic one before its hold ends. Idempotent. */
  router.post('/payments/:id/settle', requireJsonBody, noBodyParameters, async (req, res) => {
    const id = String(req.params.id);
    const handle = paymentHandle(client, id);
    let payment: PaymentResource | undefined;
    try {
      await askPayment(handle, settleSignal, { requestId: randomUUID() });
    } catch (err) {
      const refused = refusal(err);
      if (refused) throw refused;
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      payment = await readPayment(client, id);
      if (payment.settlement?.status !== 'settled') throw payment.status === 'refunded' ? REFUSALS[PAYMENT_REFUNDED]('The payment is refunded') : closedPaymentRefusal(payment);
    }
    // A refund that went first (both asked at once) answers it too: there is nothing left to settle.
    res.json(await readPaymentUntil(client, id, (p) => p.status === 'refunded' || (p.settlement !== null && p.settlement.status !== 'pending'), SETTLE_ANSWER_WAIT_MS, payment));
  });

  router.all('/payments/:id/refunds', methodNotAllowed('POST'));
  router.all('/payments/:id/settle', methodNotAllowed('POST'));
  return router;
}

/** A refund asked of a payment whose workflow has closed: the same key again is answered as before. */
async function replayClosed(handle: WorkflowHandle, idempotencyKey: string, fingerprint: string): Promise<PaymentResource> {
  // The refund's key is known to the workflow only, so it is asked by a replay on a worker; the payment
  // itself reads from the workflow's result (common/workflowQueries.ts).
  const earlier = await handle.query(refundKeyQuery);
  const payment = await queryPayment(handle);
  if (earlier?.idempotencyKey === idempotencyKey) {
    if (earlier.fingerprint !== fingerprint) throw REFUSALS[IDEMPOTENCY_KEY_REUSED]('');
    return payment;
  }
  throw closedPaymentRefusal(payment);
}
