/**
 * The ids of our payments. A payment's id is its workflow id: the flow's prefix and the caller's
 * Idempotency-Key (or a random UUID), so a retried request lands on the same workflow. The patterns
 * are the one source for the API's validation and its OpenAPI document.
 */
export const PAYMENT_ID_PREFIXES = { link: 'payment-link', pis: 'pis-payment' } as const;
export type PaymentIdPrefix = (typeof PAYMENT_ID_PREFIXES)[keyof typeof PAYMENT_ID_PREFIXES];

/** What an Idempotency-Key may hold: it becomes part of a workflow id and a URL path. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;
export const PAYMENT_ID_PATTERN = /^(payment-link|pis-payment)-[A-Za-z0-9._:-]{1,100}$/;
/** A list page's cursor: Temporal's page token (base64url) and its 128-bit MAC (22 base64url characters). */
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,2048}\.[A-Za-z0-9_-]{22}$/;

/** A merchant event's id: the same payment and event type always give the same id, so a re-send is recognisable. */
export function merchantEventId(paymentId: string, type: string): string {
  return `evt_${paymentId}_${type}`;
}
