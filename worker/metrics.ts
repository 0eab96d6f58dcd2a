import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { PingCallObserver } from '../ping';

/**
 * The worker's own Prometheus metrics: the calls its activities make to Ping, and the Node process.
 * Served by `serveMetrics` on WORKER_METRICS_PORT. The Temporal SDK's metrics (task latencies, slots,
 * sticky cache) come from the SDK's own exporter on TEMPORAL_METRICS_PORT (worker/runtime.ts): it is
 * Rust code with its own HTTP server, so the two stay separate endpoints rather than one being copied
 * into the other on every scrape.
 */

export interface WorkerMetrics {
  readonly registry: Registry;
  /** For `createPingClient({ observer })`: records every HTTP call to Ping. */
  readonly pingObserver: PingCallObserver;
}

export interface WorkerMetricsOptions {
  /** Defaults to a new registry of its own (never prom-client's global one). */
  registry?: Registry;
  /** Node process metrics (CPU, memory, event loop lag, GC); default true. */
  defaultMetrics?: boolean;
}

/** Seconds; the Ping client gives up after 10 s by default. */
const PING_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Distinct error codes kept as labels; Ping's codes come from its response bodies, so they are capped. */
export const MAX_ERROR_CODES = 50;
const SAFE_LABEL = /^[A-Za-z0-9_.-]{1,64}$/;

export function createWorkerMetrics(options: WorkerMetricsOptions = {}): WorkerMetrics {
  const registry = options.registry ?? new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const duration = new Histogram({
    name: 'ping_request_duration_seconds',
    help: 'HTTP calls to Ping by client endpoint and status (HTTP status, or timeout / connection_error / aborted when no answer came)',
    labelNames: ['endpoint', 'status'] as const,
    buckets: PING_BUCKETS,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'ping_request_errors_total',
    help: "Failed HTTP calls to Ping by client endpoint, error code (Ping's own, or ours: timeout, connection_error, http_error, invalid_response, ...) and retryable",
    labelNames: ['endpoint', 'code', 'retryable'] as const,
    registers: [registry],
  });

  const codes = new Set<string>();
  const codeLabel = (code: string): string => {
    if (!SAFE_LABEL.test(code)) return 'other';
    if (codes.has(code)) return code;
    if (codes.size >= MAX_ERROR_CODES) return 'other';
    codes.add(code);
    return code;
  };

  const pingObserver: PingCallObserver = ({ endpoint, status, durationMs, error }) => {
    // Endpoints are the client's method names; the check only guards against a future caller's mistake.
    const endpointLabel = SAFE_LABEL.test(endpoint) ? endpoint : 'other';
    // Without a response the code is one of the client's own few (timeout, connection_error, aborted).
    const statusLabel = status !== undefined ? String(status) : codeLabel(error?.code ?? 'no_response');
    duration.observe({ endpoint: endpointLabel, status: statusLabel }, durationMs / 1000);
    if (error) errors.inc({ endpoint: endpointLabel, code: codeLabel(error.code), retryable: String(error.retryable) });
  };

  return { registry, pingObserver };
}

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * `GET /metrics` of `registry` on its own port, with no authentication: bind it to an interface only
 * the scraper reaches (METRICS_HOST, loopback by default). Port 0 takes a free one (tests). Rejects if
 * the port cannot be bound.
 */
export async function serveMetrics(registry: Registry, options: { host: string; port: number }): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`Metrics collection failed: ${err instanceof Error ? err.message : String(err)}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/metrics`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
