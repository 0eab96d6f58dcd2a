import { getExternalWorkflowHandle, isCancellation, log } from '@temporalio/workflow';
import { subscriptionWorkflowId } from '../domain/subscription';
import { invoiceChangedSignal } from '../domain/subscriptionMessages';
import type { PaymentRecord } from './paymentRecord';

// A payment link that is a subscription's invoice (issue 16) tells its subscription how it ended.

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
