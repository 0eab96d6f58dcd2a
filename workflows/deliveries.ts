import { isCancellation } from '@temporalio/workflow';
import type { ReceiptEmailInput } from '../activities/mail';
import type { PaymentEventType } from '../domain/payment';
import { deliveries, DELIVERY_OPTIONS } from './activityOptions';
import { failureFromError } from './failures';
import type { PaymentRecord } from './paymentRecord';

/** What a flow knows for the receipt; the core adds the payment's id, amount, time and receipt URL. */
export type ReceiptContent = Omit<ReceiptEmailInput, 'paymentId' | 'paidAt' | 'amountMinor' | 'currency'>;

/**
 * The end of a payment: a paid one gets its receipt e-mail and `payment.paid` side by side (the
 * merchant hears while the receipt is on its way), then `completed`; the others their event. A
 * delivery that keeps failing is recorded and never changes the payment's outcome.
 */
export async function deliverOutcome(payment: PaymentRecord, notifyUrl: string | undefined, receipt: ReceiptContent | undefined): Promise<void> {
  if (payment.status === 'paid') {
    await Promise.all([emailReceipt(payment, receipt), notifyMerchant(payment, notifyUrl, 'payment.paid')]);
    payment.completed();
  } else if (payment.status === 'expired' || payment.status === 'cancelled' || payment.status === 'failed') {
    await notifyMerchant(payment, notifyUrl, `payment.${payment.status}`);
  }
}

async function emailReceipt(payment: PaymentRecord, receipt: ReceiptContent | undefined): Promise<void> {
  if (!receipt) return;
  const { id, amount, currency } = payment.view();
  try {
    await deliveries.sendReceiptEmail.executeWithOptions({ ...DELIVERY_OPTIONS, summary: 'E-mail receipt to payer' }, [
      { ...receipt, paymentId: id, paidAt: payment.paidAt!, amountMinor: amount, currency, receiptUrl: payment.receiptUrl ?? receipt.receiptUrl },
    ]);
    payment.record('receipt_emailed');
  } catch (err) {
    if (isCancellation(err)) throw err;
    payment.record('receipt_email_failed', failureFromError(err).message);
  }
}

export async function notifyMerchant(payment: PaymentRecord, notifyUrl: string | undefined, type: PaymentEventType): Promise<void> {
  if (!notifyUrl) return;
  const data = payment.view();
  try {
    await deliveries.notifyMerchant.executeWithOptions({ ...DELIVERY_OPTIONS, summary: `Notify merchant: ${type}` }, [
      // A merchant's events are signed with its own secret (activities/notifications.ts).
      { url: notifyUrl, merchantId: data.merchant ?? undefined, event: { id: payment.eventIdFor(type), type, created_at: new Date().toISOString(), data } },
    ]);
    payment.record('merchant_notified', type);
  } catch (err) {
    if (isCancellation(err)) throw err;
    payment.record('merchant_notification_failed', type);
  }
}
