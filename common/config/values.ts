import { parse as parseIsoDuration } from 'tinyduration';
import { z } from 'zod';

/** The kinds of value our environment variables hold, and how a bad one is reported. */

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

export const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be an integer port number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

/** A port to listen on, or `0` / empty to not listen at all (undefined); unset is `fallback`. */
export const portOrOff = (fallback: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return fallback;
      if (value === '' || value === '0') return undefined;
      const n = Number(value);
      if (/^\d+$/.test(value) && n >= 1 && n <= 65535) return n;
      ctx.issues.push({ code: 'custom', message: 'must be a port number (1-65535), or 0 or empty to turn it off', input: value });
      return z.NEVER;
    });

/** `true`/`1` or `false`/`0` (any case); empty is false. */
export const flag = z
  .string()
  .trim()
  .toLowerCase()
  .transform((value, ctx) => {
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0' || value === '') return false;
    ctx.issues.push({ code: 'custom', message: 'must be true or false', input: value });
    return z.NEVER;
  });

export const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  // Ping's SDK resolves every path against the base URL, which therefore must end with "/".
  .transform((u) => (u.endsWith('/') ? u : `${u}/`));

export const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/** A whole number of at least `min`. */
export const count = (min: number) =>
  z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(min, `must be at least ${min}`);

/**
 * `name=value,name=value`, each entry one repetition of a CLI flag; unset is `fallback`, empty is
 * none. A value cannot contain a comma. Later entries win over earlier ones of the same name.
 */
export const keyValueList = (fallback: string, format: { what: string; example: string; name: RegExp; value: (value: string) => boolean }) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const pairs: Array<[string, string]> = [];
      for (const entry of (raw ?? fallback).split(',').map((e) => e.trim()).filter(Boolean)) {
        const eq = entry.indexOf('=');
        const name = entry.slice(0, Math.max(eq, 0)).trim();
        const value = entry.slice(eq + 1).trim();
        if (eq < 1 || !format.name.test(name) || !format.value(value)) {
          const shown = entry.length > 60 ? `${entry.slice(0, 60)}…` : entry;
          ctx.issues.push({ code: 'custom', message: `must be comma-separated ${format.what}, e.g. ${format.example}; ${JSON.stringify(shown)} is not one`, input: raw });
          return z.NEVER;
        }
        pairs.push([name, value]);
      }
      // fromEntries defines own properties, so even a name like __proto__ stays a plain entry.
      return Object.fromEntries(pairs);
    });

/** Their values are never echoed back in an error message: it may end up in a CI log. */
const SECRET_VARIABLES = new Set(['TEMPORAL_API_KEY', 'API_KEYS', 'WEBHOOK_SECRET', 'PING_API_SECRET', 'NOTIFICATION_SIGNING_SECRET', 'PAYLOAD_ENCRYPTION_KEYS']);

function describeIssue(issue: z.core.$ZodIssue, env: Env): string {
  const name = String(issue.path[0] ?? 'environment');
  const raw = env[name];
  const got = raw === undefined || SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw)})`;
  const message = issue.code === 'invalid_value' ? `must be one of ${issue.values.join(', ')}` : issue.message;
  return `${name} ${message}${got}`;
}

/** Throws ConfigError whose message names every bad variable. */
export function parseEnv<T>(schema: z.ZodType<T>, env: Env): T {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: ${parsed.error.issues.map((i) => describeIssue(i, env)).join('; ')}`);
  }
  return parsed.data;
}


const HOUR_MS = 3_600_000;

/**
 * An ISO 8601 duration such as `P3D`, `PT24H` or `PT0S`, as milliseconds. Only fixed lengths: weeks,
 * days (24 h), hours, minutes and seconds; years and months have no fixed length, so they are refused
 * rather than guessed, and so are negative durations.
 */
export const isoDuration = z
  .string()
  .trim()
  .transform((value, ctx) => {
    let d: ReturnType<typeof parseIsoDuration>;
    try {
      d = parseIsoDuration(value);
    } catch {
      ctx.issues.push({ code: 'custom', message: 'must be an ISO 8601 duration such as P3D, PT24H or PT0S', input: value });
      return z.NEVER;
    }
    if (d.negative || d.years || d.months) {
      ctx.issues.push({ code: 'custom', message: 'must be a positive duration in weeks, days, hours, minutes or seconds (no years or months)', input: value });
      return z.NEVER;
    }
    const hours = (d.weeks ?? 0) * 168 + (d.days ?? 0) * 24 + (d.hours ?? 0);
    return Math.round(hours * HOUR_MS + (d.minutes ?? 0) * 60_000 + (d.seconds ?? 0) * 1000);
  });
