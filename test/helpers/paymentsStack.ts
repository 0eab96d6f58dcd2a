import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client, Connection } from '@temporalio/client';
import { SIGNATURE_HEADER, verifyNotification } from '../../common/notificationSignature';
import type { OutboundUrlPolicy } from '../../common/outboundUrl';
import { createActivities } from '../../worker/activities';
import { registerTenant } from '../../worker/registerTenant';
import type { MerchantEvent } from '../../activities/notifications';
import { merchantWorkflowId } from '../../domain/merchant';
import { merchantQuery } from '../../domain/merchantMessages';
import type { PaymentResource } from '../../domain/payment';
import { startApi, TEST_API_KEY, TEST_MONEY_TIMING, TEST_OUTBOUND_URLS, TEST_WEBHOOK_SECRET, type RunningApi } from './api';
import { heldLogger } from './heldLogs';
import { startInbox, type RunningInbox } from './inbox';
import { startSandbox, type RunningSandbox } from './sandbox';
import { connectClient, startWorker, type RunningWorker } from './temporal';

export const NOTIFICATION_SECRET = 'whsec_test_0123456789abcdef';
export const MERCHANT_ID = '3f1d2c4b-5a69-4e7f-8a1b-2c3d4e5f6a7b';

/** A merchant's backend: records the notifications it receives and whether their signatures verify. */
export interface MerchantReceiver {
  url: string;
  /** `verified`: against the platform's secret; `signature` and `body` as received, to check a merchant's own. */
  events: Array<{ event: MerchantEvent; verified: boolean; signature: string; body: string }>;
  stop(): Promise<void>;
}

