import { z } from 'zod';
import { methods, providers } from '../../ping/commonSchemas';
import { ApiError } from '../errors';
import { LATE_PAYMENT_POLICIES, SETTLEMENT_MODES } from '../../domain/payment';
import { PING_GUID_PATTERN } from '../../domain/ids';

/** Field schemas shared by the create endpoints. Limits follow Stripe's where Ping states none. */

export const currency = z.enum(['SEK', 'NOK', 'EUR', 'GBP', 'DKK'], { error: 'must be one of SEK, NOK, EUR, GBP, DKK' });
export const provider = z.enum(providers, { error: `must be one of ${providers.join(', ')}` });
export const method = z.enum(methods, { error: `must be one of ${methods.join(', ')}` });

/**
 * Control characters (NUL, escape sequences, line breaks), lone UTF-16 surrogates and bidi overrides
 * have no place in a name, a reference or a URL: they end up in SMS, PDFs, log lines, search
 * attributes and Ping's systems, where they truncate, spoof or break things.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cs}\u202A-\u202E\u2066-\u2069]/u;
export const printable = (value: string) => !UNPRINTABLE.test(value);
/** The same, but line breaks and tabs are allowed (free text such as metadata values). */
const printableLines = (value: string) => printable(value.replace(/[\t\n\r]/g, ''));
const NO_CONTROL = 'must not contain control characters';

/** One line of text: trimmed, not empty, at most `max` characters, nothing unprintable. */
export const text = (max: number) =>
  z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`).refine(printable, NO_CONTROL);
/**
 * Text that becomes a search attribute (the merchant reference) and is searched for with a
 * visibility query. Temporal's query language cannot match every quote exactly (a value that starts
 * or ends with `'`, or holds `"`, is stored but never found; `\'` can end a literal early), so
 * quotes and backslashes are refused up front: what can be stored can be found, and a filter can
 * never break out of its string literal.
 */
export const searchableText = (max: number) => text(max).refine((v) => !/['"\\]/.test(v), 'must not contain quotes or backslashes (it is searchable)');

export const httpsUrl = z
  .string({ error: 'must be an http(s) URL' })
  .max(2048, 'must be at most 2048 characters')
  // Checked on the string as sent: the URL parser would silently drop tabs and line breaks.
  .refine((v) => printable(v) && !/\s/.test(v), 'must not contain spaces or control characters')
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }))
  .refine((v) => {
    try {
      const url = new URL(v);
      return url.username === '' && url.password === '';
    } catch {
      return true; // not a URL at all: the format check has said so
    }
  }, 'must not contain a user name or password');
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
export const merchantId = z.string({ error: 'must be a Ping id (8-4-4-4-12 hex digits)' }).regex(PING_GUID_PATTERN, 'must be a Ping id (8-4-4-4-12 hex digits)');
export const settlementMode = z
  .enum(SETTLEMENT_MODES, { error: `must be one of ${SETTLEMENT_MODES.join(', ')}` })
  .meta({ description: 'automatic (default): settled at Ping once SETTLEMENT_HOLD has passed; manual: settled on POST /v1/payments/{id}/settle.' });
export const latePaymentPolicy = z
  .enum(LATE_PAYMENT_POLICIES, { error: `must be one of ${LATE_PAYMENT_POLICIES.join(', ')}` })
  .meta({ description: 'What happens if Ping completes the payment after it ended: refund (default) gives the payer their money back; accept makes it paid.' });
export const metadata = z
  .record(
    z.string().min(1, 'keys must not be empty').max(40, 'keys must be at most 40 characters').refine(printable, `keys ${NO_CONTROL}`),
    z
      .string({ error: 'must be a string' })
      .max(500, 'values must be at most 500 characters')
      .refine(printableLines, `values ${NO_CONTROL}`),
  )
  .refine((m) => Object.keys(m).length <= 20, 'must have at most 20 keys');

const MAX_FREEFORM_DEPTH = 8;
const MAX_FREEFORM_NODES = 500;

/**
 * Whether a JSON value passed through to Ping untyped stays small and shallow: later code (the
 * idempotency fingerprint, Temporal's payload converter) walks it recursively, and a 100 kB body
 * can nest 20 000 levels deep, enough to overflow the stack.
 */
function shallowJson(value: unknown): boolean {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (++nodes > MAX_FREEFORM_NODES || depth > MAX_FREEFORM_DEPTH) return false;
    if (node && typeof node === 'object') for (const child of Object.values(node)) stack.push({ node: child, depth: depth + 1 });
  }
  return true;
}

/** Provider-specific parameters (Ping's `provider_method_parameters`), passed through untyped. */
export const freeformObject = z
  .record(z.string().max(100, 'keys must be at most 100 characters'), z.unknown(), { error: 'must be an object' })
  .refine(shallowJson, `must be at most ${MAX_FREEFORM_DEPTH} levels deep and ${MAX_FREEFORM_NODES} values in all`);
/**
 * An instant, e.g. `due_at`. Whether it must lie ahead is not the schema's business: that depends on
 * when the request is checked, and a retry of a request that created its payment must be answered
 * with that payment even after the instant has passed (`FlowSpec.checkTimes`, api/routes/createPayment.ts).
 */
export const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 instant with a time zone, e.g. 2026-12-01T12:00:00Z' });
/** The rule `instant` leaves out, with the message a client sees when it fails. */
export const FUTURE_MESSAGE = 'must be in the future';
export const inTheFuture = (value: string, now: number) => Date.parse(value) > now;

/** A field of a parsed body that fails a check the schema cannot make. */
export interface BodyIssue {
  path: readonly PropertyKey[];
  message: string;
}

/** `items[0].price` */
export function paramOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

/**
 * The path of the first `__proto__` key in a parsed body, if any. JSON.parse makes it an ordinary
 * key, but copying it into an object (as zod's record does) sets that object's prototype instead,
 * so the key would silently vanish or, worse, smuggle inherited properties in.
 */
function protoKeyPath(body: object): PropertyKey[] | undefined {
  const stack: Array<{ node: object; path: PropertyKey[] }> = [{ node: body, path: [] }];
  let budget = 100_000;
  while (stack.length > 0 && budget-- > 0) {
    const { node, path } = stack.pop()!;
    if (Object.prototype.hasOwnProperty.call(node, '__proto__')) return [...path, '__proto__'];
    for (const [key, child] of Object.entries(node)) {
      if (child && typeof child === 'object') stack.push({ node: child as object, path: [...path, Array.isArray(node) ? Number(key) : key] });
    }
  }
  return undefined;
}

/** Parses a request body, or throws the one 400 our callers see, naming the first bad parameter. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(400, 'invalid_request_error', 'body_invalid', 'Send a JSON object with Content-Type: application/json');
  }
  const proto = protoKeyPath(body);
  if (proto) throw new ApiError(400, 'invalid_request_error', 'parameter_invalid', `Invalid ${paramOf(proto)}: "__proto__" is not allowed as a key`, paramOf(proto));
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
  if (missing) throw new ApiError(400, 'invalid_request_error', 'parameter_missing', `Missing required parameter: ${param}`, param || undefined);
  throw invalidParameter(issue);
}

/** The 400 for a parameter that is present but wrong, the same whether the schema or a later check found it. */
export function invalidParameter({ path, message }: BodyIssue): ApiError {
  const param = paramOf(path);
  return new ApiError(400, 'invalid_request_error', 'parameter_invalid', `Invalid ${param || 'body'}: ${message}`, param || undefined);
}
