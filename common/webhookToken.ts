import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Ping does not sign its callbacks (no signature scheme is known: docs/ping-contract.md §4), so each callback URL we
 * hand Ping carries a per-payment token: an HMAC of the payment id under WEBHOOK_SECRET. Only someone
 * who was given that URL can poke a payment, and even then the workflow trusts nothing but a fetch.
 */
export function webhookToken(secret: string, paymentId: string, purpose: TokenPurpose = 'ping-callback'): string {
  return createHmac('sha256', secret).update(`${purpose}:${paymentId}`).digest('base64url');
}

/**
 * A token is good for one purpose only: the URL the payer's browser returns through (PIS) cannot be
 * used to post callbacks, and the other way round.
 */
export type TokenPurpose = 'ping-callback' | 'payer-return';

export function isValidWebhookToken(secret: string, paymentId: string, presented: unknown, purpose: TokenPurpose = 'ping-callback'): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 128) return false;
  const expected = Buffer.from(webhookToken(secret, paymentId, purpose));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
