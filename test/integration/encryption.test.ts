import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import type { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import express from 'express';
import { createCodecRouter } from '../../api/codecRoutes';
import { errorHandler } from '../../api/errors';
import { PROJECT_ROOT } from '../../common/config/processConfig';
import { createLogger } from '../../common/logger';
import { dataConverterFor, EncryptionCodec, parseEncryptionKeys } from '../../common/payloadCodec';
import { createProbeActivities } from '../fixtures/activities';
import { finishSignal, harnessProbe, stateQuery } from '../fixtures/workflows';
import { harnessEnv } from '../harnessEnv';
import { TEST_API_KEY, TEST_WEBHOOK_SECRET } from '../helpers/api';
import { testCodec, uiOrigins } from '../helpers/encryption';
import { linkRequest, NOTIFICATION_SECRET, pisRequest, startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';
import { spawnJob } from '../helpers/processes';
import { connectClient, startWorker } from '../helpers/temporal';

/**
 * Payload encryption end to end: a real worker and API on the harness's dev server, every payload
 * sealed with the test keys. What Temporal stores (raw history, as anyone with access to the server or
 * its database reads it) holds no payer data and no secret; the API and the Web UI's codec endpoint
 * still read everything.
 */

const PING_API_SECRET = `ping-secret-${randomBytes(12).toString('hex')}`;
const ENCRYPTED = 'binary/encrypted';

type Node = { [key: string]: unknown };
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const text = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? []).toString('utf8');

/** Every object of a proto message tree with the key it hangs under, depth first. */
function* walk(value: unknown, path: string[] = []): Generator<{ node: Node; path: string[] }> {
  if (value === null || typeof value !== 'object' || isBytes(value)) return;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* walk(item, [...path, String(i)]);
    return;
  }
  yield { node: value as Node, path };
  for (const [key, child] of Object.entries(value)) yield* walk(child, [...path, key]);
}

/** Every Payload in a history (an object with metadata bytes and data), with where it sits. */
function payloadsOf(history: temporal.api.history.v1.IHistory): Array<{ payload: Payload; path: string }> {
  const found: Array<{ payload: Payload; path: string }> = [];
  for (const { node, path } of walk(history)) {
    const metadata = node.metadata as Record<string, unknown> | undefined;
    if (metadata && typeof metadata === 'object' && isBytes(metadata.encoding)) found.push({ payload: node as Payload, path: path.join('.') });
  }
  return found;
}

/** Search attributes must stay readable to the server (it indexes them); they are never codec-encoded. */
const isSearchAttribute = (path: string): boolean => /(^|\.)(searchAttributes|upsertWorkflowSearchAttributesEventAttributes)\./.test(path);

/**
 * Temporal core's own marker bookkeeping is written by the SDK core, not through the data converter:
 * a patch marker's `patch-data` (the patch id) and a local activity's `data` (sequence number, attempt,
 * activity type, times). Neither carries user data; the local activity's `result` is encrypted.
 */
const isCoreMarkerData = (path: string): boolean => /markerRecordedEventAttributes\.details\.(patch-data|data)\./.test(path);
const isPlainByDesign = (path: string): boolean => isSearchAttribute(path) || isCoreMarkerData(path);

/** Everything a person with raw access to the history sees: the proto bytes, its JSON, every payload's data. */
function rawText(history: temporal.api.history.v1.IHistory): string {
  const proto = Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('latin1');
  const json = JSON.stringify(temporal.api.history.v1.History.create(history).toJSON());
  const data = payloadsOf(history).map(({ payload }) => text(payload.data));
  return [proto, Buffer.from(proto, 'latin1').toString('utf8'), json, ...data].join('\n');
}

