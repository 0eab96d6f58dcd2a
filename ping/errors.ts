import type { z } from 'zod';

/**
 * The one error the Ping client throws. Activities decide on retries from `retryable` alone, so every
 * failure (HTTP, network, timeout, a body we cannot read) is classified here and nowhere else.
 */

/** One entry of Ping's error body, in either of its two shapes (docs/ping-contract.md §6). */
export interface PingErrorDetail {
  /** Machine code, e.g. `payment_order_closed`. */
  error: string;
  description?: string;
  /** JSON path of the invalid field on validation errors, e.g. `open_banking.success_url`. */
  property?: string;
  additional_information?: Record<string, unknown>;
}

/**
 * `code` holds Ping's first error code when Ping sent one, otherwise one of these, which describe what
 * went wrong on our side of the wire.
 */
export type PingClientErrorCode =
  | 'invalid_request' // our body or id failed validation; nothing was sent
  | 'invalid_response' // Ping answered success but the body does not match docs/ping-contract.md
  | 'unexpected_status' // a 2xx other than the one Ping promises (e.g. 201 on a create; docs/ping-contract.md §0)
  | 'http_error' // a non-2xx without a readable error code
  | 'timeout'
  | 'aborted' // the caller's signal, not our timeout
  | 'connection_error';

export interface PingApiErrorInit {
  endpoint: string;
  code: string;
  message: string;
  retryable: boolean;
  status?: number;
  errors?: PingErrorDetail[];
  rawBody?: string;
  retryAfterMs?: number;
  cause?: unknown;
}

export class PingApiError extends Error {
  override readonly name = 'PingApiError';
  /** The client method that failed, e.g. `initiatePayment`. */
  readonly endpoint: string;
  /** HTTP status; undefined when no response arrived (network, timeout, abort) or nothing was sent. */
  readonly status: number | undefined;
  readonly code: string;
  /** Every error Ping reported; Payments API bodies may carry several. */
  readonly errors: readonly PingErrorDetail[];
  readonly retryable: boolean;
  /** The body as received when it was not one of Ping's error shapes (truncated). */
  readonly rawBody: string | undefined;
  /** From a Retry-After header on 429/503, for a caller that wants to honour it. */
  readonly retryAfterMs: number | undefined;

  constructor(init: PingApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.endpoint = init.endpoint;
    this.status = init.status;
    this.code = init.code;
    this.errors = init.errors ?? [];
    this.retryable = init.retryable;
    this.rawBody = init.rawBody;
    this.retryAfterMs = init.retryAfterMs;
  }

  get codes(): string[] {
    return this.errors.map((e) => e.error);
  }

  get description(): string | undefined {
    return this.errors.find((e) => e.description)?.description;
  }

  get property(): string | undefined {
    return this.errors.find((e) => e.property)?.property;
  }
}

/** 5xx and the two 4xx that mean "not now" are worth another try; every other 4xx will fail the same way. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

const RAW_BODY_LIMIT = 2_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function detailFrom(entry: Record<string, unknown>): PingErrorDetail | undefined {
  const error = optionalString(entry.error);
  if (!error) return undefined;
  return {
    error,
    description: optionalString(entry.description),
    property: optionalString(entry.property),
    additional_information: isRecord(entry.additional_information) ? entry.additional_information : undefined,
  };
}

/**
 * Reads either shape wherever it appears, since which API uses which is unconfirmed (docs/ping-contract.md §6):
 * `{"errors":[{error, description, property?, additional_information?}]}` (Payments API) and the flat
 * `{error, description, ...}` (Payment Links API). ASP.NET's default validation body
 * (`{"title", "errors": {"field": ["message"]}}`) is read too, because Ping is a .NET service and its
 * framework answers model-binding failures that way before Ping's own code runs.
 * Anything else keeps the raw text so the error still says what the server said.
 */
export function parsePingErrorBody(text: string): { errors: PingErrorDetail[]; rawBody?: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return text === '' ? { errors: [] } : { errors: [], rawBody: text.slice(0, RAW_BODY_LIMIT) };
  }
  const errors: PingErrorDetail[] = [];
  if (isRecord(body)) {
    if (Array.isArray(body.errors)) {
      for (const entry of body.errors) {
        const detail = isRecord(entry) ? detailFrom(entry) : undefined;
        if (detail) errors.push(detail);
      }
    } else if (isRecord(body.errors)) {
      for (const [property, messages] of Object.entries(body.errors)) {
        const description = Array.isArray(messages) ? messages.filter((m) => typeof m === 'string').join('; ') : undefined;
        errors.push({ error: 'validation_error', description: description || optionalString(body.title), property });
      }
    }
    const flat = errors.length === 0 ? detailFrom(body) : undefined;
    if (flat) errors.push(flat);
  }
  return errors.length > 0 ? { errors } : { errors: [], rawBody: text.slice(0, RAW_BODY_LIMIT) };
}

/** Seconds or an HTTP date, per RFC 9110; anything else is ignored rather than guessed at. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Builds the error for a non-success HTTP answer. */
export function httpError(
  endpoint: string,
  status: number,
  bodyText: string,
  retryAfterHeader?: string | string[],
): PingApiError {
  const { errors, rawBody } = parsePingErrorBody(bodyText);
  const first = errors[0];
  const what = first
    ? `${first.error}${first.description ? `: ${first.description}` : ''}${first.property ? ` (property ${first.property})` : ''}`
    : (rawBody ?? 'empty body');
  const retryable = isRetryableStatus(status);
  return new PingApiError({
    endpoint,
    status,
    code: first?.error ?? 'http_error',
    message: `Ping ${endpoint} failed with HTTP ${status}: ${what}`,
    retryable,
    errors,
    rawBody,
    retryAfterMs: status === 429 || status === 503 ? parseRetryAfter(retryAfterHeader) : undefined,
  });
}

/**
 * A 2xx that is not the one Ping promises (docs/ping-contract.md §0). Not retryable: the operation
 * may well have happened (a 201 create did create something), so repeating it could do it twice.
 */
export function unexpectedStatusError(endpoint: string, status: number, expected: number): PingApiError {
  return new PingApiError({
    endpoint,
    status,
    code: 'unexpected_status',
    message: `Ping ${endpoint} answered HTTP ${status}; the contract says ${expected}`,
    retryable: false,
  });
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const key of path) {
    if (!isRecord(current) && !Array.isArray(current)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** `items[0].price: missing required field`, never the value itself (it may be a payer's data). */
export function describeIssues(issues: readonly z.core.$ZodIssue[], data: unknown): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const segments = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`));
      const path = segments.length > 0 ? segments.join('').replace(/^\./, '') : '(body)';
      const aboutTheValue = issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union';
      const missing = aboutTheValue && issue.path.length > 0 && valueAt(data, issue.path) === undefined;
      return `${path}: ${missing ? 'missing required field' : issue.message}`;
    })
    .join('; ');
}

/** Our own bad input: Ping would refuse it just the same, so it is never retryable. */
export function invalidRequestError(endpoint: string, detail: string): PingApiError {
  return new PingApiError({
    endpoint,
    code: 'invalid_request',
    message: `Ping ${endpoint} not sent, invalid request: ${detail}`,
    retryable: false,
  });
}

/** Ping said success but we cannot read what it said; asking again will not change the answer. */
export function invalidResponseError(endpoint: string, status: number, detail: string, cause?: unknown): PingApiError {
  return new PingApiError({
    endpoint,
    status,
    code: 'invalid_response',
    message: `Ping ${endpoint} returned an invalid response: ${detail}`,
    retryable: false,
    cause,
  });
}
