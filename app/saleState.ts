import { FINAL_STATES, type PaymentResource } from '../domain/payment';
import { isPaid, statusKind } from './format';
import { webUrl } from '../common/html';
import type { Messages } from './i18n';

/**
 * What the sale screen shows of a payment, the same for the page as rendered and for each `status`
 * event its script receives (app/routes/saleEvents.ts): the state and its word in the seller's
 * language, which parts of the page apply, and the documents.
 */
export interface SaleState {
  status: PaymentResource['status'];
  label: string;
  /** The status area's colour class (app/format.ts statusKind). */
  kind: ReturnType<typeof statusKind>;
  paid: boolean;
  amount: number;
  currency: string;
  /** A refund under way or failed, in words; null otherwise. */
  note: string | null;
  /** The QR code, the send buttons and cancel: while the payer can still pay. */
  awaiting: boolean;
  refundable: boolean;
  receipt_url: string | null;
  invoice_url: string | null;
  /** Nothing more will change by itself: the event stream ends and the script closes it. */
  final: boolean;
}

export function saleState(payment: PaymentResource, t: Messages): SaleState {
  const paid = isPaid(payment.status);
  const refund = payment.refund;
  const settled = payment.settlement !== null && payment.settlement.status !== 'pending';
  const note = refund?.status === 'pending' ? t.refundStatus.pending : refund?.status === 'failed' && paid ? t.refundStatus.failed : null;
  return {
    status: payment.status,
    label: t.status[payment.status] ?? payment.status,
    kind: statusKind(payment.status),
    paid,
    amount: payment.amount,
    currency: payment.currency,
    note,
    awaiting: payment.status === 'awaiting_payment' && payment.checkout_url !== null,
    refundable: paid && !settled && (refund === null || refund.status === 'failed'),
    receipt_url: webUrl(payment.receipt_url) ?? null,
    invoice_url: webUrl(payment.invoice?.url) ?? null,
    final: FINAL_STATES.includes(payment.status) && refund?.status !== 'pending',
  };
}
