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

/**
 * The callbacks Ping sends for the whole tenant rather than for one payment: one URL each, set on
 * the tenant (`PUT api/v1/tenant`, worker/registerTenant.ts), so their token cannot name a
 * resource. It is still one token per purpose, and none equals a payment's token (their MAC input
 * differs), so the URL of one kind of callback can post no other kind.
 */
export type TenantWebhookPurpose = 'merchant-status' | 'credit-top-up';

export function tenantWebhookToken(secret: string, purpose: TenantWebhookPurpose): string {
  return createHmac('sha256', secret).update(`tenant-webhook:${purpose}`).digest('base64url');
}

export function isValidTenantWebhookToken(secret: string, purpose: TenantWebhookPurpose, presented: unknown): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 128) return false;
  const expected = Buffer.from(tenantWebhookToken(secret, purpose));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