describe('payload encryption', () => {
  let stack: PaymentsStack;
  const payer = {
    first_name: `Ingeborg${randomBytes(3).toString('hex')}`,
    last_name: `Krypteringsson${randomBytes(3).toString('hex')}`,
    email: `ingeborg.${randomBytes(4).toString('hex')}@example.com`,
    phone: `070${Math.floor(1_000_000 + Math.random() * 8_999_999)}`,
  };
  const pisPayer = { name: `Petronella ${randomBytes(3).toString('hex')}`, email: `petronella.${randomBytes(4).toString('hex')}@example.com`, phone: `+4670${Math.floor(1_000_000 + Math.random() * 8_999_999)}` };
  const note = `private-note-${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    stack = await startPaymentsStack({ pingApiSecret: PING_API_SECRET });
  });
  afterAll(() => stack?.stop());
  afterEach(() => stack.control('PUT', '/faults', {}));

  const fetchHistory = (id: string) => stack.client.workflow.getHandle(id).fetchHistory();

  /** The values that must never be readable in what Temporal stores. */
  const payerNeedles = () => [payer.first_name, payer.last_name, payer.email, payer.phone.slice(1), pisPayer.name, pisPayer.email, pisPayer.phone.slice(3), note];
  const secretNeedles = () => [stack.sandbox.tenantId, PING_API_SECRET, TEST_WEBHOOK_SECRET, NOTIFICATION_SECRET, TEST_API_KEY];

  let linkId: string;
  let pisId: string;

  it('keeps payer data and secrets out of raw history, while the API and the activities read them', async () => {
    const created = await stack.call(
      'POST',
      '/v1/payment-links',
      linkRequest({ customer: payer, distribution: { sms: true, email: true }, metadata: { note }, notify_url: stack.merchant.url }),
    );
    expect(created.status).toBe(201);
    linkId = created.body.id;
    await stack.control('POST', `/payment-links/${created.body.ping_payment_link_id}/pay`, {});
    const done = await stack.waitForPayment(linkId, (p) => p.status === 'completed');
    // The API's query answer came through the codec: the caller's data is all there.
    expect(done).toMatchObject({ status: 'completed', amount: 16500, metadata: { note } });
    const fetched = await stack.call('GET', `/v1/payments/${linkId}`);
    expect(fetched.body).toMatchObject({ id: linkId, metadata: { note }, merchant_reference: created.body.merchant_reference });
    // The activities decrypted their inputs: the receipt went to the payer, the SMS and e-mail went out at Ping.
    const [receipt] = await stack.inbox.waitForMessages((m) => m.to.includes(payer.email));
    expect(receipt).toBeDefined();
    const outbox = await stack.control('GET', `/outbox?payment_link_id=${created.body.ping_payment_link_id}`);
    expect(JSON.stringify(outbox)).toContain(payer.email);

    const pis = await stack.call('POST', '/v1/pis-payments', pisRequest({ payer: pisPayer, metadata: { note } }));
    expect(pis.status).toBe(201);
    pisId = pis.body.id;
    await stack.control('POST', `/payments/${pis.body.ping_payment_id}/status`, { status: 'COMPLETED' });
    await stack.waitForPayment(pisId, (p) => p.status === 'completed');
    await stack.inbox.waitForMessages((m) => m.to.includes(pisPayer.email));

    for (const id of [linkId, pisId]) {
      // The whole history, up to the close (the API can say `completed` a moment before it is recorded).
      await stack.client.workflow.getHandle(id).result();
      const history = await fetchHistory(id);
      expect(history.events!.length).toBeGreaterThan(10);
      const raw = rawText(history);
      // The search reads plain text where there is some: the merchant reference is a search attribute.
      expect(raw).toContain((await stack.call('GET', `/v1/payments/${id}`)).body.merchant_reference);
      for (const needle of [...payerNeedles(), ...secretNeedles()]) {
        expect({ id, found: raw.includes(needle) ? needle : null }).toEqual({ id, found: null });
      }

      // Every payload the SDK wrote (inputs, results, signals, updates, user metadata, failures) is
      // sealed with the active test key; only search attributes are plain, and they hold no payer data.
      const payloads = payloadsOf(history);
      const sealed = payloads.filter(({ path }) => !isPlainByDesign(path));
      expect(sealed.length).toBeGreaterThan(10);
      const notSealed = sealed.filter(({ payload }) => text(payload.metadata!.encoding) !== ENCRYPTED).map(({ path }) => path);
      expect(notSealed).toEqual([]);
      expect(new Set(sealed.map(({ payload }) => text(payload.metadata!['encryption-key-id'])))).toEqual(new Set(['test-2']));
      expect(sealed.map(({ path }) => path)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/workflowExecutionStartedEventAttributes\.input\.payloads/),
          expect.stringMatching(/activityTaskScheduledEventAttributes\.input\.payloads/),
          expect.stringMatching(/activityTaskCompletedEventAttributes\.result\.payloads/),
          // Local activities' results, in their markers.
          expect.stringMatching(/markerRecordedEventAttributes\.details\.result\.payloads/),
          expect.stringMatching(/workflowExecutionCompletedEventAttributes\.result\.payloads/),
          // The Web UI's summary and details, and the activity summaries.
          expect.stringMatching(/userMetadata\.summary/),
          expect.stringMatching(/userMetadata\.details/),
        ]),
      );

      // Decrypted, the payloads do carry the payer's data (so the search above was looking at the
      // right place), but still no secret: the tenant id and secrets never entered the workflow at all.
      const opened = await testCodec().decode(sealed.map(({ payload }) => payload));
      const clear = opened.map((p) => text(p.data)).join('\n');
      expect(clear).toContain(id === linkId ? payer.email : pisPayer.email);
      for (const needle of secretNeedles()) expect({ id, found: clear.includes(needle) ? needle : null }).toEqual({ id, found: null });
    }
  });

  it('encodes failure messages too, and the API still reports them', async () => {
    await stack.control('PUT', '/faults', { error_rate: 1, error_status: 422, endpoints: ['POST /payments/api/v1/payment_orders/:order_id/payments'] });
    const refused = await stack.call('POST', '/v1/pis-payments', pisRequest({ payer: pisPayer }));
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('sandbox_fault_injected');
    expect(refused.body.error.message).not.toBe('Encoded failure');
    const history = await fetchHistory(refused.body.error.payment_id);
    const failures = [...walk(history)].filter(({ path }) => ['failure', 'cause'].includes(path[path.length - 1]!));
    expect(failures.length).toBeGreaterThan(0);
    for (const { node } of failures) {
      expect(node.message).toBe('Encoded failure');
      expect(node.stackTrace ?? '').toBe('');
      expect(text((node.encodedAttributes as Payload).metadata!.encoding)).toBe(ENCRYPTED);
    }
    expect(rawText(history)).not.toContain(refused.body.error.message);
  });

  describe('the codec endpoint', () => {
    const uiOrigin = () => uiOrigins(harnessEnv().temporalUiUrl)[0]!;
    const toJson = (p: Payload) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(p.data ?? []).toString('base64'),
    });
    const fromJson = (p: { metadata: Record<string, string>; data: string }): Payload => ({
      metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
      data: new Uint8Array(Buffer.from(p.data, 'base64')),
    });
    const post = (path: string, body: unknown, headers: Record<string, string> = {}, base = stack.api.url) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    /** The workflow's input as stored: the payment link request, sealed. */
    const storedInput = async (): Promise<Payload> => {
      const started = (await fetchHistory(linkId)).events![0]!.workflowExecutionStartedEventAttributes!;
      return started.input!.payloads![0]!;
    };

    it('decodes stored payloads for a caller with our API key', async () => {
      const res = await post('/codec/decode', { payloads: [toJson(await storedInput())] }, { authorization: `Bearer ${TEST_API_KEY}` });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('cache-control')).toBe('no-store');
      const { payloads } = (await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
      expect(payloads).toHaveLength(1);
      // The workflow's input, in clear: what support staff see in the Web UI.
      const input = defaultPayloadConverter.fromPayload<{ paymentId: string; request: { customer: typeof payer } }>(fromJson(payloads[0]!));
      expect(input).toMatchObject({ paymentId: linkId, request: { customer: payer } });
    });

    it('decodes for the Web UI: a browser request from an allowed origin, with CORS headers', async () => {
      const res = await post('/codec/decode', { payloads: [toJson(await storedInput())] }, { origin: uiOrigin(), 'x-namespace': 'default' });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(uiOrigin());
      expect(res.headers.get('access-control-allow-credentials')).toBe('true');
      expect(res.headers.get('vary')).toMatch(/origin/i);
      const { payloads } = (await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
      expect(Buffer.from(payloads[0]!.data, 'base64').toString('utf8')).toContain(payer.email);
    });

    it('answers the browser preflight for an allowed origin, never with "*"', async () => {
      const res = await fetch(`${stack.api.url}/codec/decode`, {
        method: 'OPTIONS',
        headers: { origin: uiOrigin(), 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(uiOrigin());
      expect(res.headers.get('access-control-allow-methods')).toBe('POST');
      expect(res.headers.get('access-control-allow-headers')).toBe('content-type, authorization, x-namespace');
      expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    });

    it('refuses a caller without credentials (401) and a page from any other origin (403, no CORS headers)', async () => {
      const payloads = [toJson(await storedInput())];
      const anonymous = await post('/codec/decode', { payloads });
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ error: { type: 'authentication_error', code: 'missing_api_key' } });
      const wrongKey = await post('/codec/decode', { payloads }, { authorization: 'Bearer not-our-key-000000000' });
      expect(wrongKey.status).toBe(401);

      for (const origin of ['https://evil.example', 'null', `${uiOrigin()}.evil.example`, uiOrigin().replace('http:', 'https:')]) {
        const foreign = await post('/codec/decode', { payloads }, { origin });
        expect(foreign.status).toBe(403);
        expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
        expect(await foreign.json()).toMatchObject({ error: { type: 'authentication_error', code: 'origin_not_allowed' } });
        const preflight = await fetch(`${stack.api.url}/codec/decode`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
        expect(preflight.status).toBe(403);
        expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
        expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
      }
      // A page elsewhere that somehow holds a key still gets nothing: browsers from other sites are refused outright.
      const foreignWithKey = await post('/codec/decode', { payloads }, { origin: 'https://evil.example', authorization: `Bearer ${TEST_API_KEY}` });
      expect(foreignWithKey.status).toBe(403);
    });

    it('encodes with the active key, and refuses tampered payloads and malformed bodies in the API error shape', async () => {
      const auth = { authorization: `Bearer ${TEST_API_KEY}` };
      const plain = defaultPayloadConverter.toPayload({ hello: 'support' });
      const encoded = await post('/codec/encode', { payloads: [toJson(plain)] }, auth);
      expect(encoded.status).toBe(200);
      const [sealed] = ((await encoded.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> }).payloads;
      expect(Buffer.from(sealed!.metadata.encoding!, 'base64').toString()).toBe(ENCRYPTED);
      expect(Buffer.from(sealed!.metadata['encryption-key-id']!, 'base64').toString()).toBe('test-2');
      const decoded = await post('/codec/decode', { payloads: [sealed] }, auth);
      expect(defaultPayloadConverter.fromPayload(fromJson(((await decoded.json()) as { payloads: [never] }).payloads[0]))).toEqual({ hello: 'support' });

      const bytes = Buffer.from(sealed!.data, 'base64');
      bytes[bytes.length - 1] ^= 1;
      const tampered = await post('/codec/decode', { payloads: [{ ...sealed, data: bytes.toString('base64') }] }, auth);
      expect(tampered.status).toBe(422);
      expect(await tampered.json()).toMatchObject({ error: { code: 'payload_not_decodable', message: expect.stringMatching(/failed authentication/) } });

      const unknownKey = await post('/codec/decode', { payloads: [{ ...sealed, metadata: { ...sealed!.metadata, 'encryption-key-id': Buffer.from('gone').toString('base64') } }] }, auth);
      expect(unknownKey.status).toBe(422);
      expect(await unknownKey.json()).toMatchObject({ error: { code: 'payload_not_decodable', message: expect.stringMatching(/key id "gone"/) } });

      for (const body of [{}, { payloads: 'x' }, { payloads: [{ data: 'not base64!' }] }, { payloads: [{ metadata: { encoding: 42 } }] }]) {
        const bad = await post('/codec/decode', body, auth);
        expect(bad.status).toBe(400);
        expect(await bad.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_codec_request' } });
      }
      const notJson = await post('/codec/decode', '{"payloads": [', auth);
      expect(notJson.status).toBe(400);
      const huge = await post('/codec/decode', { payloads: [{ data: Buffer.alloc(4_200_000).toString('base64') }] }, auth);
      expect(huge.status).toBe(413);
    });

    it('is where the harness Web UI decodes, and accepts the UI’s origin there', async () => {
      const { temporalUiUrl, codecUrl } = harnessEnv();
      const settings = (await (await fetch(`${temporalUiUrl}/api/v1/settings`)).json()) as { Codec: { Endpoint: string } };
      expect(settings.Codec.Endpoint).toBe(codecUrl);
      const res = await fetch(`${codecUrl}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: uiOrigin(), 'x-namespace': 'default' },
        body: JSON.stringify({ payloads: [toJson(await storedInput())] }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(uiOrigin());
    });

    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    (external ? it : it.skip)('trusts a loopback origin only on a connection from this machine', async () => {
      // Anyone can type an Origin header; a remote client cannot make its connection come from 127.0.0.1.
      const app = express();
      app.use('/codec', createCodecRouter({ codec: testCodec(), apiKeys: [TEST_API_KEY], allowedOrigins: [uiOrigin()] }));
      app.use(errorHandler(createLogger({ name: 'test-codec', level: 'silent', format: 'json' })));
      const server = http.createServer(app);
      await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
      const { port } = server.address() as AddressInfo;
      try {
        const body = { payloads: [toJson(await storedInput())] };
        const viaNetwork = `http://${external!.address}:${port}`;
        expect((await post('/codec/decode', body, { origin: uiOrigin() }, viaNetwork)).status).toBe(403);
        expect((await post('/codec/decode', body, { authorization: `Bearer ${TEST_API_KEY}` }, viaNetwork)).status).toBe(200);
        expect((await post('/codec/decode', body, { origin: uiOrigin() }, `http://127.0.0.1:${port}`)).status).toBe(200);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
});

describe('key rotation on a running workflow', () => {
  const oldKeys = `old-1:${randomBytes(32).toString('base64')}`;
  const newKey = `new-2:${randomBytes(32).toString('base64')}`;
  let connections: Connection[] = [];
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.close()));
    connections = [];
  });
  const clientWith = async (keys: string): Promise<Client> => {
    const { client, connection } = await connectClient({ dataConverter: dataConverterFor(parseEncryptionKeys(keys)) });
    connections.push(connection);
    return client;
  };

  it('finishes a workflow started under the old key on workers that seal with the new one', async () => {
    const name = `Rotated ${randomUUID()}`;
    const workflowsPath = require.resolve('../fixtures/workflows');
    const activities = createProbeActivities({ greeting: 'Hej' });
    const before = await startWorker({ workflowsPath, activities, dataConverter: dataConverterFor(parseEncryptionKeys(oldKeys)) });
    const taskQueue = before.taskQueue;
    const workflowId = `rotation-${randomUUID()}`;
    try {
      const oldClient = await clientWith(oldKeys);
      const handle = await oldClient.workflow.start(harnessProbe, { workflowId, taskQueue, args: [{ name }] });
      for (let i = 0; (await handle.query(stateQuery)) !== 'greeted'; i++) {
        if (i > 100) throw new Error('the probe never greeted');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await before.stop();
    }

    // The rollout: every reader gets the new list (new key first, old key kept), then the workers restart.
    const rotated = `${newKey},${oldKeys}`;
    const after = await startWorker({ workflowsPath, activities, taskQueue, dataConverter: dataConverterFor(parseEncryptionKeys(rotated)) });
    try {
      const newClient = await clientWith(rotated);
      const handle = newClient.workflow.getHandle(workflowId);
      await handle.signal(finishSignal);
      await expect(handle.result()).resolves.toEqual({ greeting: `Hej, ${name}`, confirmedBy: [] });

      const history = await handle.fetchHistory();
      const keyIds = payloadsOf(history)
        .filter(({ path }) => !isPlainByDesign(path))
        .map(({ payload }) => text(payload.metadata!['encryption-key-id']));
      expect(new Set(keyIds)).toEqual(new Set(['old-1', 'new-2']));
      expect(rawText(history)).not.toContain(name);

      // Dropping the old key too early makes the old payloads unreadable, loudly.
      const started = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
      await expect(new EncryptionCodec(parseEncryptionKeys(newKey)).decode(started)).rejects.toThrow(/key id "old-1", which is not in PAYLOAD_ENCRYPTION_KEYS/);
    } finally {
      await after.stop();
    }
  });
});

