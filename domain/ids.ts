/**
 * The ids of our payments. A payment's id is its workflow id: the flow's prefix and the caller's
 * Idempotency-Key (or a random UUID), so a retried request lands on the same workflow. The patterns
 * are the one source for the API's validation and its OpenAPI document.
 */
export const PAYMENT_ID_PREFIXES = { link: 'payment-link', pis: 'pis-payment' } as const;
export type PaymentIdPrefix = (typeof PAYMENT_ID_PREFIXES)[keyof typeof PAYMENT_ID_PREFIXES];

/** What an Idempotency-Key may hold: it becomes part of a workflow id and a URL path. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;
/**
 * A payment made for one of our merchants (with its key, or a platform key's On-Behalf-Of) has the
 * merchant's id in its own: `payment-link-mer_<20>.<key>`. No Idempotency-Key holds an underscore,
 * so no other request can make an id that names a merchant: who may see a payment is read from its
 * id alone (api/payments.ts), and two merchants' equal keys are two payments.
 */
export const PAYMENT_ID_PATTERN = /^(payment-link|pis-payment)-(mer_[a-z2-7]{20}\.)?[A-Za-z0-9._:-]{1,100}$/;
const MERCHANT_IN_PAYMENT_ID = /^(?:payment-link|pis-payment)-(mer_[a-z2-7]{20})\./;

/** The merchant a payment id was made for, or undefined for a platform's own payment. */
export function merchantOfPaymentId(paymentId: string): string | undefined {
  return MERCHANT_IN_PAYMENT_ID.exec(paymentId)?.[1];
}
/**
 * A Ping id (a tenant's, a merchant's): Ping's ids are .NET Guids, and .NET parses any 8-4-4-4-12 hex
 * string whatever its version and variant bits (docs/ping-contract.md §0), which `z.uuid()` would
 * refuse. Both cases are spelt out instead of an `i` flag, so the OpenAPI `pattern` made from this
 * (which keeps the source, not the flags) means the same.
 */
export const PING_GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** A list page's cursor: Temporal's page token (base64url) and its 128-bit MAC (22 base64url characters). */
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,2048}\.[A-Za-z0-9_-]{22}$/;

/**
 * A merchant event's id: every delivery attempt of one event has the same id, so a re-send is
 * recognisable. The first event of a type is `evt_<payment>_<type>`; a later one of the same type (a
 * second refund that Ping refused, a settlement failed again) is `…_<type>_2`, `_3`, so a receiver
 * that drops repeated ids drops only re-sends.
 */
export function merchantEventId(paymentId: string, type: string, occurrence = 1): string {
  return occurrence > 1 ? `evt_${paymentId}_${type}_${occurrence}` : `evt_${paymentId}_${type}`;
}
