import { getExternalWorkflowHandle, isCancellation, log, setHandler } from '@temporalio/workflow';
import { remindSignal } from '../domain/messages';
import { subscriptionWorkflowId } from '../domain/subscription';
import { invoiceChangedSignal } from '../domain/subscriptionMessages';
import type { PaymentRecord } from './paymentRecord';

// A payment link that is a subscription's invoice (issue 16): it tells its subscription how it
// ended, and sends itself again when the subscription asks for a reminder.

/**
 * Tells the subscription once the payment is decided: paid, or ended without the money. A
 * subscription that has closed meanwhile cannot be signalled; it needs the news no more.
 */
export async function tellSubscription(subscriptionId: string | undefined, payment: PaymentRecord): Promise<void> {
  const status = payment.status === 'completed' ? 'paid' : payment.status;
  if (!subscriptionId || (status !== 'paid' && status !== 'expired' && status !== 'cancelled' && status !== 'failed')) return;
  const { id, paid_at, updated_at } = payment.view();
  try {
    await getExternalWorkflowHandle(subscriptionWorkflowId(subscriptionId)).signal(invoiceChangedSignal, { paymentId: id, status, at: paid_at ?? updated_at });
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.info('subscription not told: it has closed', { subscriptionId, paymentId: id, status });
  }
}

/** Reminders, from the link's creation on: each one runs `send` unless the payment is decided by then. */
export function handleReminders(payment: PaymentRecord, send: () => Promise<void>): void {
  setHandler(remindSignal, async () => {
    if (payment.isDecided) return;
    await send();
  });
}
