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
}

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

  async function exchange(call: Exchange): Promise<ExchangeResult> {
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

  return { exchange };
}

export type Transport = ReturnType<typeof createTransport>;
