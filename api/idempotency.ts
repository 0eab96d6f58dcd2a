import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { ApiError } from './errors';
import { IDEMPOTENCY_KEY_PATTERN, type PaymentIdPrefix } from '../domain/ids';

/**
 * The payment's id, and its workflow id, come from the caller's Idempotency-Key: a retried request
 * lands on the same workflow. Without a key each request is a new payment, as with Stripe.
 */
export function paymentIdFor(prefix: PaymentIdPrefix, req: Request, merchantId?: string): string {
  const key = idempotencyKeyOf(req) ?? randomUUID();
  // A merchant's keys are its own: the same key from two merchants makes two payments (domain/ids.ts).
  return merchantId ? `${prefix}-${merchantId}.${key}` : `${prefix}-${key}`;
}

/** The request's Idempotency-Key, if it sent one; one that could not be part of an id is a 400. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new ApiError(400, 'invalid_request_error', 'idempotency_key_invalid', 'Idempotency-Key must be 1-100 characters of A-Z, a-z, 0-9, ".", "_", ":" or "-"');
  }
  return key;
}

export const idempotencyMismatch = () =>
  new ApiError(409, 'idempotency_error', 'idempotency_key_reused', 'This Idempotency-Key was already used with a different request body; use a new key for a new payment');
