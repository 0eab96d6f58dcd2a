import { checkMailBasics } from './inputChecks';
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

/** The receipt's checks (inputChecks.ts), for the fields a refund e-mail has. */
export function validateRefundInput(input: RefundEmailInput): void {
  checkMailBasics(input, { name: 'refundedAt', value: input.refundedAt }, 'InvalidRefundInput');
}
