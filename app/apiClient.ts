import type { Request, Response } from 'express';
import { request } from 'undici';

/** The API could not be asked (connection refused, reset, timed out) or answered something that is not its JSON. */
export class ApiUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiUnavailable';
  }
}

/** The API's error shape (docs/http-api.md). */
export interface ApiErrorBody {
  error: { type: string; code: string; message: string; param?: string };
}

export type ApiAnswer<T> = { ok: true; status: number; body: T } | { ok: false; status: number; error: ApiErrorBody['error'] };

export interface ApiCallOptions {
  idempotencyKey?: string;
  /** Ms until the API's answer must have begun; creates wait for Ping (up to a minute), reads do not. */
  timeoutMs?: number;
}

export interface ApiClient {
  get<T>(path: string, options?: ApiCallOptions): Promise<ApiAnswer<T>>;
  post<T>(path: string, body: unknown, options?: ApiCallOptions): Promise<ApiAnswer<T>>;
}

const READ_TIMEOUT_MS = 15_000;
/** POST /v1/payment-links answers 502 after a minute without Ping; a little more, so that answer arrives. */
const WRITE_TIMEOUT_MS = 75_000;

/**
 * Where this API process listens, as the request that reached it saw it: the app calls the public
 * API on the very socket address its own request came in on, so it needs no configuration and goes
 * through everything a backend's call does (key check, rate limits, validation, idempotency).
 */
export function apiBaseUrl(req: Request): string {
  const { localAddress, localPort } = req.socket;
  if (!localAddress || !localPort) throw new ApiUnavailable('the request has no local address');
  // IPv6 in brackets; a zone id (fe80::1%eth0) must be percent-encoded inside them.
  const host = localAddress.includes(':') ? `[${localAddress.replace(/%/g, '%25')}]` : localAddress;
  return `http://${host}:${localPort}`;
}

/**
 * A client of `/v1` that acts with one merchant key: the signed-in session's. The key goes into the
 * Authorization header of a loopback request and nowhere else. The request id of the page's own
 * request is passed on, so the API's log lines of both share it.
 */
export function apiClient(req: Request, res: Response, merchantKey: string): ApiClient {
  const base = apiBaseUrl(req);
  const requestId = res.getHeader('x-request-id');
  const call = async <T>(method: 'GET' | 'POST', path: string, body: unknown, options: ApiCallOptions = {}): Promise<ApiAnswer<T>> => {
    const headers: Record<string, string> = { authorization: `Bearer ${merchantKey}`, accept: 'application/json', 'user-agent': 'ping-orchestrator-payee-app' };
    if (typeof requestId === 'string') headers['x-request-id'] = requestId;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    const timeout = options.timeoutMs ?? (method === 'GET' ? READ_TIMEOUT_MS : WRITE_TIMEOUT_MS);
    let status: number;
    let text: string;
    try {
      const answer = await request(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      status = answer.statusCode;
      text = await answer.body.text();
    } catch (err) {
      // Never the key: undici's errors name the code and the address at most.
      throw new ApiUnavailable(`${method} ${path}: ${err instanceof Error ? (err as { code?: string }).code ?? err.name : 'failed'}`);
    }
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ApiUnavailable(`${method} ${path}: answered ${status} without JSON`);
    }
    if (status >= 200 && status < 300) return { ok: true, status, body: parsed as T };
    const error = (parsed as Partial<ApiErrorBody> | undefined)?.error;
    if (!error || typeof error.code !== 'string') throw new ApiUnavailable(`${method} ${path}: answered ${status} without the error shape`);
    return { ok: false, status, error };
  };
  return {
    get: (path, options) => call('GET', path, undefined, options),
    post: (path, body, options) => call('POST', path, body, options),
  };
}
