import { createHmac } from 'node:crypto';

/**
 * A merchant's signing secret: the key its own notifications are signed with
 * (common/notificationSignature.ts, the whole `whsec_…` string as the HMAC key). It is derived, never
 * stored: an HMAC of the merchant id and the secret's version under NOTIFICATION_SIGNING_SECRET. So
 * the API can show it once (on create and on rotation), the worker can sign with it, and neither
 * Temporal's history nor any database ever holds it. A rotation bumps the version (the merchant
 * workflow's `signing_secret_version`), which gives an unrelated secret; the old one stops working
 * as soon as the worker signs with the new version.
 */
export const MERCHANT_SIGNING_SECRET_PREFIX = 'whsec_';

export function merchantSigningSecret(notificationSigningSecret: string, merchantId: string, version: number): string {
  if (!Number.isSafeInteger(version) || version < 0) throw new RangeError(`A signing secret version is a whole number, not ${String(version)}`);
  const mac = createHmac('sha256', notificationSigningSecret).update(`merchant-signing/v1:${merchantId}:${version}`).digest('base64url');
  return `${MERCHANT_SIGNING_SECRET_PREFIX}${mac}`;
}