export async function startMerchantReceiver(): Promise<MerchantReceiver> {
  const events: MerchantReceiver['events'] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const header = req.headers[SIGNATURE_HEADER.toLowerCase()];
      events.push({ event: JSON.parse(body) as MerchantEvent, verified: verifyNotification(NOTIFICATION_SECRET, String(header), body), signature: String(header), body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping-orchestrator/events`,
    events,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface PaymentsStack {
  api: RunningApi;
  sandbox: RunningSandbox;
  inbox: RunningInbox;
  merchant: MerchantReceiver;
  worker: RunningWorker;
  client: Client;
  /** A call to our API with the test key. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** A call to the sandbox's control API. */
  control(method: string, path: string, body?: unknown): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Polls our API until the payment matches. */
  waitForPayment(id: string, predicate: (p: PaymentResource) => boolean, timeoutMs?: number): Promise<PaymentResource>;
  stop(): Promise<void>;
}

/**
 * The whole product on free ports: the Ping sandbox, the SMTP inbox, a merchant receiver, a real
 * worker (the project's workflows and activities) and the real API, against the harness's Temporal.
 * Polling is fast here so that a lost callback is recovered within a test's patience.
 */
export async function startPaymentsStack(
  options: {
    pollInitialMs?: number;
    pollMaxMs?: number;
    /** A Ping API secret the sandbox then demands (`x-api-secret`) and the worker's activities send. */
    pingApiSecret?: string;
    /** The hold before settlement and the late-payment window (default: settle at once, watch for 1 s). */
    money?: { settlementHoldMs: number; latePaymentWindowMs: number };
    /** Where a notify_url may point, at create (api) and at delivery (worker); default: anywhere, for the receiver on 127.0.0.1. */
    outboundUrls?: { api?: OutboundUrlPolicy; worker?: OutboundUrlPolicy };
  } = {},
): Promise<PaymentsStack> {
  const timing = { pollInitialMs: options.pollInitialMs ?? 500, pollMaxMs: options.pollMaxMs ?? 2000 };
  const taskQueue = `payments-${Math.random().toString(36).slice(2, 10)}`;
  const sandbox = await startSandbox(options.pingApiSecret ? { apiSecret: options.pingApiSecret } : {});
  const inbox = await startInbox();
  const merchant = await startMerchantReceiver();
  const api = await startApi({ taskQueue, timing, money: options.money, webhookSecret: TEST_WEBHOOK_SECRET, outboundUrls: options.outboundUrls?.api });
  const built = createActivities(
    {
      ping: {
        paymentsApiUrl: sandbox.paymentsApiUrl,
        paymentLinksApiUrl: sandbox.paymentLinksApiUrl,
        tenantId: sandbox.tenantId,
        apiSecret: options.pingApiSecret,
      },
      publicBaseUrl: api.url,
      webhookSecret: TEST_WEBHOOK_SECRET,
      notificationSigningSecret: NOTIFICATION_SECRET,
      mail: { smtpUrl: inbox.smtpUrl, from: 'Test shop <receipts@shop.example>' },
      outboundUrls: options.outboundUrls?.worker ?? TEST_OUTBOUND_URLS,
      taskQueue,
      payments: timing,
      money: options.money ?? TEST_MONEY_TIMING,
    },
    heldLogger('test-activities'),
    {
      // A merchant's events are signed with its own secret, whose version its workflow holds.
      signingVersionOf: async (id) => (await client.workflow.getHandle(merchantWorkflowId(id)).query(merchantQuery)).signing_secret_version,
      // A subscription's invoices are started through this client, on this stack's task queue.
      temporalClient: async () => client,
    },
  );
  // As worker/main.ts does: Ping's merchant status callbacks come to this stack's API.
  await registerTenant({ ping: built.ping, publicBaseUrl: api.url, webhookSecret: TEST_WEBHOOK_SECRET });
  const worker = await startWorker({ taskQueue, activities: built.activities });
  const { client, connection }: { client: Client; connection: Connection } = await connectClient();

  const call: PaymentsStack['call'] = async (method, path, body, headers = {}) => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TEST_API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  const control: PaymentsStack['control'] = async (method, path, body) => {
    const res = await fetch(`${sandbox.url}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`sandbox control ${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };

  const waitForPayment: PaymentsStack['waitForPayment'] = async (id, predicate, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    let last: PaymentResource | undefined;
    for (;;) {
      const res = await call('GET', `/v1/payments/${id}`);
      if (res.status === 200) {
        last = res.body as PaymentResource;
        if (predicate(last)) return last;
      }
      if (Date.now() > deadline) throw new Error(`payment ${id} did not reach the expected state; last seen: ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  return {
    api,
    sandbox,
    inbox,
    merchant,
    worker,
    client,
    call,
    control,
    waitForPayment,
    async stop() {
      await worker.stop();
      await built.close();
      await api.stop();
      await connection.close();
      await merchant.stop();
      await inbox.stop();
      await sandbox.stop();
    },
  };
}

/** A valid `POST /v1/payment-links` body; tests override what they exercise. */
export function linkRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    currency: 'SEK',
    locale: 'sv-SE',
    items: [
      { description: 'Hawaii Pizza', merchant_id: MERCHANT_ID, price: 7000, quantity: 2, vat: 12 },
      { description: 'Läsk', merchant_id: MERCHANT_ID, price: 2500, quantity: 1, vat: 12 },
    ],
    customer: { first_name: 'Bertil', last_name: 'Jönsson', email: 'bertil@example.com', phone: '0701234567' },
    supplier: { name: 'Pizzeria AB', city: 'Örebro' },
    payment_methods: [{ provider: 'swish', method: 'm_commerce', parameters: { swish_message: 'Tack!' } }],
    merchant_reference: `order-${Math.random().toString(36).slice(2, 10)}`,
    ...overrides,
  };
}

/** A valid `POST /v1/pis-payments` body; the caller's pages default to a shop that does not exist. */
export function pisRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    currency: 'SEK',
    order_items: [
      { name: 'Chair', amount: 20000, vat_rate: 25, merchant_id: MERCHANT_ID },
      { name: 'Delivery', amount: 5000, vat_rate: 25, merchant_id: MERCHANT_ID },
    ],
    success_url: 'https://shop.example/paid',
    cancel_url: 'https://shop.example/cancelled',
    error_url: 'https://shop.example/error',
    payer: { email: 'payer@example.com', name: 'Petra Payer' },
    merchant_name: 'Möbelhuset AB',
    reference: `pis-${Math.random().toString(36).slice(2, 10)}`,
    ...overrides,
  };
}
