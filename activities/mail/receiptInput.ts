import { ApplicationFailure } from '@temporalio/common';

export type ReceiptLocale = 'sv-SE' | 'nb-NO' | 'en';

export interface ReceiptItem {
  description: string;
  quantity: number;
  /** VAT included, as in Ping's order items. */
  unitPriceMinor: number;
  /** A percent number (25, 12, 11.1), as Ping sends it. */
  vatPercent: number;
}

export interface ReceiptEmailInput {
  paymentId: string;
  to: string;
  payerName?: string;
  merchantName: string;
  amountMinor: number;
  currency: string;
  items: ReceiptItem[];
  /** The merchant's reference (OCR / KID) the payer may need to quote. */
  reference?: string;
  /** ISO 8601. */
  paidAt: string;
  /** Where the PDF receipt can be downloaded; linked in the mail, and attached when it can be fetched. */
  receiptUrl?: string;
  locale?: ReceiptLocale;
}

function invalidInput(message: string): ApplicationFailure {
  // A malformed input fails the same way on every attempt: retrying would only delay the workflow.
  return ApplicationFailure.nonRetryable(message, 'InvalidReceiptInput');
}

export function validateInput(input: ReceiptEmailInput): void {
  if (typeof input.paymentId !== 'string' || input.paymentId.trim() === '' || input.paymentId.length > 200) {
    throw invalidInput('paymentId must be a non-empty string of at most 200 characters');
  }
  if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor < 0) throw invalidInput('amountMinor must be a non-negative integer');
  if (!/^[A-Z]{3}$/.test(input.currency)) throw invalidInput(`currency must be an ISO 4217 code, got ${JSON.stringify(input.currency)}`);
  if (Number.isNaN(Date.parse(input.paidAt))) throw invalidInput(`paidAt must be an ISO 8601 time, got ${JSON.stringify(input.paidAt)}`);
  if (typeof input.merchantName !== 'string' || input.merchantName.trim() === '') throw invalidInput('merchantName must not be empty');
  for (const item of input.items) {
    if (!(item.quantity > 0) || !Number.isFinite(item.quantity)) throw invalidInput('every item needs a positive quantity');
    if (!Number.isSafeInteger(item.unitPriceMinor)) throw invalidInput('every item needs an integer unitPriceMinor');
    if (!(item.vatPercent >= 0 && item.vatPercent < 100)) throw invalidInput('every item needs a vatPercent from 0 to 99.99');
  }
}

export function httpUrlOrUndefined(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
