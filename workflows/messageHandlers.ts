import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { IDEMPOTENCY_KEY_REUSED, PAYMENT_FINAL } from '../domain/failureTypes';
import { cancelUpdate, createdUpdate, fingerprintQuery, payerReturnedSignal, paymentQuery, pingCallbackSignal } from '../domain/messages';
import type { PaymentRecord } from './paymentRecord';

/** What the messages ask of the waiting workflow. */
export interface WakeUps {
  /** A callback or the payer's return: ask Ping now. */
  checkRequested: boolean;
  /** The merchant's cancel: end the payment at Ping. */
  cancelRequested: boolean;
}

/**
 * The handlers of every message a payment answers (defined once in domain/messages.ts). Callbacks
 * and the payer's return are only hints: they wake the workflow, and Ping's fetched status decides.
 */
export function handleMessages(payment: PaymentRecord, fingerprint: string): WakeUps {
  const wakeUps: WakeUps = { checkRequested: false, cancelRequested: false };
  let createdCalls = 0;

  setHandler(paymentQuery, () => payment.view());
  setHandler(fingerprintQuery, () => fingerprint);
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
          throw ApplicationFailure.create({ type: IDEMPOTENCY_KEY_REUSED, nonRetryable: true, message: 'This Idempotency-Key was already used with a different request body' });
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
        if (payment.isDecided) throw ApplicationFailure.create({ type: PAYMENT_FINAL, nonRetryable: true, message: `The payment is already ${payment.status}` });
      },
    },
  );
  return wakeUps;
}
