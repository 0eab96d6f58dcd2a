import { ApplicationFailure } from '@temporalio/common';
import type { ReceiptLocale } from './receiptInput';

/** The payer's e-mail when their money goes back: the full amount of one payment. */
export interface RefundEmailInput {
  paymentId: string;
  to: string;
  payerName?: string;
  merchantName: string;
  amountMinor: number;
  currency: string;
  /** The merchant's reference the payer knows the payment by. */
  reference?: string;
  /** ISO 8601: when Ping showed the refund done. */
  refundedAt: string;
  /** True for the automatic refund of a payment Ping completed after it had ended: the mail says why. */
  latePayment?: boolean;
  locale?: ReceiptLocale;
}

function invalidInput(message: string): ApplicationFailure {
  // As for receipts: a malformed input fails the same way on every attempt, so retrying only delays the workflow.
  return ApplicationFailure.nonRetryable(message, 'InvalidRefundInput');
}

/** The receipt's checks (receiptInput.ts), for the fields a refund e-mail has. */
export function validateRefundInput(input: RefundEmailInput): void {
  if (typeof input.paymentId !== 'string' || input.paymentId.trim() === '' || input.paymentId.length > 200) {
    throw invalidInput('paymentId must be a non-empty string of at most 200 characters');
  }
  if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor < 0) throw invalidInput('amountMinor must be a non-negative integer');
  if (!/^[A-Z]{3}$/.test(input.currency)) throw invalidInput(`currency must be an ISO 4217 code, got ${JSON.stringify(input.currency)}`);
  if (Number.isNaN(Date.parse(input.refundedAt))) throw invalidInput(`refundedAt must be an ISO 8601 time, got ${JSON.stringify(input.refundedAt)}`);
  if (typeof input.merchantName !== 'string' || input.merchantName.trim() === '') throw invalidInput('merchantName must not be empty');
}
