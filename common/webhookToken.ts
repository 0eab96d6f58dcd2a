import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Ping does not sign its callbacks (the contract knows no signature scheme), so each callback URL we
 * hand Ping carries a per-payment token: an HMAC of the payment id under WEBHOOK_SECRET. Only someone
 * who was given that URL can poke a payment, and even then the workflow trusts nothing but a fetch.
 */
export function webhookToken(secret: string, paymentId: string): string {
  return createHmac('sha256', secret).update(`ping-callback:${paymentId}`).digest('base64url');
}

export function isValidWebhookToken(secret: string, paymentId: string, presented: unknown): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 128) return false;
  const expected = Buffer.from(webhookToken(secret, paymentId));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