describe('npm run worker / api without a key', () => {
  const env = (): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = {
      ...process.env,
      API_KEYS: TEST_API_KEY,
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      NOTIFICATION_SIGNING_SECRET: NOTIFICATION_SECRET,
      TEMPORAL_ADDRESS: '127.0.0.1:1',
    };
    for (const name of ['PAYLOAD_ENCRYPTION_KEYS', 'PING_ORCHESTRATOR_TEST_HARNESS']) delete e[name];
    return e;
  };

  it.each(['worker', 'api'])('npm run %s exits 1 with one line asking for PAYLOAD_ENCRYPTION_KEYS', async (script) => {
    const job = spawnJob('npm', ['run', '--silent', script], env(), PROJECT_ROOT);
    const { code } = await job.exited;
    expect(code).toBe(1);
    expect(job.output().trim()).toBe(
      'Invalid configuration: PAYLOAD_ENCRYPTION_KEYS is required (id:base64key, the key 32 random bytes, e.g. k1:$(openssl rand -base64 32)); npm start generates them',
    );
  });

  it('npm run worker names a bad key without echoing it', async () => {
    const secret = randomBytes(20).toString('base64');
    const job = spawnJob('npm', ['run', '--silent', 'worker'], { ...env(), PAYLOAD_ENCRYPTION_KEYS: `k1:${secret}` }, PROJECT_ROOT);
    expect((await job.exited).code).toBe(1);
    expect(job.output().trim()).toBe(
      'Invalid configuration: PAYLOAD_ENCRYPTION_KEYS key "k1" must decode to exactly 32 bytes (got 20); make one with: openssl rand -base64 32',
    );
  });
});
