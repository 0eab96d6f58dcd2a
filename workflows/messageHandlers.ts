import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { ALREADY_REFUNDED, IDEMPOTENCY_KEY_REUSED, PAYMENT_FINAL, PAYMENT_NOT_PAID, PAYMENT_REFUNDED, PAYMENT_SETTLED } from '../domain/failureTypes';
import {
  cancelSignal,
  createdUpdate,
  fingerprintQuery,
  payerReturnedSignal,
  paymentQuery,
  pingCallbackSignal,
  refundKeyQuery,
  refundSignal,
  requestAnswerQuery,
  settleSignal,
  type RefundRequest,
  type RequestAnswer,
} from '../domain/messages';
import type { PingRefundReason } from '../domain/payment';
import type { PaymentRecord } from './paymentRecord';

/** What the messages ask of the waiting workflow. */
export interface WakeUps {
  /** A callback or the payer's return: ask Ping now. */
  checkRequested: boolean;
  /** The merchant's cancel: end the payment at Ping. */
  cancelRequested: boolean;
  /** A refund the API asked for and the workflow has not begun yet. */
  refund?: { reason: PingRefundReason; description: string | null };
  /** `POST /settle`: settle now rather than after the hold. */
  settleRequested: boolean;
}

/** Answers kept for the API to read back: far more than the requests that can be in flight at once. */
const ANSWERS_KEPT = 50;

const refused = (type: string, message: string) => ApplicationFailure.create({ type, nonRetryable: true, message });

/**
 * The handlers of every message a payment answers (defined once in domain/messages.ts). Callbacks
 * and the payer's return are only hints: they wake the workflow, and Ping's fetched status decides.
 */
export function handleMessages(payment: PaymentRecord, fingerprint: string): WakeUps {
  const wakeUps: WakeUps = { checkRequested: false, cancelRequested: false, settleRequested: false };
  let createdCalls = 0;
  let refundKey: { idempotencyKey: string; fingerprint: string } | null = null;

  setHandler(paymentQuery, () => payment.view());
  setHandler(fingerprintQuery, () => fingerprint);
  setHandler(refundKeyQuery, () => refundKey);
  setHandler(pingCallbackSignal, ({ status }) => {
    payment.record('ping_callback', status);
    wakeUps.checkRequested = true;
  });
  setHandler(payerReturnedSignal, ({ outcome }) => {
    payment.record('payer_returned', outcome);
    wakeUps.checkRequested = true;
  });
  setHandler(
    createdUpdate,
    async () => {
      createdCalls += 1;
      const first = createdCalls === 1;
      await condition(() => payment.status !== 'creating');
      return { payment: payment.view(), first };
    },
    {
      validator: (request) => {
        if (request.fingerprint !== fingerprint) {
          throw refused(IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was already used with a different request body');
        }
      },
    },
  );
  // The cancel, refund and settle requests are signals (domain/messages.ts says why). Each is checked as
  // an update's validator would be, and answered under its request id for the API to read back.
  const answers = new Map<string, RequestAnswer>();
  const answer = (requestId: string, outcome: RequestAnswer) => {
    answers.set(requestId, outcome);
    // The API reads an answer within seconds of its signal; older ones only grow the workflow's state.
    if (answers.size > ANSWERS_KEPT) answers.delete(answers.keys().next().value!);
  };
  setHandler(requestAnswerQuery, (requestId) => answers.get(requestId) ?? null);
  setHandler(refundSignal, (request) => {
    const refusal = refundRefusal(payment, refundKey, request);
    if (refusal) return answer(request.requestId, { outcome: 'refused', ...refusal });
    if (refundKey?.idempotencyKey === request.idempotencyKey) return answer(request.requestId, { outcome: 'repeat' });
    refundKey = { idempotencyKey: request.idempotencyKey, fingerprint: request.fingerprint };
    payment.refundRequested(request.reason, request.description ?? null);
    wakeUps.refund = { reason: request.reason, description: request.description ?? null };
    answer(request.requestId, { outcome: 'accepted' });
  });
  setHandler(cancelSignal, ({ requestId }) => {
    // A payment paid while the cancel was on its way ends paid, not cancelled; the API reads which.
    if (payment.isDecided) return answer(requestId, { outcome: 'refused', type: PAYMENT_FINAL, message: `The payment is already ${payment.status}` });
    wakeUps.cancelRequested = true;
    answer(requestId, { outcome: 'accepted' });
  });
  setHandler(settleSignal, ({ requestId }) => {
    const refusal = settleRefusal(payment);
    if (refusal) return answer(requestId, { outcome: 'refused', ...refusal });
    // The workflow takes the request back when it starts settling (a failed settlement is tried
    // again). A settlement already under way answers this request too: a request set now would outlive it.
    const underWay = payment.settlementStarted && payment.settlement?.status === 'pending';
    if (payment.settlement?.status !== 'settled' && !underWay) {
      wakeUps.settleRequested = true;
      payment.settlementRequested();
    }
    answer(requestId, { outcome: 'accepted' });
  });
  return wakeUps;
}

interface Refusal {
  type: string;
  message: string;
}

/** The same key asks for the same refund (the same body, too); a new key, for a new one only when none is under way or done. */
function refundRefusal(payment: PaymentRecord, refundKey: { idempotencyKey: string; fingerprint: string } | null, request: RefundRequest): Refusal | undefined {
  if (refundKey?.idempotencyKey === request.idempotencyKey) {
    if (refundKey.fingerprint !== request.fingerprint) return { type: IDEMPOTENCY_KEY_REUSED, message: 'This Idempotency-Key was already used with a different refund request' };
    return undefined;
  }
  if (payment.status === 'refunded' || payment.refund?.status === 'pending') return { type: ALREADY_REFUNDED, message: 'The payment is already refunded or being refunded' };
  if (payment.settlementStarted) return { type: PAYMENT_SETTLED, message: "The payment's order is settled (or settling) at Ping: its money has gone to the merchant" };
  if (!payment.refundable) return { type: PAYMENT_NOT_PAID, message: `The payment is ${payment.status}, not paid` };
  return undefined;
}

function settleRefusal(payment: PaymentRecord): Refusal | undefined {
  const { status, refund } = payment;
  if (status === 'refunded' || refund?.status === 'pending') return { type: PAYMENT_REFUNDED, message: `The payment is ${status === 'refunded' ? 'refunded' : 'being refunded'}` };
  if (status !== 'paid' && status !== 'completed') return { type: PAYMENT_NOT_PAID, message: `The payment is ${status}, not paid` };
  return undefined;
}
