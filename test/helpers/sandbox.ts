import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/createSandbox';
import { heldLogger } from './heldLogs';

export const TEST_TENANT_ID = '7d8a4bb2-3c0e-4d5a-9a59-2d7c1f0e4b11';

export interface SandboxResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON (throws on an empty or non-JSON body, which is itself a finding). */
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RunningSandbox {
  /** Where it listens and the base of every URL it hands out, e.g. http://127.0.0.1:41234 */
  url: string;
  /** The base URLs a Ping client is configured with (they end with "/", as Ping's SDK requires). */
  paymentsApiUrl: string;
  paymentLinksApiUrl: string;
  tenantId: string;
  sandbox: Sandbox;
  /** A call to the sandbox, as the test tenant unless `noTenant` (then no `tenant_id` header at all). */
  request(method: string, path: string, options?: { body?: unknown; rawBody?: string; headers?: Record<string, string>; noTenant?: boolean }): Promise<SandboxResponse>;
  stop(): Promise<void>;
}

/**
 * The real sandbox app on a free loopback port. Its public URL is its own address, so checkout and
 * PDF URLs it returns can be opened by tests and browsers. Quiet and fast by default: callbacks are
 * retried after 20 ms, providers settle after 20 ms.
 */
export async function startSandbox(options: Partial<SandboxOptions> = {}): Promise<RunningSandbox> {
  const sandbox = createSandbox({
    // Given-up callbacks are warnings in production and expected in tests; errors show with a failed test.
    logger: heldLogger('test-sandbox'),
    providerDelayMs: 20,
    expirySweepMs: 50,
    ...options,
    callbackRetry: { initialDelayMs: 20, maxDelayMs: 200, maxAttempts: 4, attemptTimeoutMs: 2000, ...options.callbackRetry },
    publicUrl: options.publicUrl ?? 'http://127.0.0.1',
  });
  const server = http.createServer(sandbox.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Known only now that the port is; every URL is built per request from this.
  if (!options.publicUrl) sandbox.context.publicUrl = url;

  const request: RunningSandbox['request'] = async (method, path, { body, rawBody, headers = {}, noTenant = false } = {}) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(body !== undefined || rawBody !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}),
        ...(noTenant ? {} : { tenant_id: TEST_TENANT_ID }),
        ...headers,
      },
      body: rawBody ?? (body !== undefined ? JSON.stringify(body) : undefined),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  };

  return {
    url,
    paymentsApiUrl: `${url}/payments/`,
    paymentLinksApiUrl: `${url}/payment_links/`,
    tenantId: TEST_TENANT_ID,
    sandbox,
    request,
    async stop() {
      await sandbox.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface ReceivedCallback {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  at: number;
}

export interface CallbackReceiver {
  url: string;
  received: ReceivedCallback[];
  /** The status the receiver answers with (default 200); a function can vary it per call. */
  respondWith(status: number | ((callback: ReceivedCallback, index: number) => number)): void;
  stop(): Promise<void>;
}

/**
 * GETs are a merchant's site, not callbacks: a landing page for redirects (it names its path), and
 * `/frame?src=<url>` which embeds a checkout in an iframe, as a merchant would.
 */
function landingPage(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://receiver');
  const escape = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const body =
    url.pathname === '/frame'
      ? `<iframe id="checkout-frame" src="${escape(url.searchParams.get('src') ?? '')}" width="600" height="800"></iframe>`
      : `<p data-testid="landing">${escape(url.pathname)}</p>`;
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html><body>${body}</body></html>`);
}

/** A tiny real HTTP server that records the callbacks the sandbox POSTs to it (and serves a merchant's pages on GET). */
export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  let answer: number | ((callback: ReceivedCallback, index: number) => number) = 200;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') return landingPage(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const callback: ReceivedCallback = {
        path: req.url ?? '/',
        headers: req.headers,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
        at: Date.now(),
      };
      received.push(callback);
      const status = typeof answer === 'function' ? answer(callback, received.length - 1) : answer;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(String(status));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    respondWith(status) {
      answer = status;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Polls `probe` every `intervalMs` until it returns something other than undefined/false, or fails
 * after `timeoutMs`. A slow probe (a metrics scrape) wants a longer interval, to leave the two cores
 * to the code under test.
 */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
  what = 'condition',
  intervalMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export const MERCHANT_ID = '0b0c5c1e-8f43-4a55-9d2f-6a1f3e2b7c90';

/** The body the official SDK sends to create an order (explicit nulls included). */
export function orderBody(currency = 'SEK') {
  return { currency, split_parameters: {}, split_tree_id: null };
}

export function orderItems(amounts: number[] = [6000, 4000]) {
  return amounts.map((amount, i) => ({ amount, name: `Item ${i + 1}`, vat_rate: 25.0, merchant_id: MERCHANT_ID, metadata: {}, tags: [] }));
}

/** An initiate body, with the SDK's junk `payment_order_id`. */
export function initiateBody(provider: string, method: string, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const items = orderItems();
  return {
    currency: 'SEK',
    total_amount: items.reduce((s, i) => s + i.amount, 0),
    order_items: items,
    provider,
    method,
    provider_method_parameters: parameters,
    metadata: {},
    payment_order_id: '00000000-0000-0000-0000-000000000000',
    ...extra,
  };
}

export function pisParameters(base = 'https://shop.example') {
  return { success_url: `${base}/success`, error_url: `${base}/error`, cancel_url: `${base}/cancel`, reference: 'order-42' };
}

/** A create-link body as the SDK sends it, junk fields included; 2 × 7000 + 1 × 2500 öre. */
export function linkBody(paymentOrderId: string, extra: Record<string, unknown> = {}) {
  return {
    payment_order_id: paymentOrderId,
    currency: 'SEK',
    total_amount: 16500,
    locale: 'sv-SE',
    customer: { first_name: 'Bertil', last_name: 'Jönsson', email: 'bertil@example.com', phone: '0701234567', reference: 'cust-1' },
    supplier: { name: 'Pizzeria AB', city: 'Örebro', organization_number: '5555555555', website: 'https://pizzeria.example', zip: '70225' },
    items: [
      { description: 'Hawaii Pizza', merchant_id: MERCHANT_ID, price: 7000, quantity: 2, vat: 12.0, unit: 'st', metadata: {}, tags: [] },
      { description: 'Läsk', merchant_id: MERCHANT_ID, price: 2500, quantity: 1, vat: '12', unit: 'st', metadata: {}, tags: [] },
    ],
    payment_provider_methods: [
      { provider: 'swish', method: 'm_commerce', parameters: { swish_message: 'Tack!' } },
      { provider: 'payment_iq', method: 'card' },
    ],
    checkout_success_url: 'https://shop.example/ok',
    checkout_cancel_url: 'https://shop.example/cancel',
    metadata: { reference: 'order-1' },
    payment_link_id: '00000000-0000-0000-0000-000000000000',
    status: 'CREATED',
    sms_status: 'DELIVERD',
    ...extra,
  };
}

export async function createOrder(sb: RunningSandbox, currency = 'SEK'): Promise<string> {
  const res = await sb.request('POST', '/payments/api/v1/payment_orders', { body: orderBody(currency) });
  if (res.status !== 200) throw new Error(`create order: ${res.status} ${res.text}`);
  return res.json<{ id: string }>().id;
}

export async function createLink(sb: RunningSandbox, extra: Record<string, unknown> = {}, currency = 'SEK'): Promise<{ id: string; checkoutUrl: string; orderId: string }> {
  const orderId = await createOrder(sb, currency);
  const res = await sb.request('POST', '/payment_links/api/v1/payment_links', { body: linkBody(orderId, { currency, ...extra }) });
  if (res.status !== 200) throw new Error(`create link: ${res.status} ${res.text}`);
  const body = res.json<{ id: string; checkout_url: string }>();
  return { id: body.id, checkoutUrl: body.checkout_url, orderId };
}
