import { checkMailBasics } from './inputChecks';

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

export function validateInput(input: ReceiptEmailInput): void {
  const invalidInput = checkMailBasics(input, { name: 'paidAt', value: input.paidAt }, 'InvalidReceiptInput');
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
