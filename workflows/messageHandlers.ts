import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { ALREADY_REFUNDED, IDEMPOTENCY_KEY_REUSED, PAYMENT_FINAL, PAYMENT_NOT_PAID, PAYMENT_REFUNDED, PAYMENT_SETTLED } from '../domain/failureTypes';
import {
  cancelUpdate,
  createdUpdate,
  fingerprintQuery,
  payerReturnedSignal,
  paymentQuery,
  pingCallbackSignal,
  refundKeyQuery,
  refundUpdate,
  settleUpdate,
  type RefundRequest,
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
  setHandler(
    cancelUpdate,
    async () => {
      wakeUps.cancelRequested = true;
      // A payment paid while the cancel was on its way ends paid, not cancelled; the caller sees which.
      await condition(() => payment.isDecided);
      return payment.view();
    },
    {
      validator: () => {
        if (payment.isDecided) throw refused(PAYMENT_FINAL, `The payment is already ${payment.status}`);
      },
    },
  );
  // The refund and settle handlers answer at once, in the task that accepts them, and the API reads
  // the payment until Ping's answer shows (api/readPaymentUntil.ts). A handler left waiting on a
  // timer was finished by that timer in the same task as a second update arrived after a worker
  // restart, and the SDK replays such a task in the other order: a nondeterminism that broke the
  // payment's queries (test/workflows/refunds.test.ts pins that no update is left open).
  setHandler(
    refundUpdate,
    (request) => {
      const first = refundKey?.idempotencyKey !== request.idempotencyKey;
      if (first) {
        refundKey = { idempotencyKey: request.idempotencyKey, fingerprint: request.fingerprint };
        payment.refundRequested(request.reason, request.description ?? null);
        wakeUps.refund = { reason: request.reason, description: request.description ?? null };
      }
      return { payment: payment.view(), first };
    },
    { validator: (request) => validateRefund(payment, refundKey, request) },
  );
  setHandler(
    settleUpdate,
    () => {
      // The workflow takes the request back when it starts settling (a failed settlement is tried
      // again). A settlement already under way answers this call too: a request set now would outlive it.
      const underWay = payment.settlementStarted && payment.settlement?.status === 'pending';
      if (payment.settlement?.status !== 'settled' && !underWay) {
        wakeUps.settleRequested = true;
        payment.settlementRequested();
      }
      return payment.view();
    },
    {
      validator: () => {
        const { status, refund } = payment;
        if (status === 'refunded' || refund?.status === 'pending') throw refused(PAYMENT_REFUNDED, `The payment is ${status === 'refunded' ? 'refunded' : 'being refunded'}`);
        if (status !== 'paid' && status !== 'completed') throw refused(PAYMENT_NOT_PAID, `The payment is ${status}, not paid`);
      },
    },
  );
  return wakeUps;
}

/** The same key asks for the same refund (the same body, too); a new key, for a new one only when none is under way or done. */
function validateRefund(payment: PaymentRecord, refundKey: { idempotencyKey: string; fingerprint: string } | null, request: RefundRequest): void {
  if (refundKey?.idempotencyKey === request.idempotencyKey) {
    if (refundKey.fingerprint !== request.fingerprint) throw refused(IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was already used with a different refund request');
    return;
  }
  if (payment.status === 'refunded' || payment.refund?.status === 'pending') throw refused(ALREADY_REFUNDED, 'The payment is already refunded or being refunded');
  if (payment.settlementStarted) throw refused(PAYMENT_SETTLED, "The payment's order is settled (or settling) at Ping: its money has gone to the merchant");
  if (!payment.refundable) throw refused(PAYMENT_NOT_PAID, `The payment is ${payment.status}, not paid`);
}
