import http from 'node:http';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import { chromium } from 'playwright-core';
import { z } from 'zod';
import { createApp } from '../../api/app';
import { createApiMetrics } from '../../api/metrics';
import { openApiDocument } from '../../api/openapi';
import {
  codecPayloadsSchema,
  errorSchema,
  healthSchema,
  invoiceSchema,
  paymentListSchema,
  paymentSchema,
  readinessSchema,
  receiptSchema,
} from '../../api/schemas/responses';
import { createLogger } from '../../common/logger';
import { webhookToken } from '../../common/webhookToken';
import { harnessEnv } from '../harnessEnv';
import { TEST_API_KEY, TEST_WEBHOOK_SECRET } from '../helpers/api';
import { testCodec } from '../helpers/encryption';
import { linkRequest, pisRequest, startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

/**
 * The OpenAPI document (GET /openapi.json) against the code: every express route of the app is in it
 * and every documented operation is a route; real responses of a running payments stack (the real
 * API, worker, sandbox and Temporal) validate against it, with a status it documents; the request
 * bodies the API accepts validate against its request schemas; and /docs renders it from local files only.
 */

type OpenApi = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }>; headers?: object }>; requestBody?: { content: Record<string, { schema: object }> } }>>;
  components: { schemas: Record<string, object> };
};

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

// --- the express app's routes ------------------------------------------------------------------

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  rawPath?: string | string[];
  handle: { stack?: Layer[] };
}

/** Every route of an express 5 app: `METHOD /path/{param}` (the `all` handlers answer 405 for other methods). */
function expressRoutes(app: Express): { operations: Set<string>; paths: Set<string> } {
  const operations = new Set<string>();
  const paths = new Set<string>();
  const toOpenApi = (p: string) => p.replace(/:(\w+)/g, '{$1}');
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const routePath of [layer.route.path].flat()) {
          const full = toOpenApi(`${prefix}${routePath}`);
          paths.add(full);
          // `router.all` marks `_all`; `app.all` registers every method: both are the 405 handlers of a path.
          const methods = Object.keys(layer.route.methods).filter((m) => m !== '_all');
          if (methods.length >= http.METHODS.length) continue;
          for (const method of methods) operations.add(`${method.toUpperCase()} ${full}`);
        }
      } else if (layer.handle.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return { operations, paths };
}

// --- validating against the document -----------------------------------------------------------

const DOC_ID = 'https://ping-orchestrator.local/openapi.json';

