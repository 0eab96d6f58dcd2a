import { createHash, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { platformKeyId } from '../../api/auth';
import { merchantSigningSecret } from '../../common/merchantSigning';
import { tenantWebhookToken } from '../../common/webhookToken';
import { MERCHANT_KEY_PATTERN } from '../../domain/merchant';
import { openApiDocument } from '../../api/openapi';
import { apiKeyCreatedSchema, apiKeyListSchema, apiKeySchema, merchantCreatedSchema, merchantListSchema, merchantSchema, signingSecretSchema } from '../../api/schemas/merchant';
import { startApi, TEST_API_KEY, TEST_NOTIFICATION_SECRET, TEST_WEBHOOK_SECRET, type RunningApi } from '../helpers/api';
import { startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

/**
 * Merchants on the real stack (docs/merchants.md): created through the API and at the sandbox's Ping,
 * their keys, the key check with its cache on two API processes, On-Behalf-Of, and Ping's tenant
 * callbacks. Both APIs talk to the same Temporal and the same worker.
 */

type Answer = { status: number; body: any; headers: Headers }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Collects pino's JSON lines, to read the audit lines an API process writes. */
function memoryLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const base32Of = (bytes: Buffer) => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = '';
  for (const byte of bytes) bits += byte.toString(2).padStart(8, '0');
  return bits.match(/.{5}/g)!.map((chunk) => alphabet[parseInt(chunk, 2)]).join('');
};

const organization = (number: string) => ({ country: 'SE', se_organization_number: number });
const merchantBody = (overrides: Record<string, unknown> = {}) => ({
  name: 'Bageriet i Byn AB',
  email: 'kontakt@bageriet.example',
  phone_number: '+46701234567',
  organization: organization('5591235378'),
  display_name: 'Bageriet',
  locale: 'sv-SE',
  supplier: { name: 'Bageriet i Byn AB', city: 'Örebro' },
  payment_methods: [{ provider: 'swish', method: 'm_commerce' }],
  ...overrides,
});

describe('merchants', () => {
  let stack: PaymentsStack;
  let second: RunningApi;
  let secondLog: ReturnType<typeof memoryLogger>;

  /** A call to one of the two APIs; the platform key unless `key` says otherwise (`null`: no key). */
  async function call(method: string, path: string, options: { body?: unknown; key?: string | null; headers?: Record<string, string>; api?: RunningApi } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key !== null) headers.authorization = `Bearer ${options.key ?? TEST_API_KEY}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${(options.api ?? stack.api).url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }

  async function createMerchant(overrides: Record<string, unknown> = {}, key: string = randomUUID()): Promise<{ id: string; signingSecret: string }> {
    const created = await call('POST', '/v1/merchants', { body: merchantBody(overrides), headers: { 'Idempotency-Key': key } });
    expect(created.status).toBe(201);
    return { id: created.body.id, signingSecret: created.body.signing_secret };
  }

  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, withinMs = 20_000): Promise<T> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const value = await read();
      if (done(value) || Date.now() > deadline) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function newKey(merchantId: string): Promise<{ id: string; secret: string }> {
    const created = await call('POST', `/v1/merchants/${merchantId}/api-keys`);
    expect(created.status).toBe(201);
    return { id: created.body.id, secret: created.body.secret };
  }

  beforeAll(async () => {
    stack = await startPaymentsStack();
    secondLog = memoryLogger();
    // The second API process: the same Temporal, task queue and secrets, a cache of its own.
    second = await startApi({ taskQueue: stack.worker.taskQueue, logger: secondLog.logger, rateLimits: { perSecond: 100, burst: 100, authFailuresPerMinute: 0 } });
  }, 60_000);
  afterAll(async () => {
    await second?.stop();
    await stack?.stop();
  });

  describe('create', () => {
    it('answers 201 with the signing secret once, 200 without it for the same key and body, 409 for another body', async () => {
      const key = `merchant-${randomUUID()}`;
      const first = await call('POST', '/v1/merchants', { body: merchantBody(), headers: { 'Idempotency-Key': key } });
      expect(first.status).toBe(201);
      const expectedId = `mer_${base32Of(createHash('sha256').update(key).digest()).slice(0, 20)}`;
      expect(first.body).toMatchObject({
        id: expectedId,
        object: 'merchant',
        status: expect.stringMatching(/^(created|pending|approved)$/),
        ping_merchant_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        profile: { name: 'Bageriet i Byn AB', email: 'kontakt@bageriet.example', phone_number: '+46701234567', organization: organization('5591235378') },
        display_name: 'Bageriet',
        notify_url: null,
        locale: 'sv-SE',
        signing_secret_version: 1,
        failure: null,
        signing_secret: merchantSigningSecret(TEST_NOTIFICATION_SECRET, expectedId, 1),
      });
      expect(first.body.signing_secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      expect(first.body.history[0]).toMatchObject({ type: 'merchant.created', actor: `platform:${platformKeyId(TEST_API_KEY)}` });

      const again = await call('POST', '/v1/merchants', { body: merchantBody(), headers: { 'Idempotency-Key': key } });
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(expectedId);
      expect(again.body).not.toHaveProperty('signing_secret');
      // On the other API process too: the merchant is found under its key, not made again.
      const elsewhere = await call('POST', '/v1/merchants', { body: merchantBody(), headers: { 'Idempotency-Key': key }, api: second });
      expect(elsewhere.status).toBe(200);

      const other = await call('POST', '/v1/merchants', { body: merchantBody({ name: 'Another AB' }), headers: { 'Idempotency-Key': key } });
      expect(other.status).toBe(409);
      expect(other.body.error).toMatchObject({ type: 'idempotency_error', code: 'idempotency_key_reused' });
    });

    it('makes a new merchant for each request without an Idempotency-Key, a person as well as an organisation', async () => {
      const person = { person: { country: 'SE', se_personal_identity_number: '199001011234' }, organization: undefined, name: 'Petra Persson' };
      const [one, two] = await Promise.all([call('POST', '/v1/merchants', { body: merchantBody(person) }), call('POST', '/v1/merchants', { body: merchantBody(person) })]);
      expect([one.status, two.status]).toEqual([201, 201]);
      expect(one.body.id).toMatch(/^mer_[a-z2-7]{20}$/);
      expect(one.body.id).not.toBe(two.body.id);
      expect(one.body.profile.person).toEqual(person.person);
    });

    it('reaches approved once the sandbox approves it', async () => {
      const { id } = await createMerchant();
      const read = await until(() => call('GET', `/v1/merchants/${id}`), (r) => r.body.status === 'approved');
      expect(read.status).toBe(200);
      expect(read.body.status).toBe('approved');
      expect(read.body.history.map((e: { type: string }) => e.type)).toContain('merchant.status_changed');
    });

    it('refuses bad bodies with 400 naming the field, and creates nothing', async () => {
      const cases: Array<[Record<string, unknown>, string, string]> = [
        [merchantBody({ organization: undefined }), 'parameter_invalid', 'organization'],
        [merchantBody({ person: { country: 'SE' } }), 'parameter_invalid', 'person'],
        [merchantBody({ organization: organization('12345') }), 'parameter_invalid', 'organization.se_organization_number'],
        [merchantBody({ organization: { country: 'SE' } }), 'parameter_invalid', 'organization'],
        [merchantBody({ organization: { country: 'SE', dk_organization_number: '12345678' } }), 'parameter_invalid', 'organization.country'],
        [merchantBody({ notify_url: 'ftp://example.com/x' }), 'parameter_invalid', 'notify_url'],
        [merchantBody({ phone: '0701234567' }), 'parameter_unknown', 'phone'],
        [merchantBody({ name: '' }), 'parameter_invalid', 'name'],
      ];
      for (const [body, code, param] of cases) {
        const res = await call('POST', '/v1/merchants', { body });
        expect({ param, status: res.status, code: res.body.error.code, at: res.body.error.param }).toEqual({ param, status: 400, code, at: param });
      }
    });
  });

  describe('reading and changing', () => {
    let a: { id: string };
    let b: { id: string };
    let aKey: { id: string; secret: string };

    beforeAll(async () => {
      [a, b] = await Promise.all([createMerchant({ name: 'Merchant A AB' }), createMerchant({ name: 'Merchant B AB', organization: organization('5560360793') })]);
      aKey = await newKey(a.id);
    });

    it('lists merchants newest first, page by page with a MACed cursor', async () => {
      const page = (cursor?: string) => call('GET', `/v1/merchants?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      // Visibility is eventually consistent: wait until every merchant of this stack shows.
      const ids: string[] = [];
      await until(
        async () => {
          ids.length = 0;
          let cursor: string | undefined;
          do {
            const res = await page(cursor);
            expect(res.status).toBe(200);
            expect(res.body.data.length).toBeLessThanOrEqual(2);
            ids.push(...res.body.data.map((m: { id: string }) => m.id));
            cursor = res.body.next_cursor ?? undefined;
            expect(res.body.has_more).toBe(cursor !== undefined);
          } while (cursor);
          return ids;
        },
        (seen) => seen.includes(a.id) && seen.includes(b.id),
      );
      expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
      expect(new Set(ids).size).toBe(ids.length);
      // Newest first: A and B were made after every merchant of the tests above.
      expect(ids.length).toBeGreaterThan(2);
      expect(ids.slice(0, 2).sort()).toEqual([a.id, b.id].sort());
      const forged = await call('GET', `/v1/merchants?limit=2&cursor=${Buffer.from('forged').toString('base64url')}.${'A'.repeat(22)}`);
      expect(forged.status).toBe(400);
      expect(forged.body.error.param).toBe('cursor');
      expect((await call('GET', '/v1/merchants?limit=0')).status).toBe(400);
    });

    it("lets a merchant key read its own merchant, and answers another's exactly as an unknown one", async () => {
      const own = await call('GET', `/v1/merchants/${a.id}`, { key: aKey.secret });
      expect(own.status).toBe(200);
      expect(own.body.id).toBe(a.id);
      const theirs = await call('GET', `/v1/merchants/${b.id}`, { key: aKey.secret });
      const unknown = await call('GET', '/v1/merchants/mer_aaaaaaaaaaaaaaaaaaaa', { key: aKey.secret });
      expect(theirs.status).toBe(404);
      const shape = (e: { error: Record<string, unknown> }) => ({ ...e.error, message: String(e.error.message).replace(/mer_\w+/, '<id>'), request_id: undefined });
      expect(shape(theirs.body)).toEqual(shape(unknown.body));
      expect(theirs.body.error).toMatchObject({ code: 'resource_missing', param: 'id' });
    });

    it('changes our own settings with PATCH, from the platform or the merchant itself, and logs an audit line', async () => {
      const byMerchant = await call('PATCH', `/v1/merchants/${a.id}`, { key: aKey.secret, body: { display_name: 'Bageriet A', notify_url: 'https://a.example/events' }, api: second });
      expect(byMerchant.status).toBe(200);
      expect(byMerchant.body).toMatchObject({ display_name: 'Bageriet A', notify_url: 'https://a.example/events', locale: 'sv-SE' });
      expect(byMerchant.body.history.at(-1)).toMatchObject({ type: 'merchant.updated', actor: `merchant:${aKey.id}` });
      const audit = secondLog.lines.find((l) => l.audit === true && l.action === 'merchant.updated' && l.merchant === a.id);
      expect(audit).toMatchObject({ actor: `merchant:${aKey.id}`, fields: ['display_name', 'notify_url'] });

      const byPlatform = await call('PATCH', `/v1/merchants/${a.id}`, { body: { notify_url: null, locale: 'nb-NO' } });
      expect(byPlatform.status).toBe(200);
      expect(byPlatform.body).toMatchObject({ display_name: 'Bageriet A', notify_url: null, locale: 'nb-NO' });

      // Another merchant's settings are out of reach; the profile is not ours to change; nor are unknown fields.
      expect((await call('PATCH', `/v1/merchants/${b.id}`, { key: aKey.secret, body: { display_name: 'Mine now' } })).status).toBe(404);
      const profile = await call('PATCH', `/v1/merchants/${a.id}`, { body: { name: 'Renamed AB' } });
      expect(profile.status).toBe(400);
      expect(profile.body.error).toMatchObject({ code: 'parameter_unknown', param: 'name' });
      expect((await call('GET', `/v1/merchants/${b.id}`)).body.display_name).toBe('Bageriet');
    });

    it('creates, lists and revokes keys; lists never show a key or its hash', async () => {
      const key = await call('POST', `/v1/merchants/${a.id}/api-keys`, { body: {} });
      expect(key.status).toBe(201);
      expect(key.body).toMatchObject({ id: expect.stringMatching(/^key_[a-z2-7]{16}$/), object: 'api_key', prefix: expect.any(String), created_at: expect.any(String), revoked_at: null });
      expect(key.body.secret).toMatch(MERCHANT_KEY_PATTERN);
      expect(key.body.secret.startsWith(`sk_${a.id.slice(4)}_`)).toBe(true);
      expect(key.body.secret.startsWith(key.body.prefix.replace('…', ''))).toBe(true);

      // Used once: its last use reaches the merchant (at most once a minute per process).
      expect((await call('GET', `/v1/merchants/${a.id}`, { key: key.body.secret })).status).toBe(200);
      const listed = await until(
        () => call('GET', `/v1/merchants/${a.id}/api-keys`),
        (r) => r.body.data.find((k: { id: string }) => k.id === key.body.id)?.last_used_at !== null,
        10_000,
      );
      expect(listed.status).toBe(200);
      const row = listed.body.data.find((k: { id: string }) => k.id === key.body.id);
      expect(Object.keys(row).sort()).toEqual(['created_at', 'id', 'last_used_at', 'object', 'prefix', 'revoked_at']);
      expect(row.last_used_at).not.toBeNull();
      expect(JSON.stringify(listed.body)).not.toContain(key.body.secret);
      expect(JSON.stringify(listed.body)).not.toContain(createHash('sha256').update(key.body.secret).digest('hex'));

      const revoked = await call('DELETE', `/v1/merchants/${a.id}/api-keys/${key.body.id}`);
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ id: key.body.id, revoked_at: expect.any(String) });
      const again = await call('DELETE', `/v1/merchants/${a.id}/api-keys/${key.body.id}`);
      expect(again.status).toBe(200);
      expect(again.body.revoked_at).toBe(revoked.body.revoked_at);
      const unknown = await call('DELETE', `/v1/merchants/${a.id}/api-keys/key_aaaaaaaaaaaaaaaa`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toMatchObject({ code: 'resource_missing', param: 'key_id' });
      // A key of A is no key of B.
      expect((await call('DELETE', `/v1/merchants/${b.id}/api-keys/${aKey.id}`)).status).toBe(404);
    });

    it('refuses a revoked key within 5 s on both API processes', async () => {
      const key = await newKey(a.id);
      const get = (api: RunningApi) => call('GET', `/v1/merchants/${a.id}`, { key: key.secret, api });
      // Both processes accept it, and so hold it in their caches.
      expect([(await get(stack.api)).status, (await get(second)).status]).toEqual([200, 200]);
      const revoked = await call('DELETE', `/v1/merchants/${a.id}/api-keys/${key.id}`, { api: second });
      expect(revoked.status).toBe(200);
      const since = Date.now();
      // The process that revoked it refuses it at once.
      expect((await get(second)).status).toBe(401);
      const [first, other] = await Promise.all([until(() => get(stack.api), (r) => r.status === 401, 5000), until(() => get(second), (r) => r.status === 401, 5000)]);
      expect(Date.now() - since).toBeLessThan(5000);
      for (const refused of [first, other]) {
        expect(refused.status).toBe(401);
        // Exactly as an unknown key: nothing says it was revoked.
        expect(refused.body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key', message: 'The API key is not valid' });
      }
    });

    it('accepts a key made on the other process at once', async () => {
      // This process has just read A, so its cached view of A's keys predates the new key.
      expect((await call('GET', `/v1/merchants/${a.id}`, { key: aKey.secret })).status).toBe(200);
      const made = await call('POST', `/v1/merchants/${a.id}/api-keys`, { api: second });
      expect(made.status).toBe(201);
      expect((await call('GET', `/v1/merchants/${a.id}`, { key: made.body.secret })).status).toBe(200);
      const audit = secondLog.lines.find((l) => l.audit === true && l.action === 'api_key.created' && l.key_id === made.body.id);
      expect(audit).toMatchObject({ actor: `platform:${platformKeyId(TEST_API_KEY)}`, merchant: a.id });
      expect(JSON.stringify(secondLog.lines)).not.toContain(made.body.secret);
    });

    it('refuses forged keys with 401 as unknown ones', async () => {
      const secretPart = aKey.secret.split('_')[2]!;
      const forged = [
        `sk_${a.id.slice(4)}_${'a'.repeat(32)}`, // the right shape and merchant, the wrong secret
        `sk_${b.id.slice(4)}_${secretPart}`, // A's secret under B's id
        `sk_${'b'.repeat(20)}_${secretPart}`, // a merchant that does not exist
        `${aKey.secret.slice(0, -1)}${aKey.secret.endsWith('a') ? 'b' : 'a'}`, // one character off
      ];
      for (const key of forged) {
        const res = await call('GET', `/v1/merchants/${a.id}`, { key });
        expect({ key, status: res.status, code: res.body.error.code }).toEqual({ key, status: 401, code: 'invalid_api_key' });
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*invalid_token/);
      }
    });

    it('keeps platform-only operations from merchant keys (403 platform_key_required)', async () => {
      const routes: Array<[string, string, unknown?]> = [
        ['POST', '/v1/merchants', merchantBody()],
        ['GET', '/v1/merchants'],
        ['POST', `/v1/merchants/${a.id}/api-keys`],
        ['GET', `/v1/merchants/${a.id}/api-keys`],
        ['DELETE', `/v1/merchants/${a.id}/api-keys/${aKey.id}`],
        ['POST', `/v1/merchants/${a.id}/signing-secret`],
      ];
      for (const [method, path, body] of routes) {
        const res = await call(method, path, { key: aKey.secret, body });
        expect({ route: `${method} ${path}`, status: res.status, code: res.body.error.code }).toEqual({ route: `${method} ${path}`, status: 403, code: 'platform_key_required' });
      }
      // The key was not revoked by its own try.
      expect((await call('GET', `/v1/merchants/${a.id}`, { key: aKey.secret })).status).toBe(200);
    });

    it('acts for one merchant with On-Behalf-Of', async () => {
      const obo = (id: string) => ({ 'On-Behalf-Of': id });
      expect((await call('GET', `/v1/merchants/${a.id}`, { headers: obo(a.id) })).status).toBe(200);
      expect((await call('GET', `/v1/merchants/${b.id}`, { headers: obo(a.id) })).status).toBe(404);
      expect((await call('GET', `/v1/merchants/${a.id}/api-keys`, { headers: obo(a.id) })).status).toBe(200);
      const unknown = await call('GET', '/v1/payments', { headers: obo('mer_aaaaaaaaaaaaaaaaaaaa') });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toMatchObject({ code: 'resource_missing', param: 'On-Behalf-Of' });
      const malformed = await call('GET', '/v1/payments', { headers: obo('3f1d2c4b-5a69-4e7f-8a1b-2c3d4e5f6a7b') });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.param).toBe('On-Behalf-Of');
      const create = await call('POST', '/v1/merchants', { body: merchantBody(), headers: obo(a.id) });
      expect(create.status).toBe(403);
      expect(create.body.error.code).toBe('on_behalf_of_not_allowed');

      // A merchant key may name itself, and no one else (whether that one exists or not).
      expect((await call('GET', `/v1/merchants/${a.id}`, { key: aKey.secret, headers: obo(a.id) })).status).toBe(200);
      for (const other of [b.id, 'mer_aaaaaaaaaaaaaaaaaaaa']) {
        const res = await call('GET', `/v1/merchants/${a.id}`, { key: aKey.secret, headers: obo(other) });
        expect(res.status).toBe(403);
        expect(res.body.error).toMatchObject({ code: 'on_behalf_of_not_allowed', param: 'On-Behalf-Of' });
      }
    });

    it('rotates the signing secret and shows the new one once', async () => {
      const rotated = await call('POST', `/v1/merchants/${b.id}/signing-secret`);
      expect(rotated.status).toBe(200);
      expect(rotated.body).toEqual({ object: 'signing_secret', merchant_id: b.id, version: 2, secret: merchantSigningSecret(TEST_NOTIFICATION_SECRET, b.id, 2) });
      expect(rotated.body.secret).not.toBe(merchantSigningSecret(TEST_NOTIFICATION_SECRET, b.id, 1));
      const read = await call('GET', `/v1/merchants/${b.id}`);
      expect(read.body.signing_secret_version).toBe(2);
      expect(JSON.stringify(read.body)).not.toContain(rotated.body.secret);
    });

    it('counts a merchant key under its own key id for the rate limits', async () => {
      const answers = await Promise.all(Array.from({ length: 10 }, () => call('GET', `/v1/merchants/${a.id}`, { key: aKey.secret, api: second })));
      expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(answers[0]!.headers.get('ratelimit-limit')).toBe('100');
      const merchantLeft = Math.min(...answers.map((r) => Number(r.headers.get('ratelimit-remaining'))));
      expect(merchantLeft).toBeLessThanOrEqual(90);
      // Two keys, two buckets: the merchant key's requests do not lower the platform key's.
      const platform = await call('GET', `/v1/merchants/${a.id}`, { api: second });
      expect(Number(platform.headers.get('ratelimit-remaining'))).toBeGreaterThan(merchantLeft + 5);
    });

    it('answers exactly as the response schemas of the OpenAPI document say', async () => {
      const created = await call('POST', '/v1/merchants', { body: merchantBody({ notify_url: 'https://shop.example/events' }) });
      const key = await call('POST', `/v1/merchants/${created.body.id}/api-keys`);
      const checks: Array<[string, { status: number; body: unknown }, { safeParse(v: unknown): { success: boolean; error?: unknown } }]> = [
        ['create', created, merchantCreatedSchema],
        ['get', await call('GET', `/v1/merchants/${created.body.id}`), merchantSchema],
        ['list', await call('GET', '/v1/merchants?limit=3'), merchantListSchema],
        ['key', key, apiKeyCreatedSchema],
        ['keys', await call('GET', `/v1/merchants/${created.body.id}/api-keys`), apiKeyListSchema],
        ['revoke', await call('DELETE', `/v1/merchants/${created.body.id}/api-keys/${key.body.id}`), apiKeySchema],
        ['rotate', await call('POST', `/v1/merchants/${created.body.id}/signing-secret`), signingSecretSchema],
      ];
      for (const [what, answer, schema] of checks) {
        expect([what, answer.status]).toEqual([what, what === 'create' || what === 'key' ? 201 : 200]);
        const parsed = schema.safeParse(answer.body);
        if (!parsed.success) throw new Error(`${what}: ${String(parsed.error)}\n${JSON.stringify(answer.body)}`);
      }
      // Every merchant operation takes On-Behalf-Of, documented once.
      const paths = (openApiDocument() as { paths: Record<string, Record<string, { parameters?: Array<{ $ref?: string }> }>> }).paths;
      for (const [path, item] of Object.entries(paths).filter(([p]) => p.startsWith('/v1/merchants'))) {
        for (const [method, operation] of Object.entries(item)) {
          expect([method, path, operation.parameters?.some((p) => p.$ref === '#/components/parameters/OnBehalfOf')]).toEqual([method, path, true]);
        }
      }
    });

    it("takes Ping's merchant status callback with the tenant token, and acknowledges one for no merchant of ours", async () => {
      const read = await until(() => call('GET', `/v1/merchants/${a.id}`), (r) => r.body.ping_merchant_id !== null);
      const path = `/webhooks/ping/merchants/${tenantWebhookToken(TEST_WEBHOOK_SECRET, 'merchant-status')}`;
      const ours = await call('POST', path, { key: null, body: { merchant_id: read.body.ping_merchant_id, status: 'APPROVED', occurred_at: new Date().toISOString() } });
      expect(ours.status).toBe(204);
      expect((await call('POST', path, { key: null, body: { merchant_id: randomUUID(), status: 'DENIED' } })).status).toBe(204);
      expect((await call('POST', path, { key: null, body: {} })).status).toBe(204);
      const wrong = await call('POST', `/webhooks/ping/merchants/${tenantWebhookToken(TEST_WEBHOOK_SECRET, 'credit-top-up')}`, { key: null, body: { merchant_id: randomUUID() } });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.code).toBe('invalid_webhook_token');
      const topUp = await call('POST', `/webhooks/ping/credit-top-ups/${tenantWebhookToken(TEST_WEBHOOK_SECRET, 'credit-top-up')}`, { key: null, body: { amount: 10000, currency: 'SEK' } });
      expect(topUp.status).toBe(204);
    });
  });
});
