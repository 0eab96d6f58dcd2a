import { createHash, randomBytes } from 'node:crypto';
import { MERCHANT_KEY_PATTERN } from '../domain/merchant';

/**
 * The ids and secrets the API makes for merchants (domain/merchant.ts has their shapes): all in
 * RFC 4648 base-32, lower case, so they read aloud, survive any URL and never contain `_` or `.`.
 */

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');

/**
 * `mer_` and 20 characters (100 bits). With an Idempotency-Key they come from its SHA-256, so a
 * retried create lands on the same merchant workflow; without one they are random, as a payment's
 * UUID is.
 */
export function merchantIdFor(idempotencyKey: string | undefined): string {
  const source = idempotencyKey === undefined ? randomBytes(13) : createHash('sha256').update(idempotencyKey).digest();
  return `mer_${base32(source).slice(0, 20)}`;
}

/** A new secret key of the merchant: its id without `mer_`, and 160 random bits (32 characters). */
export function newMerchantKey(merchantId: string): string {
  const key = `sk_${merchantId.slice('mer_'.length)}_${base32(randomBytes(20))}`;
  // Only a malformed merchant id could break the shape, and a key the key check cannot parse would be useless.
  if (!MERCHANT_KEY_PATTERN.test(key)) throw new Error(`Not a merchant id: ${merchantId}`);
  return key;
}

/** A key's id (`key_` and 16 characters): what lists, audit lines and rate limits name, never secret. */
export const KEY_ID_PATTERN = /^key_[a-z2-7]{16}$/;
export const newKeyId = (): string => `key_${base32(randomBytes(10))}`;
