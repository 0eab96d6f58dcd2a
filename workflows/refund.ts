import { isCancellation, sleep } from '@temporalio/workflow';
import type { PaymentFailure, PingRefundReason } from '../domain/payment';
import type { PollTiming } from '../domain/requests';
import { CHANGE_OPTIONS, deliveries, DELIVERY_OPTIONS, moneyChanges, moneyReads, READ_OPTIONS } from './activityOptions';
import { notifyMerchant, type ReceiptContent } from './deliveries';
import { failureFromError } from './failures';
import type { PaymentRecord } from './paymentRecord';
import { PollBackoff } from './pollBackoff';

/** A refund's first check at Ping comes soon (Ping usually has it at once), then backs off as a payment's polls do. */
const FIRST_CONFIRM_MS = 1000;

export interface RefundContext {
  notifyUrl?: string;
  /** The payer's address and the mail's wording; without it (no payer e-mail) no refund mail is sent. */
  receipt?: ReceiptContent;
  timing: PollTiming;
}

/**
 * Gives the payer their money back: the full amount (Ping refunds no part of a payment,
 * docs/ping-contract.md §2.5), on the Ping payment the payer paid. Ping's answer is not trusted on
 * its own (the contract names no refund statuses): the refund is done once a fetch of the payment
 * shows it. Ping refusing (a 4xx) fails the refund and leaves the payment as it was, refundable again
 * with a new Idempotency-Key. True once refunded.
 */
export async function refundPayer(payment: PaymentRecord, pingReason: PingRefundReason, context: RefundContext): Promise<boolean> {
  const ids = payment.pingMoneyIds;
  const { amount, currency } = payment.view();
  if (!ids) return failed(payment, context, { code: 'ping_payment_unknown', message: 'Ping gave no payment id for this payment, so there is nothing to refund at Ping' });
  try {
    const description = payment.refund?.description ?? '';
    const answer = await moneyChanges.refundPayment.executeWithOptions({ ...CHANGE_OPTIONS, summary: 'Refund payment at Ping' }, [
      { ...ids, amount, currency, reason: pingReason, description },
    ]);
    payment.refundAnswered(answer.pingStatus);
    payment.refunded(await confirmed(ids, context.timing));
  } catch (err) {
    if (isCancellation(err)) throw err;
    return failed(payment, context, failureFromError(err));
  }
  await Promise.all([emailRefund(payment, context.receipt), notifyMerchant(payment, context.notifyUrl, 'payment.refunded')]);
  return true;
}

async function failed(payment: PaymentRecord, context: RefundContext, failure: PaymentFailure): Promise<false> {
  payment.refundFailed(failure);
  await notifyMerchant(payment, context.notifyUrl, 'payment.refund_failed');
  return false;
}

/** Asks Ping until the payment shows the refund; its time, or null if Ping gives none. */
async function confirmed(ids: { orderId: string; paymentId: string }, timing: PollTiming): Promise<string | null> {
  const backoff = new PollBackoff(timing, Math.min(FIRST_CONFIRM_MS, timing.pollInitialMs));
  for (;;) {
    const seen = await moneyReads.getRefund.executeWithOptions({ ...READ_OPTIONS, summary: 'Check refund at Ping' }, [ids]);
    if (seen.refunded) return seen.refundedAt;
    await sleep(backoff.currentMs);
    backoff.next();
  }
}

async function emailRefund(payment: PaymentRecord, receipt: ReceiptContent | undefined): Promise<void> {
  if (!receipt) return;
  const { id, amount, currency, refund, late_payment } = payment.view();
  try {
    await deliveries.sendRefundEmail.executeWithOptions({ ...DELIVERY_OPTIONS, summary: 'E-mail refund to payer' }, [
      {
        paymentId: id,
        to: receipt.to,
        payerName: receipt.payerName,
        merchantName: receipt.merchantName,
        amountMinor: amount,
        currency,
        reference: receipt.reference,
        refundedAt: refund!.refunded_at!,
        latePayment: late_payment,
        locale: receipt.locale,
      },
    ]);
    payment.record('refund_emailed');
  } catch (err) {
    if (isCancellation(err)) throw err;
    payment.record('refund_email_failed', failureFromError(err).message);
  }
}
