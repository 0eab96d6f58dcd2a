import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { startBaseline } from './baseline';
import { summarize, timed, type Summary } from './measure';
import { BENCH_API_KEY, BENCH_TENANT, usageOf, type BenchStack } from './stack';

const MERCHANT = '3f1d2c4b-5a69-4e7f-8a1b-2c3d4e5f6a7b';
const agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 });
let keySeq = 0;
const nextKey = () => `bench-${process.pid}-${Date.now()}-${keySeq++}`;

const linkBody = (notifyUrl?: string) => ({
  currency: 'SEK',
  locale: 'sv-SE',
  items: [{ description: 'Pizza', merchant_id: MERCHANT, price: 7000, quantity: 2, vat: 12 }],
  customer: { first_name: 'Bench', last_name: 'Payer', email: 'bench@example.com' },
  supplier: { name: 'Bench AB' },
  payment_methods: [{ provider: 'payment_iq', method: 'card' }],
  ...(notifyUrl ? { notify_url: notifyUrl } : {}),
});
const pisBody = (notifyUrl?: string) => ({
  currency: 'SEK',
  order_items: [{ name: 'Chair', amount: 20000, vat_rate: 25, merchant_id: MERCHANT }],
  success_url: 'https://shop.example/paid',
  cancel_url: 'https://shop.example/cancelled',
  error_url: 'https://shop.example/error',
  payer: { email: 'bench@example.com' },
  ...(notifyUrl ? { notify_url: notifyUrl } : {}),
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await request(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = await res.body.json();
  if (res.statusCode >= 300) throw new Error(`POST ${url}: ${res.statusCode} ${JSON.stringify(json)}`);
  return { status: res.statusCode, json };
}
const createPayment = (stack: BenchStack, kind: 'payment-links' | 'pis-payments', notifyUrl?: string) =>
  post(`${stack.apiUrl}/v1/${kind}`, kind === 'payment-links' ? linkBody(notifyUrl) : pisBody(notifyUrl), { authorization: `Bearer ${BENCH_API_KEY}`, 'idempotency-key': nextKey() });
const pay = (stack: BenchStack, payment: { flow: string; ping_payment_link_id: string; ping_payment_id: string }) =>
  payment.flow === 'link'
    ? post(`${stack.sandboxUrl}/_sandbox/payment-links/${payment.ping_payment_link_id}/pay`, {})
    : post(`${stack.sandboxUrl}/_sandbox/payments/${payment.ping_payment_id}/status`, { status: 'COMPLETED' });

/** Counts `payment.paid` notifications: the last step of a payment, right before `completed`. */
async function startNotificationCounter() {
  const paidAt = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const event = JSON.parse(body) as { type: string; data: { id: string } };
      if (event.type === 'payment.paid' && !paidAt.has(event.data.id)) {
        paidAt.set(event.data.id, performance.now());
        waiters.get(event.data.id)?.();
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    paidAt,
    whenPaid: (id: string) => (paidAt.has(id) ? Promise.resolve() : new Promise<void>((resolve) => waiters.set(id, resolve))),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface CheckoutRow {
  latencyMs: number;
  ours: Record<'link' | 'pis', Summary>;
  baseline: Summary;
  /** CPU time each of our processes spent per create (links and PIS payments together), in ms. */
  cpuMsPerCreate: Record<string, number>;
}

/** CPU seconds each process of the stack has used so far. */
function cpuNow(stack: BenchStack): Record<string, number> {
  return Object.fromEntries(Object.entries(stack.processes).map(([name, pid]) => [name, usageOf(pid)?.cpuSeconds ?? NaN]));
}
/** CPU seconds spent on `units` pieces of work, as ms per piece to one decimal. */
const msPer = (cpuSeconds: number, units: number) => Math.round((cpuSeconds * 10_000) / Math.max(units, 1)) / 10;
/** CPU ms per unit of work since `before`, per process: where a payment's cost goes. */
function cpuMsPer(stack: BenchStack, before: Record<string, number>, units: number): Record<string, number> {
  return Object.fromEntries(Object.entries(cpuNow(stack)).map(([name, s]) => [name, msPer(s - before[name]!, units)]));
}

/** Scenario 1: time until the caller holds the checkout URL, ours against a direct integration. */
export async function timeToCheckout(stack: BenchStack, o: { n: number; concurrency: number; latencies: number[] }): Promise<CheckoutRow[]> {
  const baseline = await startBaseline({ sandboxUrl: stack.sandboxUrl, tenantId: BENCH_TENANT });
  const rows: CheckoutRow[] = [];
  try {
    for (const latencyMs of o.latencies) {
      await stack.setLatency(latencyMs);
      // Warm up every path (connections, worker caches) before measuring.
      await timed(Math.min(10, o.n), o.concurrency, () => createPayment(stack, 'payment-links').then(() => undefined));
      await timed(Math.min(10, o.n), o.concurrency, () => post(`${baseline.url}/checkout`, linkBody()).then(() => undefined));
      const cpuBefore = cpuNow(stack);
      const link = await timed(o.n, o.concurrency, () => createPayment(stack, 'payment-links').then(() => undefined));
      const pis = await timed(o.n, o.concurrency, () => createPayment(stack, 'pis-payments').then(() => undefined));
      const cpuMsPerCreate = cpuMsPer(stack, cpuBefore, 2 * o.n);
      const direct = await timed(o.n, o.concurrency, () => post(`${baseline.url}/checkout`, linkBody()).then(() => undefined));
      rows.push({ latencyMs, ours: { link: summarize(link), pis: summarize(pis) }, baseline: summarize(direct), cpuMsPerCreate });
    }
  } finally {
    await stack.setLatency(0);
    await baseline.stop();
  }
  return rows;
}

export interface ThroughputResult {
  seconds: number;
  completed: number;
  perSecond: number;
  latency: Summary;
  usage: Record<string, { cpuPercent: number; rssMiB: number; cpuMsPerPayment: number }>;
}

/** Scenario 2: payments created, paid, confirmed, receipt e-mailed, merchant notified, completed, for a while. */
export async function endToEnd(stack: BenchStack, o: { seconds: number; concurrency: number }): Promise<ThroughputResult> {
  const counter = await startNotificationCounter();
  const before = Object.fromEntries(Object.entries(stack.processes).map(([name, pid]) => [name, usageOf(pid)]));
  // The load generator shares the machine: its own CPU is part of the picture.
  before.bench = usageOf(process.pid);
  const started = performance.now();
  const deadline = started + o.seconds * 1000;
  const latencies: number[] = [];
  try {
    await Promise.all(
      Array.from({ length: o.concurrency }, async (_, lane) => {
        for (let i = 0; performance.now() < deadline; i++) {
          const t0 = performance.now();
          const { json } = await createPayment(stack, (lane + i) % 2 === 0 ? 'payment-links' : 'pis-payments', counter.url);
          await pay(stack, json);
          await counter.whenPaid(json.id);
          if (performance.now() <= deadline) latencies.push(performance.now() - t0);
        }
      }),
    );
  } finally {
    await counter.stop();
  }
  const elapsed = (performance.now() - started) / 1000;
  const usage: ThroughputResult['usage'] = {};
  for (const [name, pid] of [...Object.entries(stack.processes), ['bench', process.pid] as const]) {
    const after = usageOf(pid);
    const b = before[name];
    if (after && b) {
      const cpu = after.cpuSeconds - b.cpuSeconds;
      usage[name] = { cpuPercent: Math.round((cpu / elapsed) * 100), rssMiB: Math.round(after.rssMiB), cpuMsPerPayment: msPer(cpu, latencies.length) };
    }
  }
  return { seconds: Math.round(elapsed), completed: latencies.length, perSecond: Math.round((latencies.length / o.seconds) * 10) / 10, latency: summarize(latencies), usage };
}

export interface ManyOpenResult {
  open: number;
  createSeconds: number;
  rssWhileWaiting: Record<string, number>;
  payAllSeconds: number;
  completed: number;
}

/** Scenario 3: many payments waiting for their webhook at once, then all paid at once. */
export async function manyOpen(stack: BenchStack, o: { count: number; concurrency: number; settleSeconds: number }): Promise<ManyOpenResult> {
  const counter = await startNotificationCounter();
  try {
    const payments: Array<{ id: string; flow: string; ping_payment_link_id: string; ping_payment_id: string }> = [];
    const t0 = performance.now();
    await timed(o.count, o.concurrency, async (i) => {
      payments.push((await createPayment(stack, i % 2 === 0 ? 'payment-links' : 'pis-payments', counter.url)).json);
    });
    const createSeconds = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 3000)); // let the worker settle into waiting
    const rssWhileWaiting = Object.fromEntries(Object.entries(stack.processes).map(([name, pid]) => [name, Math.round(usageOf(pid)?.rssMiB ?? NaN)]));
    const t1 = performance.now();
    await timed(payments.length, o.concurrency, (i) => pay(stack, payments[i]!).then(() => undefined));
    const deadline = Date.now() + o.settleSeconds * 1000;
    while (counter.paidAt.size < payments.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const last = Math.max(...counter.paidAt.values());
    return { open: payments.length, createSeconds: Math.round(createSeconds), rssWhileWaiting, payAllSeconds: Math.round((last - t1) / 100) / 10, completed: counter.paidAt.size };
  } finally {
    await counter.stop();
  }
}
