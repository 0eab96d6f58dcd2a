import { z } from 'zod';
import { methods, providers } from '../../ping/commonSchemas';
import { ApiError } from '../errors';

/** Field schemas shared by the create endpoints. Limits follow Stripe's where Ping states none. */

export const currency = z.enum(['SEK', 'NOK', 'EUR', 'GBP', 'DKK'], { error: 'must be one of SEK, NOK, EUR, GBP, DKK' });
export const provider = z.enum(providers, { error: `must be one of ${providers.join(', ')}` });
export const method = z.enum(methods, { error: `must be one of ${methods.join(', ')}` });
export const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
export const httpsUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2048, 'must be at most 2048 characters');
/** Minor units; ten million kronor is far beyond any payment link, and keeps sums exact in a double. */
export const amountMinor = z
  .number({ error: 'must be a number' })
  .int('must be a whole number of minor units (öre, øre, cents)')
  .positive('must be greater than zero')
  .max(1_000_000_000, 'must be at most 1000000000');
export const vatPercent = z
  .number({ error: 'must be a number' })
  .min(0, 'must be between 0 and 99.99')
  .max(99.99, 'must be between 0 and 99.99')
  .refine((v) => Math.round(v * 100) === v * 100, 'must have at most two decimals');
export const merchantId = z.uuid('must be a UUID');
export const metadata = z
  .record(z.string().max(40, 'keys must be at most 40 characters'), z.string().max(500, 'values must be at most 500 characters'))
  .refine((m) => Object.keys(m).length <= 20, 'must have at most 20 keys');
export const futureInstant = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 instant with a time zone, e.g. 2026-12-01T12:00:00Z' })
  .refine((v) => Date.parse(v) > Date.now(), 'must be in the future');

/** `items[0].price` */
export function paramOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

/** Parses a request body, or throws the one 400 our callers see, naming the first bad parameter. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(400, 'invalid_request_error', 'body_invalid', 'Send a JSON object with Content-Type: application/json');
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = paramOf(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const full = param ? `${param}.${key}` : key;
    throw new ApiError(400, 'invalid_request_error', 'parameter_unknown', `Received unknown parameter: ${full}`, full);
  }
  // zod does not carry the offending input on its issues, so look the value up in the body itself.
  const value = issue.path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined), body);
  const missing = value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
  throw new ApiError(
    400,
    'invalid_request_error',
    missing ? 'parameter_missing' : 'parameter_invalid',
    missing ? `Missing required parameter: ${param}` : `Invalid ${param || 'body'}: ${issue.message}`,
    param || undefined,
  );
}
