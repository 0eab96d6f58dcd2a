import { z } from 'zod';

/**
 * Building blocks shared by the Payments API and the Payment Links API schemas
 * (docs/ping-contract.md §0, §2.5, §3, §5.5). Enum values are Ping's wire strings, spelled as
 * Ping spells them.
 */

/**
 * Ping's ids are .NET Guids: 8-4-4-4-12 hex, with no promise about the version or variant bits that
 * `z.uuid()` checks (and the zero Guid is a legal id that Ping answers with 404).
 */
export const pingId = z.guid();

/** Where Ping sends a payer or a callback; anything but http(s) would be a mistake or an injection. */
export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** Free-form key/value that Ping stores and echoes back. */
export const metadata = z.record(z.string(), z.unknown());

/**
 * Timestamps stay strings: .NET writes DateTimeOffset with anything from 0 to 7 fractional digits and
 * either `Z` or `+00:00`, and nothing in the client does arithmetic on them.
 */
export const timestamp = z.string().min(1);

/** Minor units (öre, øre, cents): Ping rejects fractions, so catch them before sending. */
export const amountMinor = z.number().int('must be an integer amount in minor units').nonnegative();

/** VAT in percent (`25.00`), never a fraction (`0.25`); Ping's range is 00.00–99.99. */
export const vatPercent = z.number().min(0).max(99.99);

export const currencies = ['SEK', 'NOK', 'EUR', 'GBP', 'DKK'] as const;
export const currencySchema = z.enum(currencies);
export type Currency = z.infer<typeof currencySchema>;

export const providers = [
  'swish',
  'open_payments',
  'verifone',
  'billmate',
  'bankgirot',
  'payment_iq',
  'ping',
  'dummy',
  'baase',
  'fortus',
  'vipps_mobilepay',
  'klarna',
  'quickpay',
] as const;
export const providerSchema = z.enum(providers);
export type Provider = z.infer<typeof providerSchema>;

export const methods = [
  'e_commerce',
  'm_commerce',
  'pis',
  'card',
  'invoice',
  'autogiro',
  'vipps',
  'deposit',
  'credit',
  'dummy',
  'bank_loan',
  'checkout',
  'hpp',
  'recurring',
] as const;
export const methodSchema = z.enum(methods);
export type Method = z.infer<typeof methodSchema>;

export const paymentStatuses = [
  'INITIATED',
  'PENDING',
  'DECLINED',
  'CRASHED',
  'COMPLETED',
  'EXPIRED',
  'ABORTED',
  'STOPPED',
  'OVERFUNDED',
  'UNDERFUNDED',
  'FUNDED',
] as const;
export const paymentStatusSchema = z.enum(paymentStatuses);
export type PaymentStatus = z.infer<typeof paymentStatusSchema>;

export const paymentOrderStatusSchema = z.enum(['OPEN', 'CLOSED', 'SPLIT', 'SETTLED']);
export type PaymentOrderStatus = z.infer<typeof paymentOrderStatusSchema>;

export const paymentLinkStatuses = ['CREATED', 'COMPLETED', 'EXPIRED', 'CANCELLED'] as const;
export const paymentLinkStatusSchema = z.enum(paymentLinkStatuses);
export type PaymentLinkStatus = z.infer<typeof paymentLinkStatusSchema>;

/** `DELIVERD` (sic) is how the SDK spells it; see `openEnum` for how a corrected spelling is read. */
export const smsStatuses = ['DELIVERD', 'PENDING', 'FAILED', 'CREATED', 'NOT_CREATED'] as const;
export const smsStatusSchema = z.enum(smsStatuses);
export type SmsStatus = z.infer<typeof smsStatusSchema>;

export const referenceTypes = ['OCR', 'KID'] as const;
export const referenceTypeSchema = z.enum(referenceTypes);
export type ReferenceType = z.infer<typeof referenceTypeSchema>;

/**
 * For response fields we only display or pass on (provider, method, sms status, ...): a value Ping adds
 * later must not make a whole payment unreadable. The known values stay in the type for autocompletion.
 * Status fields the flows branch on are NOT open: an unknown status must fail loudly, not be guessed at.
 */
export function openEnum<const T extends readonly [string, ...string[]]>(_knownValues: T) {
  return z.string() as z.ZodType<T[number] | (string & {}), string>;
}
