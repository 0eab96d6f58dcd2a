import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Merchant notifications are signed like Stripe's webhooks: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>">`. Binding the timestamp into the MAC lets a receiver refuse replays of old events.
 */
export const SIGNATURE_HEADER = 'Ping-Orchestrator-Signature';

export function signNotification(secret: string, body: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/** What a merchant's endpoint runs on each notification (and what our tests run). */
export function verifyNotification(secret: string, header: string | undefined, body: string, toleranceSeconds = 300, nowSeconds = Date.now() / 1000): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signNotification(secret, body, t).split('v1=')[1]!);
  const given = Buffer.from(parts.v1);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
