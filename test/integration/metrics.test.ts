import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Readable } from 'node:stream';
import { createApiMetrics, isLoopbackAddress, type ApiMetrics } from '../../api/metrics';
import { loadConfig } from '../../common/config/processConfig';
import { webhookToken } from '../../common/webhookToken';
import { createPingClient } from '../../ping';
import { spawnService, type Service } from '../../scripts/childProcess';
import { createWorkerMetrics, MAX_ERROR_CODES, serveMetrics } from '../../worker/metrics';
import type { PaymentResource } from '../../domain/payment';
import { harnessEnv } from '../harnessEnv';
import { startApi, TEST_API_KEY, TEST_WEBHOOK_SECRET, type RunningApi } from '../helpers/api';
import { TEST_ENCRYPTION_KEYS } from '../helpers/encryption';
import { startInbox, type RunningInbox } from '../helpers/inbox';
import { linkRequest, NOTIFICATION_SECRET } from '../helpers/paymentsStack';
import { freePort } from '../helpers/ports';
import { startSandbox, waitFor, type RunningSandbox } from '../helpers/sandbox';

jest.setTimeout(180_000);

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus' text format, as much of it as these tests read. */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) throw new Error(`unreadable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of every series of `name` whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<{ status: number; contentType: string | null; text: string }> {
  const res = await fetch(url, { headers });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

/** waitFor at a pace that leaves the two cores to the code under test. */
const poll = <T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> => waitFor(probe, timeoutMs, what, 200);

/** The lines a child process writes, for waiting on a log message. */
function collectLines(stream: Readable | null): string[] {
  const lines: string[] = [];
  let rest = '';
  stream?.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString('utf8')).split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts);
  });
  return lines;
}

