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
const createPayment = (stack: BenchStack, kind: 'payment-links' | 'pis-payments', notifyUrl?: string, extra: Record<string, unknown> = {}) =>
  post(`${stack.apiUrl}/v1/${kind}`, { ...(kind === 'payment-links' ? linkBody(notifyUrl) : pisBody(notifyUrl)), ...extra }, { authorization: `Bearer ${BENCH_API_KEY}`, 'idempotency-key': nextKey() });
const pay = (stack: BenchStack, payment: { flow: string; ping_payment_link_id: string; ping_payment_id: string }) =>
  payment.flow === 'link'
    ? post(`${stack.sandboxUrl}/_sandbox/payment-links/${payment.ping_payment_link_id}/pay`, {})
    : post(`${stack.sandboxUrl}/_sandbox/payments/${payment.ping_payment_id}/status`, { status: 'COMPLETED' });

/** How long one payment may take to be paid, or then settled, before the scenario gives up on it. */
const PAYMENT_PATIENCE_MS = 120_000;

/**
 * Counts merchant events: `payment.paid`, the last step of a payment before `completed`, and
 * `payment.settled`, sent once its order is settled at Ping (its `data.settlement.status` is
 * `settled`). A `payment.settlement_failed` is counted too, so nobody waits for a settlement that
 * Ping refused.
 */
async function startNotificationCounter() {
  const paidAt = new Map<string, number>();
  const settledAt = new Map<string, number>();
  const settlementFailed = new Set<string>();
  const waiters = new Map<string, Set<() => void>>();
  const wake = (id: string) => {
    for (const w of waiters.get(id) ?? []) w();
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const event = JSON.parse(body) as { type: string; data: { id: string; settlement?: { status: string } | null } };
      const id = event.data.id;
      if (event.type === 'payment.paid' && !paidAt.has(id)) paidAt.set(id, performance.now());
      if (event.type === 'payment.settled' && event.data.settlement?.status === 'settled' && !settledAt.has(id)) settledAt.set(id, performance.now());
      if (event.type === 'payment.settlement_failed') settlementFailed.add(id);
      wake(id);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  /** Resolves once `done(id)` holds; fails after PAYMENT_PATIENCE_MS, naming the payment and what it waited for. */
  const when = (id: string, what: string, done: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        waiters.get(id)?.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.get(id)?.delete(check);
        reject(new Error(`payment ${id}: not ${what} within ${PAYMENT_PATIENCE_MS / 1000} s`));
      }, PAYMENT_PATIENCE_MS);
      if (!waiters.has(id)) waiters.set(id, new Set());
      waiters.get(id)!.add(check);
      check();
    });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    paidAt,
    settledAt,
    settlementFailed,
    whenPaid: (id: string) => when(id, 'paid', () => paidAt.has(id)),
    /** Settled, or its settlement refused by Ping (then `settledAt` has no entry for it). */
    whenSettled: (id: string) => when(id, 'settled', () => settledAt.has(id) || settlementFailed.has(id)),
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
  /** Payments completed (paid, receipt e-mailed, merchant notified) within the window; the figure from before settlement existed. */
  completed: number;
  perSecond: number;
  /** Create → completed. */
  latency: Summary;
  /** Payments whose order was settled at Ping (`settlement.status` settled) within the window: a payment is done when settled. */
  settled: number;
  settledPerSecond: number;
  /** Create → settled. */
  settledLatency: Summary;
  /** Payments whose settlement Ping refused (none, unless something is wrong). */
  settlementFailures: number;
  /** The settlement hold the stack runs with (`SETTLEMENT_HOLD`). */
  settlementHold: string;
  /** CPU per settled payment (each one's settlement included). */
  usage: Record<string, { cpuPercent: number; rssMiB: number; cpuMsPerPayment: number }>;
}

/**
 * Scenario 2: payments created, paid, confirmed, receipt e-mailed, merchant notified, completed, and
 * settled at Ping (close → split → allocations → settle, after the stack's PT0S hold), for a while.
 * Each lane starts its next payment once the last one is settled. Completed/s (the figure from
 * before settlement) and settled/s are both counted over the same window.
 */
export async function endToEnd(stack: BenchStack, o: { seconds: number; concurrency: number }): Promise<ThroughputResult> {
  const counter = await startNotificationCounter();
  const before = Object.fromEntries(Object.entries(stack.processes).map(([name, pid]) => [name, usageOf(pid)]));
  // The load generator shares the machine: its own CPU is part of the picture.
  before.bench = usageOf(process.pid);
  const started = performance.now();
  const deadline = started + o.seconds * 1000;
  const completedIn: number[] = [];
  const settledIn: number[] = [];
  try {
    await Promise.all(
      Array.from({ length: o.concurrency }, async (_, lane) => {
        for (let i = 0; performance.now() < deadline; i++) {
          const t0 = performance.now();
          const { json } = await createPayment(stack, (lane + i) % 2 === 0 ? 'payment-links' : 'pis-payments', counter.url);
          await pay(stack, json);
          await counter.whenPaid(json.id);
          const paidAt = counter.paidAt.get(json.id)!;
          if (paidAt <= deadline) completedIn.push(paidAt - t0);
          await counter.whenSettled(json.id);
          const settledAt = counter.settledAt.get(json.id);
          if (settledAt !== undefined && settledAt <= deadline) settledIn.push(settledAt - t0);
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
      usage[name] = { cpuPercent: Math.round((cpu / elapsed) * 100), rssMiB: Math.round(after.rssMiB), cpuMsPerPayment: msPer(cpu, counter.settledAt.size) };
    }
  }
  const rate = (n: number) => Math.round((n / o.seconds) * 10) / 10;
  return {
    seconds: Math.round(elapsed),
    completed: completedIn.length,
    perSecond: rate(completedIn.length),
    latency: summarize(completedIn),
    settled: settledIn.length,
    settledPerSecond: rate(settledIn.length),
    settledLatency: summarize(settledIn),
    settlementFailures: counter.settlementFailed.size,
    settlementHold: stack.settlementHold,
    usage,
  };
}

export interface ManyOpenResult {
  open: number;
  createSeconds: number;
  rssWhileWaiting: Record<string, number>;
  payAllSeconds: number;
  completed: number;
}

/**
 * Scenario 3: many payments waiting for their webhook at once, then all paid at once. They are
 * created with `"settlement": "manual"`, so, as under production's days-long hold, no settlement
 * runs while they complete: the figure is paid → completed, as it was before settlement existed.
 */
export async function manyOpen(stack: BenchStack, o: { count: number; concurrency: number; settleSeconds: number }): Promise<ManyOpenResult> {
  const counter = await startNotificationCounter();
  try {
    const payments: Array<{ id: string; flow: string; ping_payment_link_id: string; ping_payment_id: string }> = [];
    const t0 = performance.now();
    await timed(o.count, o.concurrency, async (i) => {
      payments.push((await createPayment(stack, i % 2 === 0 ? 'payment-links' : 'pis-payments', counter.url, { settlement: 'manual' })).json);
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