/** A JSON Schema 2020-12 validator (OpenAPI 3.1's dialect) holding the document, so `#/components/...` refs resolve. */
function validatorFor(doc: OpenApi): (schema: object) => ValidateFunction {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addKeyword('components');
  // The formats the API's schemas use, checked as the API's own zod validators check them.
  ajv.addFormat('date-time', (v: string) => z.iso.datetime({ offset: true }).safeParse(v).success);
  ajv.addFormat('uri', (v: string) => URL.canParse(v));
  ajv.addFormat('uuid', (v: string) => z.uuid().safeParse(v).success);
  ajv.addFormat('email', (v: string) => z.email().safeParse(v).success);
  ajv.addSchema({ $id: DOC_ID, components: doc.components });
  const cache = new Map<string, ValidateFunction>();
  return (schema) => {
    const key = JSON.stringify(schema);
    let validate = cache.get(key);
    if (!validate) {
      const rebased = JSON.parse(key.replace(/"#\/components\//g, `"${DOC_ID}#/components/`)) as object;
      validate = ajv.compile(rebased);
      cache.set(key, validate);
    }
    return validate;
  };
}

/** The exact zod schemas of the named components: the document's responses are open, these are not. */
const EXACT: Record<string, z.ZodType> = {
  Payment: paymentSchema,
  PaymentList: paymentListSchema,
  Invoice: invoiceSchema,
  Receipt: receiptSchema,
  Error: errorSchema,
  Health: healthSchema,
  Readiness: readinessSchema,
  CodecPayloads: codecPayloadsSchema,
};

interface Recorded {
  method: string;
  path: string;
  status: number;
  contentType: string;
  allow: string | null;
  location: string | null;
  body: unknown;
}

describe('OpenAPI document', () => {
  const doc = openApiDocument() as OpenApi;
  const validator = validatorFor(doc);

  /** The document's path template a concrete path falls under (exactly one, or none). */
  function templateOf(path: string): string | undefined {
    const matches = Object.keys(doc.paths).filter((template) =>
      new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`).test(path),
    );
    expect(matches.length).toBeLessThanOrEqual(1);
    return matches[0];
  }

  /** Checks one real response against the document: a documented status, and a body its schema accepts. */
  function expectConforms(res: Recorded): void {
    const template = templateOf(res.path);
    const operation = template ? doc.paths[template]![res.method.toLowerCase()] : undefined;
    const where = `${res.method} ${res.path} → ${res.status}`;
    if (!operation) {
      // Not an operation (an unknown route, or a method the path does not take): the error shape, and
      // for a known path an Allow header naming exactly its documented methods.
      expect([where, res.status]).toEqual([where, template ? 405 : 404]);
      if (template) {
        const documented = Object.keys(doc.paths[template]!).filter((m) => HTTP_METHODS.includes(m)).map((m) => m.toUpperCase());
        expect(res.allow?.split(', ').filter((m) => m !== 'HEAD').sort()).toEqual(documented.sort());
      }
      expectValid(where, { $ref: '#/components/schemas/Error' }, res.body);
      return;
    }
    const documented = operation.responses[String(res.status)];
    if (!documented) throw new Error(`${where}: status ${res.status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`);
    if (res.status === 204) {
      expect(documented.content).toBeUndefined();
      return;
    }
    if (res.status === 303) {
      expect(res.location).toBeTruthy();
      return;
    }
    const media = Object.keys(documented.content ?? {})[0];
    expect([where, res.contentType.split(';')[0]]).toEqual([where, media]);
    expectValid(where, documented.content![media!]!.schema, res.body);
  }

  function expectValid(where: string, schema: object, body: unknown): void {
    const validate = validator(schema);
    if (!validate(body)) throw new Error(`${where}: the body does not match the document: ${JSON.stringify(validate.errors, null, 1)}\n${JSON.stringify(body)}`);
    const name = (schema as { $ref?: string }).$ref?.replace('#/components/schemas/', '');
    const exact = name ? EXACT[name] : undefined;
    if (exact) {
      const parsed = exact.safeParse(body);
      if (!parsed.success) throw new Error(`${where}: the body does not match api/schemas/responses.ts exactly: ${parsed.error.message}`);
    }
  }

  it('is OpenAPI 3.1 with an operation, responses and well-formed schemas everywhere', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        expect(HTTP_METHODS).toContain(method);
        expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
        // Path parameters are declared, and only those.
        const declared = ((operation as { parameters?: Array<{ $ref?: string; in?: string; name?: string }> }).parameters ?? [])
          .map((p) => (p.$ref ? (doc as unknown as { components: { parameters: Record<string, { in: string; name: string }> } }).components.parameters[p.$ref.split('/').pop()!]! : p))
          .filter((p) => p.in === 'path')
          .map((p) => p.name)
          .sort();
        expect([path, declared]).toEqual([path, [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()]);
        for (const response of Object.values(operation.responses)) for (const media of Object.values(response.content ?? {})) validator(media.schema);
        for (const media of Object.values(operation.requestBody?.content ?? {})) validator(media.schema);
      }
    }
    // Every schema compiles under JSON Schema 2020-12 in strict mode (no unknown keywords).
    for (const name of Object.keys(doc.components.schemas)) validator({ $ref: `#/components/schemas/${name}` });
  });

  it('has every express route of the app, and no operation the app does not have', async () => {
    const { temporalAddress, namespace } = harnessEnv();
    const connection = Connection.lazy({ address: temporalAddress });
    try {
      const codec = testCodec();
      // Every optional part switched on: the codec endpoint and metrics.
      const app = createApp({
        logger: createLogger({ name: 'openapi-test', level: 'error', format: 'json' }),
        apiKeys: [TEST_API_KEY],
        client: new Client({ connection, namespace }),
        taskQueue: 'openapi-test',
        webhookSecret: TEST_WEBHOOK_SECRET,
        timing: { pollInitialMs: 30_000, pollMaxMs: 600_000 },
        money: { settlementHoldMs: 0, latePaymentWindowMs: 0 },
        codec: { codec, allowedOrigins: [] },
        metrics: createApiMetrics(),
      });
      const routes = expressRoutes(app);
      const documented = new Set(Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`)));
      expect(routes.operations.size).toBeGreaterThan(10);
      expect([...routes.operations].filter((op) => !documented.has(op)).sort()).toEqual([]);
      expect([...documented].filter((op) => !routes.operations.has(op)).sort()).toEqual([]);
      // Paths that only have an `all` handler (405) would be routes without operations.
      expect([...routes.paths].filter((p) => !doc.paths[p]).sort()).toEqual([]);
    } finally {
      await connection.close();
    }
  });

  describe('real responses of a running stack', () => {
    let stack: PaymentsStack;

    beforeAll(async () => {
      stack = await startPaymentsStack();
    });
    afterAll(() => stack?.stop());

    async function call(method: string, path: string, options: { body?: unknown; rawBody?: string; contentType?: string; auth?: boolean; headers?: Record<string, string> } = {}): Promise<Recorded> {
      const headers: Record<string, string> = { ...(options.auth === false ? {} : { authorization: `Bearer ${TEST_API_KEY}` }), ...options.headers };
      const raw = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
      if (raw !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
      const res = await fetch(`${stack.api.url}${path}`, { method, headers, body: raw, redirect: 'manual' });
      const text = await res.text();
      const contentType = res.headers.get('content-type') ?? '';
      return {
        method,
        path: path.split('?')[0]!,
        status: res.status,
        contentType,
        allow: res.headers.get('allow'),
        location: res.headers.get('location'),
        body: contentType.includes('json') && text ? JSON.parse(text) : text,
      };
    }

    /** Calls, checks the status, checks the response against the document, returns the body. */
    async function conforming(expected: number, method: string, path: string, options?: Parameters<typeof call>[2]) {
      const res = await call(method, path, options);
      expect([`${method} ${path}`, res.status]).toEqual([`${method} ${path}`, expected]);
      expectConforms(res);
      return res.body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    }

    /** The request bodies sent here validate against the document's request schemas too. */
    function expectRequestValid(template: string, body: unknown): void {
      const schema = doc.paths[template]!.post!.requestBody!.content['application/json']!.schema;
      expectValid(`request to ${template}`, schema, body);
    }

    it('payment links: create, replay, get, invoice, pay, receipt, cancel', async () => {
      const reference = `oa-${Date.now()}`;
      const body = linkRequest({ merchant_reference: reference, distribution: { sms: true, email: true, invoice: { reference_type: 'OCR' } } });
      expectRequestValid('/v1/payment-links', body);
      const key = `openapi-link-${Date.now()}`;
      const created = await conforming(201, 'POST', '/v1/payment-links', { body, headers: { 'idempotency-key': key } });
      await conforming(200, 'POST', '/v1/payment-links', { body, headers: { 'idempotency-key': key } });
      const id = created.id as string;

      await stack.waitForPayment(id, (p) => p.invoice !== null && p.distribution.sms && p.distribution.email);
      await conforming(200, 'GET', `/v1/payments/${id}`);
      await conforming(200, 'GET', `/v1/payments/${id}/invoice`);
      await conforming(404, 'GET', `/v1/payments/${id}/receipt`);

      // A valid callback wakes the payment (204); the sandbox's own callbacks do the same after the payment.
      const callbackPath = `/webhooks/ping/payment-links/${id}?token=${webhookToken(TEST_WEBHOOK_SECRET, id)}`;
      const callback = { payment_link_id: created.ping_payment_link_id, status: 'CREATED', occured_at: new Date().toISOString() };
      expectRequestValid('/webhooks/ping/payment-links/{id}', callback);
      await conforming(204, 'POST', callbackPath, { body: callback, auth: false });
      await conforming(401, 'POST', `/webhooks/ping/payment-links/${id}?token=wrong`, { body: callback, auth: false });

      await stack.control('POST', `/payment-links/${created.ping_payment_link_id}/pay`, {});
      await stack.waitForPayment(id, (p) => p.status === 'completed' && p.receipt_url !== null);
      await conforming(200, 'GET', `/v1/payments/${id}`);
      await conforming(200, 'GET', `/v1/payments/${id}/receipt`);
      await conforming(409, 'POST', `/v1/payments/${id}/cancel`);

      const other = await conforming(201, 'POST', '/v1/payment-links', { body: linkRequest() });
      await conforming(200, 'POST', `/v1/payments/${other.id}/cancel`);
      await conforming(404, 'GET', `/v1/payments/${other.id}/invoice`);
    });

    it('open-banking payments: create, get, the payer coming back, cancel', async () => {
      const body = pisRequest();
      expectRequestValid('/v1/pis-payments', body);
      const created = await conforming(201, 'POST', '/v1/pis-payments', { body });
      const id = created.id as string;
      await conforming(200, 'GET', `/v1/payments/${id}`);
      await conforming(303, 'GET', `/v1/payments/${id}/return/cancel?token=${webhookToken(TEST_WEBHOOK_SECRET, id, 'payer-return')}`, { auth: false });
      await conforming(401, 'GET', `/v1/payments/${id}/return/cancel?token=nope`, { auth: false });
      await conforming(204, 'POST', `/webhooks/ping/payments/${id}?token=${webhookToken(TEST_WEBHOOK_SECRET, id)}`, { body: { payment_id: created.ping_payment_id, status: 'PENDING' }, auth: false });
      const cancelled = await call('POST', `/v1/payments/${id}/cancel`);
      // The payer's cancel may have ended it first; either answer is documented.
      expect([200, 409]).toContain(cancelled.status);
      expectConforms(cancelled);
    });

    it('lists payments, page by page', async () => {
      const reference = `oa-list-${Date.now()}`;
      for (let i = 0; i < 2; i++) await conforming(201, 'POST', '/v1/payment-links', { body: linkRequest({ merchant_reference: reference }) });
      let page: Record<string, unknown> = {};
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        page = await conforming(200, 'GET', `/v1/payments?merchant_reference=${reference}&limit=1`);
        if (page.has_more) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(page.has_more).toBe(true);
      const next = await conforming(200, 'GET', `/v1/payments?merchant_reference=${reference}&limit=1&cursor=${page.next_cursor}`);
      expect(next.data).toHaveLength(1);
      await conforming(200, 'GET', '/v1/payments?status=awaiting_payment&flow=link&limit=5');
      await conforming(400, 'GET', '/v1/payments?limit=1000');
      await conforming(400, 'GET', '/v1/payments?colour=blue');
    });

    it('errors: in the one error shape, with a status each operation documents', async () => {
      await conforming(401, 'GET', '/v1/payments', { auth: false });
      await conforming(401, 'GET', '/v1/payments/payment-link-x', { headers: { authorization: 'Bearer wrong-key-0123456789' } });
      await conforming(404, 'GET', '/v1/payments/payment-link-does-not-exist');
      await conforming(404, 'GET', '/v1/payments/not-a-payment-id');
      await conforming(400, 'POST', '/v1/payment-links', { body: linkRequest({ currency: 'USD' }) });
      await conforming(400, 'POST', '/v1/payment-links', { body: { ...linkRequest(), colour: 'blue' } });
      await conforming(400, 'POST', '/v1/pis-payments', { rawBody: '{"currency":' });
      await conforming(415, 'POST', '/v1/pis-payments', { rawBody: 'currency=SEK', contentType: 'application/x-www-form-urlencoded' });
      await conforming(413, 'POST', '/v1/payment-links', { rawBody: JSON.stringify({ padding: 'x'.repeat(200_000) }) });
      const key = `openapi-conflict-${Date.now()}`;
      await conforming(201, 'POST', '/v1/pis-payments', { body: pisRequest(), headers: { 'idempotency-key': key } });
      await conforming(409, 'POST', '/v1/pis-payments', { body: pisRequest(), headers: { 'idempotency-key': key } });
      await conforming(400, 'POST', '/v1/pis-payments', { body: pisRequest(), headers: { 'idempotency-key': 'has spaces' } });
      // A request the document's schema refuses, the API refuses too (unknown field, wrong type, out of range).
      for (const bad of [{ ...pisRequest(), colour: 'blue' }, pisRequest({ currency: 'USD' }), pisRequest({ timeout_seconds: 1 })]) {
        const validate = validator(doc.paths['/v1/pis-payments']!.post!.requestBody!.content['application/json']!.schema);
        expect(validate(bad)).toBe(false);
        await conforming(400, 'POST', '/v1/pis-payments', { body: bad });
      }
      // Other methods: 405 with an Allow header of exactly the documented methods; unknown routes 404.
      await conforming(405, 'DELETE', '/v1/payments/payment-link-x');
      await conforming(405, 'GET', '/v1/payment-links');
      await conforming(405, 'PUT', '/openapi.json', { auth: false });
      await conforming(404, 'GET', '/v1/refunds');
    });

    it('operations endpoints, the codec endpoint and the document itself', async () => {
      await conforming(200, 'GET', '/healthz', { auth: false });
      await conforming(200, 'GET', '/readyz', { auth: false });
      const served = await conforming(200, 'GET', '/openapi.json', { auth: false });
      expect(served).toEqual(JSON.parse(JSON.stringify(doc)));

      const payloads = { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"hello"').toString('base64') }] };
      const encoded = await conforming(200, 'POST', '/codec/encode', { body: payloads });
      const decoded = await conforming(200, 'POST', '/codec/decode', { body: encoded });
      expect(decoded).toEqual(payloads);
      await conforming(401, 'POST', '/codec/decode', { body: payloads, auth: false });
      await conforming(400, 'POST', '/codec/decode', { body: { payloads: 'no' } });
      await conforming(403, 'POST', '/codec/decode', { body: payloads, auth: false, headers: { origin: 'https://elsewhere.example' } });
    });

    it('serves /docs: Swagger UI from local files only, rendering every operation', async () => {
      const page = await call('GET', '/docs', { auth: false });
      expect(page.status).toBe(200);
      expect(page.contentType).toMatch(/^text\/html/);
      const html = String(page.body);
      const urls = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(urls.length).toBeGreaterThanOrEqual(3);
      for (const url of urls) {
        // Same origin: an absolute path, never another host.
        expect(url).toMatch(/^\/(?!\/)/);
        const asset = await fetch(`${stack.api.url}${url}`);
        // Read to the end: an unread body (Swagger UI's bundle is 1 MB) holds its socket open, and
        // with it the jest worker, until a garbage collection happens to free it.
        await asset.arrayBuffer();
        expect([url, asset.status]).toEqual([url, 200]);
      }
      const init = await (await fetch(`${stack.api.url}/docs/assets/init.js`)).text();
      expect(init).toContain('"/openapi.json"');
      expect(init).toContain('validatorUrl: null');
      expect((await fetch(`${stack.api.url}/docs/assets/index.html`)).status).toBe(404); // only the files the page needs

      // In a browser: everything it loads comes from the API itself, nothing breaks its CSP, and it renders every operation.
      const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      try {
        const tab = await browser.newPage();
        const requested: string[] = [];
        const problems: string[] = [];
        tab.on('request', (r) => requested.push(r.url()));
        tab.on('console', (m) => {
          if (m.type() === 'error') problems.push(m.text());
        });
        tab.on('pageerror', (e) => problems.push(e.message));
        await tab.goto(`${stack.api.url}/docs`);
        const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
        await tab.waitForFunction(`document.querySelectorAll('.opblock').length >= ${operations}`, undefined, { timeout: 20_000 });
        // Open an operation (its parameters, body schema and responses render) and the schemas section.
        await tab.click('#operations-Payments-post_v1_payment_links .opblock-summary');
        await tab.waitForSelector('#operations-Payments-post_v1_payment_links .responses-wrapper');
        await tab.click('section.models article.json-schema-2020-12 .json-schema-2020-12-expand-deep-button');
        await tab.waitForSelector('section.models .json-schema-2020-12-body:not(.json-schema-2020-12-body--collapsed) .json-schema-2020-12-property');
        expect(requested.filter((u) => !u.startsWith(`${stack.api.url}/`) && !u.startsWith('data:'))).toEqual([]);
        expect(requested).toContain(`${stack.api.url}/openapi.json`);
        expect(problems).toEqual([]);
        expect(await tab.textContent('.info .title')).toContain('Ping orchestrator API');
      } finally {
        await browser.close();
      }
    });
  });
});
