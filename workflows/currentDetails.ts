import { formatInstant } from '../domain/format';
import type { PaymentResource } from '../domain/payment';

/** What a support person reads first in the Web UI: where the payment stands, in one line. */
export function currentDetails(payment: PaymentResource): string {
  const head = payment.status.replace('_', ' ');
  const parts = [payment.status === 'awaiting_payment' && payment.due_at ? `${head}, due ${formatInstant(payment.due_at)}` : head];
  if (payment.ping_status) parts.push(`Ping: ${payment.ping_status}`);
  if (payment.distribution.sms) parts.push('SMS sent');
  if (payment.distribution.email) parts.push('e-mail sent');
  if (payment.invoice) parts.push(`invoice ${payment.invoice.reference_type} ${payment.invoice.reference}`);
  if (payment.paid_at) parts.push(`paid ${formatInstant(payment.paid_at)}`);
  if (payment.receipt_url) parts.push('receipt ready');
  if (payment.failure) parts.push(`failed: ${payment.failure.code}`);
  const text = parts.join('; ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
