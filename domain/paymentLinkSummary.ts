import type { SearchAttributePair } from '@temporalio/common';
import { formatAmount } from './format';
import type { PaymentLinkRequest } from './requests';
import { DueAt, SubscriptionId } from './searchAttributes';

/**
 * What a payment link shows in the Web UI and sets in visibility beyond what every payment does,
 * for the API's creates and a subscription's invoices alike. No payer data.
 */
export function describePaymentLink(r: PaymentLinkRequest, amount: number, subscriptionId?: string): { staticSummary: string; staticDetails: string } {
  const money = formatAmount(amount, r.currency);
  const lines = [
    `**Payment link** for ${money} from ${r.supplier.name}`,
    ...(subscriptionId ? [`**Invoice of subscription:** ${subscriptionId}`] : []),
    ...(r.merchant_reference ? [`**Merchant reference:** ${r.merchant_reference}`] : []),
    `**Items:** ${r.items.map((i) => `${i.quantity} × ${i.description}`).join(', ')}`,
    `**Payment methods:** ${r.payment_methods.map((m) => `${m.provider}/${m.method}`).join(', ')}`,
    ...(r.due_at ? [`**Due:** ${r.due_at}`] : []),
  ];
  const kind = subscriptionId ? 'Subscription invoice' : 'Payment link';
  return { staticSummary: `${kind} · ${money}${r.merchant_reference ? ` · ${r.merchant_reference}` : ''}`, staticDetails: lines.join('\n\n') };
}

export function paymentLinkSearchAttributes(r: PaymentLinkRequest, subscriptionId?: string): SearchAttributePair[] {
  return [...(r.due_at ? [{ key: DueAt, value: new Date(r.due_at) }] : []), ...(subscriptionId ? [{ key: SubscriptionId, value: [subscriptionId] }] : [])];
}
