import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { ApiError, errorHandler } from '../../api/errors';
import { createRateLimits, RATE_LIMITS_OFF, type RateLimitOptions } from '../../api/rateLimits';
import { errorSchema } from '../../api/schemas/responses';
import { loadConfig } from '../../common/config/processConfig';
import { createLogger } from '../../common/logger';
import { startApi, type RunningApi } from '../helpers/api';

/**
 * Issue 15, rate limits (api/rateLimits.ts, docs/http-api.md#rate-limits): the per-key limit and the
 * bad-key flood limit per client address, over real HTTP against the real app. Every request goes to
 * a path under /v1 that no route has, so it passes the key check and the limits and ends in a 404
 * without waking Temporal.
 */

const PROBE = '/v1/rate-limit-probe';
const KEYS = ['sk_rate_a_0123456789abcdef', 'sk_rate_b_0123456789abcdef', 'sk_rate_c_0123456789abcdef', 'sk_rate_d_0123456789abcdef'];
const WRONG_KEY = 'sk_rate_wrong_0123456789abcdef';
const SMALL: RateLimitOptions = { perSecond: 5, burst: 10, authFailuresPerMinute: 3 };

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { error?: { type: string; code: string; message: string } };
}

/**
 * One GET, with `key` as a bearer token (null: no Authorization header) and from a local address of
 * our choice: any 127.x.y.z is this host, so a second client address needs no second machine.
 */
function get(baseUrl: string, path: string, key: string | null, from = '127.0.0.1'): Promise<Answer> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: url.hostname, port: url.port, path: url.pathname, localAddress: from, headers: key === null ? {} : { authorization: `Bearer ${key}` } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? (JSON.parse(text) as Answer['body']) : {} }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

const int = (value: string | string[] | undefined) => Number(value);

