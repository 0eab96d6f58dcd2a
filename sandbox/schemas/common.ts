import { z } from 'zod';
import { CURRENCIES, PAYMENT_STATUSES } from '../entities';
import { PingError, type ErrorDetail } from '../errors';

/**
 * Request schemas are lenient where Ping's own SDK forces leniency (explicit nulls, junk fields,
 * VAT as a string) and strict elsewhere, so a client bug shows up here rather than against Ping.
 * Unknown keys are dropped (zod's default for objects), never rejected.
 */

/** .NET `Guid` accepts any 8-4-4-4-12 hex string, the zero UUID included. */
export const guid = z.guid();

export const currency = z.enum(CURRENCIES);
export const paymentStatus = z.enum(PAYMENT_STATUSES);

export const minorAmount = z.number().int('must be an integer amount in minor units');

/** A percent such as 25.00; the docs' own example sends "0" as a string, so numeric strings pass too. */
export const vatRate = z
  .union([z.number(), z.string().trim().regex(/^\d{1,2}(\.\d+)?$/, 'must be a number').transform(Number)])
  .pipe(z.number().min(0, 'must be between 0 and 99.99').max(99.99, 'must be between 0 and 99.99'));

export const metadata = z
  .record(z.string(), z.unknown())
  .nullish()
  .transform((v) => v ?? {});

export const tags = z
  .array(z.string())
  .nullish()
  .transform((v) => v ?? []);

export const optionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

export const requiredText = z.string().trim().min(1, 'must not be empty');

/** Callbacks are POSTed by the sandbox, so they must be http(s); redirect targets may be app schemes. */
export const callbackUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
export const redirectUrl = z.url({ error: 'must be a URL' });

export const objectBody = z.record(z.string(), z.unknown());

function propertyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function describe(issue: z.core.$ZodIssue): ErrorDetail {
  const property = propertyPath(issue.path);
  const missing = (issue.code === 'invalid_type' || issue.code === 'invalid_value') && (issue.input === undefined || issue.input === null);
  const custom = issue.code === 'custom' && typeof issue.params?.error === 'string' ? issue.params.error : undefined;
  return {
    // [PY] shows Ping's own code for a missing value: `null_value`.
    error: custom ?? (missing ? 'null_value' : 'invalid_value'),
    description: missing ? `${property || 'body'} is required (${issue.message})` : `${property || 'body'} ${issue.message}`,
    ...(property ? { property } : {}),
  };
}

/** Parses or throws 422 naming every bad property. */
export function parseOr422<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  throw new PingError(422, result.error.issues.map(describe));
}
