import { formatInstant } from '../domain/format';
import type { PaymentResource } from '../domain/payment';

/** What a support person reads first in the Web UI: where the payment stands, in one line. */
export function currentDetails(payment: PaymentResource): string {
  const head = payment.status.replace('_', ' ');
  const parts = [payment.status === 'awaiting_payment' && payment.due_at ? `${head}, due ${formatInstant(payment.due_at)}` : head];
  const settlement = settlementDetail(payment.settlement);
  if (settlement) parts.push(settlement);
  if (payment.late_payment) parts.push('paid late');
  const refund = payment.refund;
  if (refund && payment.status !== 'refunded') parts.push(refund.status === 'failed' ? `refund failed: ${refund.failure?.code ?? 'unknown'}` : 'refund pending');
  if (refund?.refunded_at) parts.push(`refunded ${formatInstant(refund.refunded_at)}`);
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

/** "settles 2026-12-04" through the hold, then "settled" (or why not). */
function settlementDetail(settlement: PaymentResource['settlement']): string | undefined {
  if (!settlement) return undefined;
  switch (settlement.status) {
    case 'settled':
      return 'settled';
    case 'failed':
      return `settlement failed: ${settlement.failure?.code ?? 'unknown'}`;
    case 'pending':
      if (settlement.ping_order_status) return `settling (order ${settlement.ping_order_status})`;
      return settlement.hold_until ? `settles ${settlement.hold_until.slice(0, 10)}` : 'settles when asked (manual)';
  }
}
