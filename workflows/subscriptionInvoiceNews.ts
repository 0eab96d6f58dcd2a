import type { SubscriptionEventType, SubscriptionResource, SubscriptionState } from '../domain/subscription';
import type { InvoiceChange } from '../domain/subscriptionMessages';
import { unsettled } from './subscriptionState';

/**
 * An invoice's payment's news (`invoiceChanged`), applied to the subscription. Sent at least once and
 * in no promised order, so the first final word on an invoice counts and the rest change nothing.
 * True when the invoice can no longer be paid (its payment ended without the money).
 */
export function applyInvoiceChange(
  { paymentId, status, at }: InvoiceChange,
  { sub, state, record }: { sub: SubscriptionResource; state: SubscriptionState; record(type: SubscriptionEventType, detail?: string): void },
): boolean {
  const invoice = sub.invoices.find((i) => i.id === paymentId);
  // Unknown (trimmed long ago, or not one of ours) or already paid: nothing left to learn.
  if (!invoice || invoice.status === 'paid') return false;
  if (status === 'paid') {
    // Money beats a cancel that crossed it on the way to Ping.
    if (invoice.status === 'expired' || invoice.status === 'failed') return false;
    invoice.status = 'paid';
    delete state.remindersSent[invoice.id];
    record('invoice.paid', `${invoice.id} at ${at}`);
    if (sub.status === 'past_due' && !sub.invoices.some((i) => i.status === 'overdue')) {
      sub.status = 'active';
      record('subscription.active');
    }
    return false;
  }
  // A later word on an invoice that has had its last one (cancelled by us, then Ping's echo of it).
  if (!unsettled(invoice)) return false;
  invoice.status = status;
  delete state.remindersSent[invoice.id];
  return true;
}
