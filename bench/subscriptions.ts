import { Client, Connection } from '@temporalio/client';
import { Agent, request } from 'undici';
import { summarize, timed, type Summary } from './measure';
import { BENCH_API_KEY, usageOf, type BenchStack } from './stack';

const agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 });
let keySeq = 0;
const nextKey = () => `bench-sub-${process.pid}-${Date.now()}-${keySeq++}`;

/** The count `npm run bench` uses unless `--subscriptions=N` (or BENCH_SUBSCRIPTIONS) says otherwise. */
export const DEFAULT_SUBSCRIPTIONS = 2000;

export interface SubscriptionsResult {
  /** Subscriptions created and left waiting (each answered 201, `active`, with its first invoice), the warm-up's included. */
  subscriptions: number;
  /** Of those, the ones timed (all but the first few, which warm up the path). */
  measured: number;
  concurrency: number;
  /** How long the measured creates took. */
  createSeconds: number;
  /** Measured subscriptions created per second. */
  perSecond: number;
  /** `POST /v1/subscriptions` until its answer, which waits for the first invoice's payment link at Ping. */
  latency: Summary;
  /** Creates answered (201) before their first invoice existed: the API waits 10 s for it at most. */
  answeredWithoutInvoice: number;
  /** Running workflows by type once all are waiting, and in all, counted in Temporal visibility. */
  openWorkflows: { subscription: number; paymentLink: number; all: number };
  /** Resident memory of each process while the subscriptions wait for their next period (MiB). */
  rssWhileWaiting: Record<string, number>;
  /** CPU time each process spent per created subscription (its first invoice included), in ms. */
  cpuMsPerCreate: Record<string, number>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(url: string, method: 'GET' | 'POST', key: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await request(url, {
    method,
    dispatcher: agent,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
}

/** A merchant made through the API and approved by the sandbox, with a key of its own. */
async function subscriptionMerchant(stack: BenchStack): Promise<string> {
  const created = await call(
    `${stack.apiUrl}/v1/merchants`,
    'POST',
    BENCH_API_KEY,
    {
      name: 'Bench Gym AB',
      organization: { country: 'SE', se_organization_number: '5591235378' },
      supplier: { name: 'Bench Gym AB' },
      payment_methods: [{ provider: 'payment_iq', method: 'card' }],
      locale: 'sv-SE',
    },
    { 'idempotency-key': nextKey() },
  );
  if (created.status !== 201) throw new Error(`POST /v1/merchants: ${created.status} ${JSON.stringify(created.json)}`);
  const id = created.json.id as string;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const merchant = (await call(`${stack.apiUrl}/v1/merchants/${id}`, 'GET', BENCH_API_KEY)).json;
    if (merchant?.status === 'approved') break;
    if (Date.now() > deadline) throw new Error(`merchant ${id} not approved: ${JSON.stringify(merchant)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const key = await call(`${stack.apiUrl}/v1/merchants/${id}/api-keys`, 'POST', BENCH_API_KEY, {});
  if (key.status !== 201) throw new Error(`POST api-keys: ${key.status} ${JSON.stringify(key.json)}`);
  return key.json.secret as string;
}

/** A monthly subscription from now: its first invoice (a payment link) is made at create, the next one a month later. */
const subscriptionBody = (i: number) => ({
  customer: { first_name: 'Bench', last_name: `Member ${i}`, email: `member-${i}@bench.example` },
  items: [{ description: 'Gym membership', price: 19900, quantity: 1, vat: 25 }],
  currency: 'SEK',
  locale: 'sv-SE',
  interval: 'P1M',
  merchant_reference: `bench-member-${i}`,
});

/**
 * Scenario 5: `count` active subscriptions waiting for their next period. Each is created through
 * `POST /v1/subscriptions` with the merchant's key, `concurrency` at a time; the answer comes once
 * the first invoice's payment link exists at Ping. With `P1M` nothing else happens in the bench's
 * minutes, so what is left is what waiting costs: the RSS of the worker and the dev server (and of
 * every process), and the open workflows (one subscription and one invoice payment each).
 */
export async function manySubscriptions(stack: BenchStack, o: { count: number; concurrency: number }): Promise<SubscriptionsResult> {
  if (!Number.isSafeInteger(o.count) || o.count < 1) throw new Error(`--subscriptions must be a whole number, 1 or more (got ${o.count})`);
  const merchantKey = await subscriptionMerchant(stack);
  let withoutInvoice = 0;
  const create = async (i: number) => {
    const res = await call(`${stack.apiUrl}/v1/subscriptions`, 'POST', merchantKey, subscriptionBody(i), { 'idempotency-key': nextKey() });
    const invoices = res.json?.invoices?.length;
    // The API waits 10 s at most for the first invoice, then answers without it (it comes later).
    if (res.status !== 201 || res.json?.status !== 'active' || (invoices !== 1 && invoices !== 0)) {
      throw new Error(`POST /v1/subscriptions: ${res.status} ${JSON.stringify(res.json).slice(0, 500)}`);
    }
    if (invoices === 0) withoutInvoice += 1;
  };
  // The first few warm up the path (connections, the key cache, the worker's caches) and are not
  // measured; they wait with the others, so `count` subscriptions wait in all.
  const warmUp = Math.min(10, Math.floor(o.count / 2));
  const measured = o.count - warmUp;
  await timed(warmUp, o.concurrency, create);
  const cpuBefore = Object.fromEntries(Object.entries(stack.processes).map(([name, pid]) => [name, usageOf(pid)?.cpuSeconds ?? NaN]));
  const t0 = performance.now();
  const latencies = await timed(measured, o.concurrency, (i) => create(warmUp + i));
  const createSeconds = (performance.now() - t0) / 1000;
  const cpuMsPerCreate = Object.fromEntries(
    Object.entries(stack.processes).map(([name, pid]) => [name, Math.round((((usageOf(pid)?.cpuSeconds ?? NaN) - cpuBefore[name]!) * 10_000) / Math.max(measured, 1)) / 10]),
  );

  // Let the worker settle into waiting (the last invoices' follow-up tasks), then read.
  await new Promise((r) => setTimeout(r, 3000));
  const rssWhileWaiting = Object.fromEntries(Object.entries(stack.processes).map(([name, pid]) => [name, Math.round(usageOf(pid)?.rssMiB ?? NaN)]));
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const client = new Client({ connection, namespace: 'default' });
    const running = async (clause?: string) => (await client.workflow.count(`ExecutionStatus = 'Running'${clause ? ` AND ${clause}` : ''}`)).count;
    // Visibility is written just after each change, and a create answered without its invoice has it
    // made later: wait (briefly) until it shows every subscription and every first invoice.
    const deadline = Date.now() + 60_000;
    const count = async () => ({ subscription: await running(`WorkflowType = 'subscription'`), paymentLink: await running(`WorkflowType = 'paymentLink'`) });
    let open = await count();
    while ((open.subscription < o.count || open.paymentLink < o.count) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      open = await count();
    }
    const openWorkflows = { ...open, all: await running() };
    return {
      subscriptions: o.count,
      measured,
      concurrency: o.concurrency,
      createSeconds: Math.round(createSeconds * 10) / 10,
      perSecond: Math.round((measured / createSeconds) * 10) / 10,
      latency: summarize(latencies),
      answeredWithoutInvoice: withoutInvoice,
      openWorkflows,
      rssWhileWaiting,
      cpuMsPerCreate,
    };
  } finally {
    await connection.close();
  }
}