/** A 429 in the one error shape, with a whole-seconds Retry-After within `maxSeconds`. */
function expectLimited(answer: Answer, code: string, maxSeconds: number): number {
  expect([answer.status, answer.body.error?.type, answer.body.error?.code]).toEqual([429, 'rate_limit_error', code]);
  expect(errorSchema.safeParse(answer.body).success).toBe(true);
  expect(answer.headers['retry-after']).toMatch(/^\d+$/);
  const retryAfter = int(answer.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
  return retryAfter;
}

describe('rate limits', () => {
  describe('per API key (5 a second, 10 at once)', () => {
    let api: RunningApi;
    beforeAll(async () => {
      api = await startApi({ apiKeys: KEYS, rateLimits: SMALL });
    });
    afterAll(() => api?.stop());

    it('lets the burst through, then answers 429 with Retry-After, and lets the key in again after it', async () => {
      const [key] = KEYS;
      const first = await get(api.url, PROBE, key!);
      expect(first.status).toBe(404);
      expect([first.headers['ratelimit-limit'], first.headers['ratelimit-remaining'], first.headers['ratelimit-reset']]).toEqual(['10', '9', '1']);

      // The rest of the burst at once: the per-second window's 4, then the reserve's 5.
      const rest = await Promise.all(Array.from({ length: 9 }, () => get(api.url, PROBE, key!)));
      expect(rest.map((a) => a.status)).toEqual(Array(9).fill(404));
      expect(rest.map((a) => int(a.headers['ratelimit-remaining'])).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);

      const over = await get(api.url, PROBE, key!);
      const retryAfter = expectLimited(over, 'rate_limited', 1);
      expect([over.headers['ratelimit-limit'], over.headers['ratelimit-remaining']]).toEqual(['10', '0']);
      expect(over.body.error!.message).toContain('retry in 1 s');

      // After Retry-After the next one-second window is open, but the reserve is still spent (it comes
      // back 10 × 5 ÷ 5 = 10 s later): the sustained 5 a second pass, the sixth does not.
      await sleep(retryAfter * 1000);
      const again = await Promise.all(Array.from({ length: 5 }, () => get(api.url, PROBE, key!)));
      expect(again.map((a) => a.status)).toEqual(Array(5).fill(404));
      expectLimited(await get(api.url, PROBE, key!), 'rate_limited', 1);
    });

    it('limits each key on its own', async () => {
      const [, , spent, fresh] = KEYS;
      const burst = await Promise.all(Array.from({ length: 10 }, () => get(api.url, PROBE, spent!)));
      expect(burst.map((a) => a.status)).toEqual(Array(10).fill(404));
      expectLimited(await get(api.url, PROBE, spent!), 'rate_limited', 1);

      const other = await get(api.url, PROBE, fresh!);
      expect([other.status, other.headers['ratelimit-remaining']]).toEqual([404, '9']);
    });

    it('leaves the routes outside /v1 alone, and puts no per-key headers on a 401', async () => {
      const health = await Promise.all(Array.from({ length: 20 }, () => get(api.url, '/healthz', null)));
      expect(health.map((a) => a.status)).toEqual(Array(20).fill(200));
      expect(health[0]!.headers['ratelimit-limit']).toBeUndefined();

      const refused = await get(api.url, PROBE, WRONG_KEY);
      expect(refused.status).toBe(401);
      expect(refused.headers['ratelimit-limit']).toBeUndefined();
    });
  });

  describe('failed key checks per client address (3 a minute)', () => {
    let api: RunningApi;
    beforeAll(async () => {
      api = await startApi({ apiKeys: KEYS, rateLimits: SMALL });
    });
    afterAll(() => api?.stop());

    it('answers 429 before the key check once an address is over, except for a key that has already worked', async () => {
      const [known, neverUsed] = KEYS;
      expect((await get(api.url, PROBE, known!)).status).toBe(404);

      // Three failed key checks from 127.0.0.1 are answered as usual.
      for (const key of [WRONG_KEY, null, `${known!}x`]) {
        const refused = await get(api.url, PROBE, key);
        expect([refused.status, refused.body.error?.type]).toEqual([401, 'authentication_error']);
      }

      // Then a wrong key or none gets 429. No WWW-Authenticate: the key check did not run.
      for (const key of [WRONG_KEY, null]) {
        const blocked = await get(api.url, PROBE, key);
        expectLimited(blocked, 'too_many_auth_failures', 60);
        expect(blocked.headers['www-authenticate']).toBeUndefined();
        expect(blocked.headers['ratelimit-limit']).toBeUndefined();
      }

      // The key that worked before still works from the same address, with its own per-key limit...
      const served = await get(api.url, PROBE, known!);
      expect([served.status, served.headers['ratelimit-limit']]).toEqual([404, '10']);
      // ...but a valid key this process has not accepted yet counts as unknown until the minute is over.
      expectLimited(await get(api.url, PROBE, neverUsed!), 'too_many_auth_failures', 60);
    });

    it('counts per address: another address still has its key checks', async () => {
      const other = '127.0.0.2';
      const refused = await get(api.url, PROBE, WRONG_KEY, other);
      expect([refused.status, refused.body.error?.code]).toEqual([401, 'invalid_api_key']);
      const [, , , fresh] = KEYS;
      expect((await get(api.url, PROBE, fresh!, other)).status).toBe(404);
    });
  });

  describe('the key id the auth middleware sets', () => {
    it('limits by res.locals.principal.keyId when the auth middleware sets one', async () => {
      // A stand-in for an auth middleware that knows several keys of one merchant (docs/http-api.md#rate-limits).
      const merchantOf: Record<string, string> = { 'sk_m1_first_0123456789': 'merchant_1', 'sk_m1_second_0123456789': 'merchant_1', 'sk_m2_only_0123456789': 'merchant_2' };
      const limits = createRateLimits({ perSecond: 2, burst: 2, authFailuresPerMinute: 3 });
      const app = express();
      app.use(limits.beforeAuth);
      app.use((req, res, next) => {
        const keyId = merchantOf[(req.get('authorization') ?? '').replace(/^Bearer /, '')];
        if (!keyId) return next(new ApiError(401, 'authentication_error', 'invalid_api_key', 'The API key is not valid'));
        res.locals.principal = { keyId };
        next();
      });
      app.use(limits.afterAuth);
      app.get(PROBE, (_req, res) => {
        res.json({ ok: true });
      });
      app.use(errorHandler(createLogger({ name: 'test-rate-limits', level: 'silent', format: 'json' })));
      const server = http.createServer(app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        // Two keys of one merchant share its limit; the other merchant has its own.
        const shared = await Promise.all(['sk_m1_first_0123456789', 'sk_m1_second_0123456789'].map((key) => get(url, PROBE, key)));
        expect(shared.map((a) => a.status)).toEqual([200, 200]);
        expectLimited(await get(url, PROBE, 'sk_m1_first_0123456789'), 'rate_limited', 1);
        expect((await get(url, PROBE, 'sk_m2_only_0123456789')).status).toBe(200);
        // The hook sees a 401 passed to next() by any auth middleware, not only api/auth.ts.
        for (let i = 0; i < 3; i++) expect((await get(url, PROBE, WRONG_KEY)).status).toBe(401);
        expectLimited(await get(url, PROBE, WRONG_KEY), 'too_many_auth_failures', 60);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe.each([
    ['turned off (RATE_LIMITS_OFF)', RATE_LIMITS_OFF],
    // As the bench's environment gives them: the burst keeps its default while the rate is off.
    ['turned off by the environment (0)', loadConfig({ RATE_LIMIT_PER_SECOND: '0', AUTH_FAILURE_LIMIT_PER_MINUTE: '0' }).rateLimits],
    ['not given', undefined],
  ])('limits %s', (_name, rateLimits) => {
    let api: RunningApi;
    beforeAll(async () => {
      api = await startApi({ apiKeys: KEYS, rateLimits });
    });
    afterAll(() => api?.stop());

    it('never answers 429 and sends no RateLimit headers', async () => {
      const [key] = KEYS;
      const many = await Promise.all(Array.from({ length: 60 }, () => get(api.url, PROBE, key!)));
      expect(many.map((a) => a.status)).toEqual(Array(60).fill(404));
      expect(many[0]!.headers['ratelimit-limit']).toBeUndefined();
      const refused = await Promise.all(Array.from({ length: 10 }, () => get(api.url, PROBE, WRONG_KEY)));
      expect(refused.map((a) => a.status)).toEqual(Array(10).fill(401));
    });
  });
});
