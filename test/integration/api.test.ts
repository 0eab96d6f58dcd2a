import { Writable } from 'node:stream';
import pino from 'pino';
import { startApi, type RunningApi } from '../helpers/api';
import { freePort } from '../helpers/ports';

const API_KEY = 'sk_test_0123456789abcdef';

/** Collects pino's JSON lines in memory, to check what the API logs. */
function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('API process basics over HTTP', () => {
  let api: RunningApi;
  let log: ReturnType<typeof memoryLogger>;

  beforeAll(async () => {
    log = memoryLogger();
    api = await startApi({ apiKeys: [API_KEY, 'sk_test_second_key_000000'], logger: log.logger });
  });
  afterAll(() => api?.stop());

  it('answers /healthz and /readyz against a live Temporal server', async () => {
    const health = await fetch(`${api.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { temporal: 'ok' } });
  });

  it('gives every response a request id, keeping a safe one the caller sent', async () => {
    const generated = await fetch(`${api.url}/healthz`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const kept = await fetch(`${api.url}/healthz`, { headers: { 'X-Request-Id': 'caller-trace-42' } });
    expect(kept.headers.get('x-request-id')).toBe('caller-trace-42');

    const unsafe = await fetch(`${api.url}/healthz`, { headers: { 'X-Request-Id': 'bad id with spaces' } });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses /v1 without a valid API key, in the one error shape', async () => {
    const missing = await fetch(`${api.url}/v1/payments`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const body = (await missing.json()) as { error: Record<string, string> };
    expect(body.error).toEqual({
      type: 'authentication_error',
      code: 'missing_api_key',
      message: expect.stringContaining('Bearer'),
      request_id: missing.headers.get('x-request-id'),
    });

    const wrong = await fetch(`${api.url}/v1/payments`, { headers: { Authorization: `Bearer ${API_KEY}x` } });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
  });

  it('accepts any configured key and answers unknown routes with a JSON 404', async () => {
    for (const key of [API_KEY, 'sk_test_second_key_000000']) {
      const res = await fetch(`${api.url}/v1/no-such-thing`, { headers: { Authorization: `Bearer ${key}` } });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { type: string; code: string } }).error).toMatchObject({
        type: 'invalid_request_error',
        code: 'route_not_found',
      });
    }
    const outside = await fetch(`${api.url}/nope`);
    expect(outside.status).toBe(404);
    expect(outside.headers.get('content-type')).toMatch(/application\/json/);
  });

  it('rejects malformed and oversized JSON bodies with 4xx, never a stack trace', async () => {
    const headers = { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' };
    const broken = await fetch(`${api.url}/v1/payments`, { method: 'POST', headers, body: '{"currency": "SEK",' });
    expect(broken.status).toBe(400);
    const brokenBody = await broken.text();
    expect(JSON.parse(brokenBody)).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_json' } });
    expect(brokenBody).not.toMatch(/at .*\.js:\d+/);

    const huge = await fetch(`${api.url}/v1/payments`, { method: 'POST', headers, body: JSON.stringify({ pad: 'x'.repeat(200_000) }) });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe('body_too_large');
  });

  it('logs each request once, with its request id and without the API key', async () => {
    const before = log.lines.length;
    const res = await fetch(`${api.url}/v1/x`, { headers: { Authorization: `Bearer ${API_KEY}`, 'X-Request-Id': 'log-check-1' } });
    await res.text();
    // pino-http logs when the response finishes, which may be just after the client has read it.
    for (let i = 0; i < 20 && !log.lines.slice(before).some((l) => (l.req as { id?: string } | undefined)?.id === 'log-check-1'); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const mine = log.lines.slice(before).filter((l) => (l.req as { id?: string } | undefined)?.id === 'log-check-1');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ req: { method: 'GET', url: '/v1/x' }, res: { statusCode: 404 } });
    expect(JSON.stringify(log.lines)).not.toContain(API_KEY);
  });
});

describe('readiness without Temporal', () => {
  it('says 503 not_ready while Temporal is unreachable, but stays healthy', async () => {
    const api = await startApi({ temporalAddress: `127.0.0.1:${await freePort()}` });
    try {
      const ready = await fetch(`${api.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'not_ready', checks: { temporal: expect.stringMatching(/^unavailable/) } });
      expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    } finally {
      await api.stop();
    }
  });
});