describe('metrics: a paid payment link through the API and a worker process', () => {
  const taskQueue = `metrics-${Math.random().toString(36).slice(2, 10)}`;
  let sandbox: RunningSandbox;
  let inbox: RunningInbox;
  let api: RunningApi;
  let apiMetrics: ApiMetrics;
  let worker: Service | undefined;
  let workerEnv: NodeJS.ProcessEnv;
  let workerMetricsUrl: string;
  let temporalMetricsUrl: string;

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TEST_API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    const { temporalAddress, namespace } = harnessEnv();
    sandbox = await startSandbox();
    inbox = await startInbox();
    apiMetrics = createApiMetrics();
    api = await startApi({ taskQueue, timing: { pollInitialMs: 500, pollMaxMs: 2000 }, metrics: apiMetrics });
    const [workerPort, temporalPort] = [await freePort(), await freePort()];
    workerMetricsUrl = `http://127.0.0.1:${workerPort}/metrics`;
    temporalMetricsUrl = `http://127.0.0.1:${temporalPort}/metrics`;
    // The real entry point (worker/main.ts), so the ports are read from the environment as in production.
    workerEnv = {
      ...process.env,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      PING_PAYMENTS_API_URL: sandbox.paymentsApiUrl,
      PING_PAYMENT_LINKS_API_URL: sandbox.paymentLinksApiUrl,
      PING_TENANT_ID: sandbox.tenantId,
      PUBLIC_BASE_URL: api.url,
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      NOTIFICATION_SIGNING_SECRET: NOTIFICATION_SECRET,
      PAYLOAD_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      SMTP_URL: inbox.smtpUrl,
      PAYMENT_POLL_INITIAL_MS: '500',
      PAYMENT_POLL_MAX_MS: '2000',
      WORKER_SHUTDOWN_GRACE_MS: '1000',
      METRICS_HOST: '127.0.0.1',
      WORKER_METRICS_PORT: String(workerPort),
      TEMPORAL_METRICS_PORT: String(temporalPort),
    };
    worker = spawnService('worker', workerEnv, { stdio: ['ignore', 'ignore', 'inherit'] });
    const exited = worker.exited.then((code) => {
      throw new Error(`the worker exited (${code}) before its metrics endpoints answered`);
    });
    const up = async (url: string) => (await fetch(url).catch(() => undefined))?.status === 200;
    await Promise.race([poll(async () => (await up(workerMetricsUrl)) && (await up(temporalMetricsUrl)), 90_000, 'the worker metrics endpoints'), exited]);
  });

  afterAll(async () => {
    await worker?.stop(10_000);
    await api?.stop();
    await inbox?.stop();
    await sandbox?.stop();
  });

  it('moves the API, Ping-call and Temporal counters, with route patterns for labels', async () => {
    const before = parseMetrics((await scrape(`${api.url}/metrics`)).text);
    const key = randomUUID();
    const body = linkRequest();
    const created = await call('POST', '/v1/payment-links', body, { 'Idempotency-Key': key });
    expect(created.status).toBe(201);
    const replayed = await call('POST', '/v1/payment-links', body, { 'Idempotency-Key': key });
    expect(replayed.status).toBe(200);
    const id = created.body.id as string;
    const linkId = created.body.ping_payment_link_id as string;

    expect((await sandbox.request('POST', `/_sandbox/payment-links/${linkId}/pay`, { body: {} })).status).toBeLessThan(300);
    await poll(
      async () => {
        const res = await call('GET', `/v1/payments/${id}`);
        return (res.body as PaymentResource).status === 'completed';
      },
      60_000,
      'the payment to complete',
    );

    // Two refused callbacks, for two reasons.
    const hook = `/webhooks/ping/payment-links/${id}`;
    const badToken = await fetch(`${api.url}${hook}?token=forged`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(badToken.status).toBe(401);
    const token = webhookToken(TEST_WEBHOOK_SECRET, id);
    const notJson = await fetch(`${api.url}${hook}?token=${token}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'PAID' });
    expect(notJson.status).toBe(415);

    // --- the API, scraped from loopback without a key (as a Prometheus agent beside it would)
    const scraped = await scrape(`${api.url}/metrics`);
    expect(scraped.status).toBe(200);
    expect(scraped.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const after = parseMetrics(scraped.text);
    const moved = (name: string, labels: Record<string, string>) => total(after, name, labels) - total(before, name, labels);

    expect(moved('http_requests_total', { method: 'POST', route: '/v1/payment-links', status: '201' })).toBe(1);
    expect(moved('http_requests_total', { method: 'POST', route: '/v1/payment-links', status: '200' })).toBe(1);
    expect(moved('http_request_duration_seconds_count', { method: 'POST', route: '/v1/payment-links', status: '201' })).toBe(1);
    expect(moved('http_requests_total', { method: 'GET', route: '/v1/payments/:id', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(moved('http_requests_total', { method: 'POST', route: '/webhooks/ping/payment-links/:id', status: '204' })).toBeGreaterThanOrEqual(1);
    expect(moved('http_requests_total', { method: 'POST', route: '/webhooks/ping/payment-links/:id', status: '401' })).toBe(1);
    // Never a raw id or URL in a label: one series per payment would be an outage in waiting.
    expect(scraped.text).not.toContain(key);
    expect(scraped.text).not.toContain(linkId);
    const routes = new Set(after.filter((s) => s.name === 'http_requests_total').map((s) => s.labels.route));
    for (const route of routes) expect(route).toMatch(/^(unmatched|\/[\w/:*-]*)$/);

    expect(moved('payments_created_total', { flow: 'link', outcome: 'created' })).toBe(1);
    expect(moved('payments_created_total', { flow: 'link', outcome: 'replayed' })).toBe(1);
    expect(moved('webhook_callbacks_total', { kind: 'link', outcome: 'accepted' })).toBeGreaterThanOrEqual(1);
    expect(moved('webhook_callbacks_total', { kind: 'link', outcome: 'rejected', reason: 'invalid_webhook_token' })).toBe(1);
    expect(moved('webhook_callbacks_total', { kind: 'link', outcome: 'rejected', reason: 'unsupported_media_type' })).toBe(1);
    // The Node process metrics are there too.
    expect(total(after, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(after.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);

    // --- the worker's own endpoint: every Ping call the payment made, by endpoint and status
    const workerScrape = await scrape(workerMetricsUrl);
    expect(workerScrape.status).toBe(200);
    const w = parseMetrics(workerScrape.text);
    const endpoints = ['createPaymentOrder', 'createPaymentLink', 'getPaymentLink', 'getPaymentLinkReceipt'];
    const called = Object.fromEntries(endpoints.map((endpoint) => [endpoint, total(w, 'ping_request_duration_seconds_count', { endpoint, status: '200' }) >= 1]));
    expect(called).toEqual(Object.fromEntries(endpoints.map((endpoint) => [endpoint, true])));
    expect(total(w, 'ping_request_duration_seconds_sum', { endpoint: 'createPaymentLink' })).toBeGreaterThan(0);
    expect(workerScrape.text).not.toContain(linkId);
    expect(total(w, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    // --- the Temporal SDK's exporter of the same worker process
    // The SDK counts the close when the server has it, which can be a moment after the API says
    // `completed`: wait for it rather than race it.
    const closed = (text: string) => total(parseMetrics(text), 'temporal_workflow_completed_total', { task_queue: taskQueue, workflow_type: 'paymentLink' }) === 1;
    const temporal = await waitFor(
      async () => {
        const scraped = await scrape(temporalMetricsUrl);
        return closed(scraped.text) && scraped;
      },
      5000,
      'the SDK to count the close',
      100,
    );
    expect(temporal.status).toBe(200);
    const t = parseMetrics(temporal.text);
    const names = new Set(t.map((s) => s.name));
    expect(total(t, 'temporal_workflow_task_schedule_to_start_latency_seconds_count', { task_queue: taskQueue })).toBeGreaterThanOrEqual(1);
    expect(total(t, 'temporal_workflow_task_execution_latency_seconds_count', { task_queue: taskQueue })).toBeGreaterThanOrEqual(1);
    // The creates and checks run as local activities inside workflow tasks (workflows/paymentCore.ts).
    expect(total(t, 'temporal_local_activity_execution_latency_seconds_count', { task_queue: taskQueue, activity_type: 'createPaymentLink' })).toBe(1);
    expect(total(t, 'temporal_local_activity_execution_latency_seconds_count', { task_queue: taskQueue, activity_type: 'getPaymentLink' })).toBeGreaterThanOrEqual(1);
    expect(total(t, 'temporal_workflow_completed_total', { task_queue: taskQueue, workflow_type: 'paymentLink' })).toBe(1);
    expect(names).toContain('temporal_sticky_cache_size');
    expect([...names].some((n) => n.startsWith('temporal_sticky_cache_hit'))).toBe(true);
    expect(names).toContain('temporal_worker_task_slots_available');
  });

  it('a second worker on the same metrics ports still works, without them', async () => {
    // What happens when two workers share a host and its default ports: the metrics are lost, loudly, the payments are not.
    const second = spawnService('worker', { ...workerEnv, TEMPORAL_TASK_QUEUE: `${taskQueue}-2` }, { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = collectLines(second.child.stdout);
    try {
      const parse = (line: string): { msg?: string; level?: number } => {
        try {
          return JSON.parse(line) as { msg?: string; level?: number };
        } catch {
          return {};
        }
      };
      const find = (message: string) => lines.map(parse).find((l) => l.msg === message);
      await poll(async () => find('worker starting to poll'), 90_000, 'the second worker to start polling');
      expect(find('worker metrics not served')).toMatchObject({ level: 40 });
      expect(find('Temporal metrics exporter not started; the worker runs without it')).toMatchObject({ level: 40 });
      expect(second.child.exitCode).toBeNull();
    } finally {
      await second.stop(10_000);
    }
  });
});

describe('metrics: Ping call errors', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox?.stop());

  it('counts failed calls by endpoint, code and retryable; a call with no answer has its cause as status', async () => {
    const metrics = createWorkerMetrics({ defaultMetrics: false });
    const ping = createPingClient({ paymentsApiUrl: sandbox.paymentsApiUrl, paymentLinksApiUrl: sandbox.paymentLinksApiUrl, tenantId: sandbox.tenantId, observer: metrics.pingObserver });
    const closedPort = await freePort();
    const unreachable = createPingClient({ paymentsApiUrl: `http://127.0.0.1:${closedPort}/payments/`, paymentLinksApiUrl: `http://127.0.0.1:${closedPort}/payment_links/`, tenantId: sandbox.tenantId, observer: metrics.pingObserver });
    try {
      await expect(ping.getPaymentLink(randomUUID())).rejects.toMatchObject({ status: 404, retryable: false });
      await expect(unreachable.getPaymentOrder(randomUUID())).rejects.toMatchObject({ code: 'connection_error', retryable: true });
      // Refused before sending: no HTTP call, nothing observed.
      await expect(ping.getPaymentLink('not-a-guid')).rejects.toMatchObject({ code: 'invalid_request' });
      expect(await ping.pingPaymentLinks()).toBe('pong');
    } finally {
      await ping.close();
      await unreachable.close();
    }
    const samples = parseMetrics(await metrics.registry.metrics());
    const notFound = samples.find((s) => s.name === 'ping_request_errors_total' && s.labels.endpoint === 'getPaymentLink');
    expect(notFound).toMatchObject({ labels: { retryable: 'false' }, value: 1 });
    expect(notFound!.labels.code).toMatch(/^[\w.-]+$/);
    expect(total(samples, 'ping_request_duration_seconds_count', { endpoint: 'getPaymentLink', status: '404' })).toBe(1);
    expect(total(samples, 'ping_request_errors_total', { endpoint: 'getPaymentOrder', code: 'connection_error', retryable: 'true' })).toBe(1);
    expect(total(samples, 'ping_request_duration_seconds_count', { endpoint: 'getPaymentOrder', status: 'connection_error' })).toBe(1);
    expect(total(samples, 'ping_request_duration_seconds_count', { endpoint: 'pingPaymentLinks', status: '200' })).toBe(1);
    expect(total(samples, 'ping_request_duration_seconds_count')).toBe(3);
    expect(total(samples, 'ping_request_errors_total')).toBe(2);
  });

  it('keeps error codes (which come from response bodies) to a bounded set of labels', async () => {
    const metrics = createWorkerMetrics({ defaultMetrics: false });
    for (let i = 0; i < MAX_ERROR_CODES + 20; i++) {
      metrics.pingObserver({ endpoint: 'getPayment', method: 'GET', status: 400, durationMs: 5, error: { code: `code_${i}`, retryable: false } });
    }
    metrics.pingObserver({ endpoint: 'getPayment', method: 'GET', status: 400, durationMs: 5, error: { code: 'has "quotes" and\nnewlines', retryable: false } });
    const samples = parseMetrics(await metrics.registry.metrics()).filter((s) => s.name === 'ping_request_errors_total');
    expect(new Set(samples.map((s) => s.labels.code)).size).toBe(MAX_ERROR_CODES + 1);
    expect(total(samples, 'ping_request_errors_total', { code: 'other' })).toBe(21);
  });

  it('serves a registry at /metrics on its own port, and refuses a port already taken', async () => {
    const metrics = createWorkerMetrics();
    const server = await serveMetrics(metrics.registry, { host: '127.0.0.1', port: 0 });
    try {
      const res = await scrape(server.url);
      expect(res.status).toBe(200);
      expect(res.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(res.text).toContain('# TYPE ping_request_duration_seconds histogram');
      expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
      await expect(serveMetrics(metrics.registry, { host: '127.0.0.1', port: server.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await server.close();
    }
  });
});

describe('metrics: who may read GET /metrics', () => {
  const apis: RunningApi[] = [];
  afterAll(() => Promise.all(apis.map((a) => a.stop())));
  const start = async (options: Parameters<typeof startApi>[0]) => {
    const api = await startApi(options);
    apis.push(api);
    return api;
  };

  it('answers a direct loopback caller without a key, anyone else only with an API key', async () => {
    const api = await start({ metrics: createApiMetrics({ defaultMetrics: false }) });
    expect((await scrape(`${api.url}/metrics`)).status).toBe(200);
    // A local reverse proxy makes every caller look like loopback; its forwarding header gives it away.
    const proxied = await scrape(`${api.url}/metrics`, { 'x-forwarded-for': '203.0.113.7' });
    expect(proxied.status).toBe(401);
    expect(JSON.parse(proxied.text)).toMatchObject({ error: { code: 'missing_api_key' } });
    expect((await scrape(`${api.url}/metrics`, { forwarded: 'for=203.0.113.7' })).status).toBe(401);
    const wrongKey = await scrape(`${api.url}/metrics`, { 'x-forwarded-for': '203.0.113.7', authorization: 'Bearer not-the-key-0123456789' });
    expect(JSON.parse(wrongKey.text)).toMatchObject({ error: { code: 'invalid_api_key' } });
    const withKey = await scrape(`${api.url}/metrics`, { 'x-forwarded-for': '203.0.113.7', authorization: `Bearer ${TEST_API_KEY}` });
    expect(withKey.status).toBe(200);
    expect(withKey.text).toContain('# TYPE http_requests_total counter');
    expect((await fetch(`${api.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  (external ? it : it.skip)('asks a caller from another machine (a non-loopback address) for an API key', async () => {
    const api = await start({ metrics: createApiMetrics({ defaultMetrics: false }), host: '0.0.0.0' });
    const url = `http://${external}:${new URL(api.url).port}/metrics`;
    expect((await scrape(url)).status).toBe(401);
    expect((await scrape(url, { authorization: `Bearer ${TEST_API_KEY}` })).status).toBe(200);
    const pub = await start({ metrics: createApiMetrics({ defaultMetrics: false }), metricsPublic: true, host: '0.0.0.0' });
    expect((await scrape(`http://${external}:${new URL(pub.url).port}/metrics`)).status).toBe(200);
  });

  it('with METRICS_PUBLIC answers anyone; without metrics there is no /metrics at all', async () => {
    const pub = await start({ metrics: createApiMetrics({ defaultMetrics: false }), metricsPublic: true });
    expect((await scrape(`${pub.url}/metrics`, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
    const none = await start({});
    expect((await scrape(`${none.url}/metrics`)).status).toBe(404);
  });

  it('labels requests no route took by the router they reached, never by their URL', async () => {
    const metrics = createApiMetrics({ defaultMetrics: false });
    const api = await start({ metrics });
    const id = `payment-link-${randomUUID()}`;
    expect((await fetch(`${api.url}/v1/payments/${id}`)).status).toBe(401);
    expect((await fetch(`${api.url}/no/such/${id}`)).status).toBe(404);
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const text = await metrics.registry.metrics();
    expect(text).not.toContain(id);
    const samples = parseMetrics(text);
    expect(total(samples, 'http_requests_total', { route: '/v1/*', status: '401' })).toBe(1);
    expect(total(samples, 'http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(total(samples, 'http_requests_total', { route: '/healthz', method: 'GET', status: '200' })).toBe(1);
  });

  it('recognises loopback addresses, IPv4-mapped ones included', () => {
    for (const a of ['127.0.0.1', '127.5.6.7', '::1', '::ffff:127.0.0.1']) expect([a, isLoopbackAddress(a)]).toEqual([a, true]);
    for (const a of ['10.0.0.1', '192.0.2.2', '::ffff:10.0.0.1', 'fe80::1', '', undefined]) expect([a, isLoopbackAddress(a)]).toEqual([a, false]);
  });
});

describe('metrics: configuration', () => {
  it('serves the worker metrics on 9464 and the SDK exporter on 9465 of loopback by default; 0 or empty turns one off', () => {
    expect(loadConfig({}).metrics).toEqual({ host: '127.0.0.1', public: false, workerPort: 9464, temporalPort: 9465 });
    expect(loadConfig({ WORKER_METRICS_PORT: '0', TEMPORAL_METRICS_PORT: '', METRICS_PUBLIC: 'TRUE', METRICS_HOST: '0.0.0.0' }).metrics).toEqual({
      host: '0.0.0.0',
      public: true,
      workerPort: undefined,
      temporalPort: undefined,
    });
    expect(() => loadConfig({ WORKER_METRICS_PORT: 'abc' })).toThrow(/WORKER_METRICS_PORT must be a port number \(1-65535\), or 0 or empty to turn it off \(got "abc"\)/);
    expect(() => loadConfig({ TEMPORAL_METRICS_PORT: '70000' })).toThrow(/TEMPORAL_METRICS_PORT must be a port number/);
    expect(() => loadConfig({ METRICS_PUBLIC: 'maybe' })).toThrow(/METRICS_PUBLIC must be true or false/);
  });
});
