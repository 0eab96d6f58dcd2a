import { request, type Dispatcher } from 'undici';
import { httpError, PingApiError, unexpectedStatusError } from './errors';

/**
 * One HTTP exchange with Ping: the headers every request carries, the per-request timeout, and the
 * classification of whatever goes wrong into a PingApiError. No schema knowledge lives here.
 */

/** Ping's date-based API version; every SDK operation sends it (it was 2025-03-06 before 2026-03-24). */
export const PING_API_VERSION = '2025-12-09';

export interface TransportOptions {
  tenantId: string;
  apiSecret?: string;
  timeoutMs: number;
  dispatcher: Dispatcher;
  observer?: PingCallObserver;
}

/** What one HTTP call to Ping came to, for metrics or tracing; no body, no ids, no headers. */
export interface PingCallObservation {
  /** The client method, e.g. `createPaymentLink`: a fixed set of names. */
  endpoint: string;
  method: Exchange['method'];
  /** The HTTP status; undefined when no response arrived (timeout, connection error, abort). */
  status: number | undefined;
  /** From sending the request to having read (and checked) the answer. */
  durationMs: number;
  /**
   * Set when the call failed, with a response or without: the `PingApiError`'s code (Ping's own
   * first error code when it sent one) and whether it is worth retrying.
   */
  error?: { code: string; retryable: boolean };
}

/**
 * Told about every HTTP call once it has ended (not about a request refused before sending). It runs
 * on the call's path, so it must be quick; if it throws, the exception is dropped: an observer can
 * never fail a call.
 */
export type PingCallObserver = (observation: PingCallObservation) => void;

export interface Exchange {
  endpoint: string;
  /** Ends with '/'; `path` is resolved against it as the SDK does. */
  baseUrl: string;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  /** Serialised as JSON when present. */
  body?: unknown;
  /** The only status that counts as success: 200 for creates and reads, 204 for mutations. */
  expectedStatus: 200 | 204;
  signal?: AbortSignal;
}

export interface ExchangeResult {
  status: number;
  text: string;
}

/** `AbortSignal.timeout()` aborts with a DOMException named TimeoutError (not an Error subclass in Node 20). */
function isTimeoutReason(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError';
}

/** Which of the signals fired decides between "too slow" (retry) and "caller gave up" (do not). */
function failureWithoutResponse(
  endpoint: string,
  err: unknown,
  callerSignal: AbortSignal | undefined,
  timeoutSignal: AbortSignal,
  timeoutMs: number,
): PingApiError {
  if (callerSignal?.aborted && !isTimeoutReason(callerSignal.reason)) {
    return new PingApiError({ endpoint, code: 'aborted', message: `Ping ${endpoint} aborted by the caller`, retryable: false, cause: err });
  }
  if (timeoutSignal.aborted || callerSignal?.aborted) {
    const limit = timeoutSignal.aborted ? `after ${timeoutMs} ms` : "at the caller's deadline";
    return new PingApiError({ endpoint, code: 'timeout', message: `Ping ${endpoint} timed out ${limit}`, retryable: true, cause: err });
  }
  const detail = (err as { code?: unknown }).code ?? (err instanceof Error ? err.message : String(err));
  return new PingApiError({
    endpoint,
    code: 'connection_error',
    message: `Ping ${endpoint} could not be reached: ${String(detail)}`,
    retryable: true,
    cause: err,
  });
}

export function createTransport(options: TransportOptions) {
  const baseHeaders: Record<string, string> = {
    // The underscore is real: Ping's header is `tenant_id`, not `tenant-id`.
    tenant_id: options.tenantId,
    'x-api-version': PING_API_VERSION,
    accept: 'application/json',
  };
  // The SDK's common path omits it and sandbox still answers, but Ping's docs require it on every request.
  if (options.apiSecret) baseHeaders['x-api-secret'] = options.apiSecret;

  async function roundTrip(call: Exchange): Promise<ExchangeResult> {
    const url = new URL(call.path, call.baseUrl);
    const timeoutSignal = AbortSignal.timeout(options.timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeoutSignal]) : timeoutSignal;
    const headers = { ...baseHeaders };
    let body: string | undefined;
    if (call.body !== undefined) {
      body = JSON.stringify(call.body);
      headers['content-type'] = 'application/json; charset=utf-8';
    }

    let status: number;
    let text: string;
    let retryAfter: string | string[] | undefined;
    try {
      // The signal also covers reading the body: a server that sends headers and then stalls still times out.
      const response = await request(url, { method: call.method, headers, body, signal, dispatcher: options.dispatcher });
      status = response.statusCode;
      retryAfter = response.headers['retry-after'];
      text = await response.body.text();
    } catch (err) {
      throw failureWithoutResponse(call.endpoint, err, call.signal, timeoutSignal, options.timeoutMs);
    }

    if (status === call.expectedStatus) return { status, text };
    if (status >= 200 && status < 300) throw unexpectedStatusError(call.endpoint, status, call.expectedStatus);
    throw httpError(call.endpoint, status, text, retryAfter);
  }

  function observe(call: Exchange, started: number, status: number | undefined, err?: unknown): void {
    if (!options.observer) return;
    const error = err === undefined ? undefined : err instanceof PingApiError ? { code: err.code, retryable: err.retryable } : { code: 'unknown', retryable: false };
    try {
      options.observer({ endpoint: call.endpoint, method: call.method, status, durationMs: performance.now() - started, ...(error ? { error } : {}) });
    } catch {
      // An observer's bug must not turn a good answer from Ping into a failed payment step.
    }
  }

  /**
   * One HTTP call: `read` turns the answer into the caller's value (parsing, checking the body) within
   * the call, so the observer sees a 200 with a body that breaks the contract as the failure it is.
   */
  async function exchange<T>(call: Exchange, read: (result: ExchangeResult) => T): Promise<T> {
    const started = performance.now();
    let result: ExchangeResult | undefined;
    try {
      result = await roundTrip(call);
      const value = read(result);
      observe(call, started, result.status);
      return value;
    } catch (err) {
      observe(call, started, result?.status ?? (err instanceof PingApiError ? err.status : undefined), err);
      throw err;
    }
  }

  return { exchange };
}

export type Transport = ReturnType<typeof createTransport>;
