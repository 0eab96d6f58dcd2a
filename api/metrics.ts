import type { Request, RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { PaymentFlow } from '../domain/payment';
import { requireApiKey } from './auth';

/**
 * The API's Prometheus metrics: one registry per app (never prom-client's global one, so a test can
 * run several apps in one process), served by `GET /metrics` (see `metricsEndpoint`).
 *
 * Every label value comes from a small fixed set: a request is labelled with the route *pattern* it
 * matched (`/v1/payments/:id`), never its URL, since one series per payment id would grow without
 * bound until Prometheus falls over.
 */

/** What a create request came to: a new payment (201), the same payment again (200), Ping's refusal (422), or the key reused with another body (409). */
export type PaymentCreateOutcome = 'created' | 'replayed' | 'refused' | 'conflict';

export interface ApiMetrics {
  readonly registry: Registry;
  /** Counts and times every request by method, route pattern and status; mount it first. */
  readonly httpMiddleware: RequestHandler;
  paymentCreated(flow: PaymentFlow, outcome: PaymentCreateOutcome): void;
  /**
   * A callback from Ping has been answered: 2xx is `accepted`, 5xx `error` (ours; Ping retries), any
   * other status `rejected`, with the API error code as the reason (`invalid_webhook_token`, ...).
   */
  webhookCallback(kind: PaymentFlow, status: number, errorCode?: string): void;
}

export interface ApiMetricsOptions {
  /** Defaults to a new registry of its own. */
  registry?: Registry;
  /** Node process metrics (CPU, memory, event loop lag, GC, handles); default true. */
  defaultMetrics?: boolean;
}

/** Seconds; creates wait for Ping (up to a minute before `ping_unavailable`), the rest are quick. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** The route label of a request no route matched, outside any mounted router (a 404 for an unknown path). */
export const UNMATCHED_ROUTE = 'unmatched';
/** The status label of a request whose client went away before it was answered (nginx's convention). */
export const CLIENT_CLOSED_STATUS = '499';

/**
 * Remembers, as express routes the request, the pattern of the last route it matched, with the
 * mount path of the router the route sits in (read at the moment the route matches: by the time the
 * response is sent from an error handler, the router has already restored `baseUrl`). A request no
 * route took is labelled with the deepest router it entered (`/v1/*`, e.g. a 401 from the API key
 * check) or `unmatched`. Mount paths are literal (`/v1`, `/codec`): a parameter in one would leak raw
 * values into the label.
 */
function trackRoute(req: Request): () => string {
  let route: unknown = req.route;
  let baseUrl: string = req.baseUrl ?? '';
  let pattern: string | undefined;
  let deepestMount = '';
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: unknown) {
      route = value;
      const path = (value as { path?: unknown } | undefined)?.path;
      if (typeof path === 'string') pattern = `${baseUrl}${path}`;
    },
  });
  Object.defineProperty(req, 'baseUrl', {
    configurable: true,
    enumerable: true,
    get: () => baseUrl,
    set(value: string) {
      baseUrl = value;
      if (typeof value === 'string' && value.length > deepestMount.length) deepestMount = value;
    },
  });
  return () => pattern ?? (deepestMount ? `${deepestMount}/*` : UNMATCHED_ROUTE);
}

export function createApiMetrics(options: ApiMetricsOptions = {}): ApiMetrics {
  const registry = options.registry ?? new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to the end of its response, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  const created = new Counter({
    name: 'payments_created_total',
    help: 'Create-payment requests by flow (link, pis) and outcome (created, replayed, refused, conflict)',
    labelNames: ['flow', 'outcome'] as const,
    registers: [registry],
  });
  const callbacks = new Counter({
    name: 'webhook_callbacks_total',
    help: "Ping's status callbacks by kind (link, pis), outcome (accepted, rejected, error) and reason (the error code; empty when accepted)",
    labelNames: ['kind', 'outcome', 'reason'] as const,
    registers: [registry],
  });

  const httpMiddleware: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    const routeOf = trackRoute(req);
    let recorded = false;
    const record = (status: string) => {
      if (recorded) return;
      recorded = true;
      const labels = { method: METHODS.has(req.method) ? req.method : 'OTHER', route: routeOf(), status };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    };
    res.once('finish', () => record(String(res.statusCode)));
    res.once('close', () => record(res.writableFinished ? String(res.statusCode) : CLIENT_CLOSED_STATUS));
    next();
  };

  return {
    registry,
    httpMiddleware,
    paymentCreated(flow, outcome) {
      created.inc({ flow, outcome });
    },
    webhookCallback(kind, status, errorCode) {
      if (status < 300) callbacks.inc({ kind, outcome: 'accepted', reason: '' });
      else callbacks.inc({ kind, outcome: status >= 500 ? 'error' : 'rejected', reason: errorCode ?? `http_${status}` });
    },
  };
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (`::ffff:127.0.0.1`), which is how a dual-stack socket reports them. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

/** A local reverse proxy makes every caller look like loopback; the headers it adds say otherwise. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

/**
 * A caller on this machine, talking to us directly: its socket is loopback and the request carries no
 * proxy's forwarding header. Deliberately not `req.ip`, which honours `trust proxy` and the
 * client-supplied `X-Forwarded-For`.
 */
export function isDirectLocalRequest(req: Request): boolean {
  return isLoopbackAddress(req.socket.remoteAddress) && !FORWARDING_HEADERS.some((h) => req.headers[h] !== undefined);
}

/**
 * `GET /metrics` in Prometheus' text format. Without an API key only for a caller on this machine (a
 * Prometheus agent or sidecar next to the API), unless `public` (METRICS_PUBLIC, for a private network
 * where the scraper cannot send a key); anyone else needs `Authorization: Bearer <API key>`, which
 * Prometheus sends with `authorization: {credentials: ...}` in its scrape config.
 */
export function metricsEndpoint(metrics: ApiMetrics, options: { apiKeys: readonly string[]; public?: boolean }): RequestHandler {
  const requireKey = requireApiKey(options.apiKeys);
  return (req, res, next) => {
    const serve = () => {
      metrics.registry.metrics().then((text) => {
        res.set('Content-Type', metrics.registry.contentType).send(text);
      }, next);
    };
    if (options.public || isDirectLocalRequest(req)) return serve();
    requireKey(req, res, (err?: unknown) => (err ? next(err) : serve()));
  };
}
