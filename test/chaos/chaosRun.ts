import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { createApp } from '../../api/app';
import { RATE_LIMITS_OFF } from '../../api/rateLimits';
import { loadDevServerTuning } from '../../common/config/devServer';
import { createLogger } from '../../common/logger';
import { spawnService, type Service } from '../../scripts/childProcess';
import { startDevServer, type DevServer } from '../../scripts/devServer';
import { waitForWorkerProcess } from '../../scripts/readiness';
import { ensureTemporalCli, type TemporalCli } from '../../scripts/temporalCli';
import { paymentQuery } from '../../domain/messages';
import type { PaymentResource } from '../../domain/payment';
import { receiptMessageId, refundMessageId } from '../../activities/mail/messageId';
import type { CountersView } from '../../sandbox/counters';
import { startInbox, type RunningInbox } from '../helpers/inbox';
import { linkRequest, pisRequest, startMerchantReceiver, type MerchantReceiver } from '../helpers/paymentsStack';
import { freePort } from '../helpers/ports';
import { startSandbox, type RunningSandbox } from '../helpers/sandbox';
import { chaosSecrets } from './chaosSecrets';
import { CHAOS_WAVE, cannotGetThere, endedAsIntended, PLANS, type ChaosPlan, type PlanSpec } from './chaosPlans';
import { workerChildEnv } from '../helpers/workerEnv';
import { projectWorkflowBundle } from '../../worker/workflowBundle';

/**
 * The chaos run: many payments of both flows while the worker is SIGKILLed and restarted, the
 * Temporal server (SQLite) restarts, and the Ping sandbox answers 5xx, adds latency, processes a
 * request but fails its answer, and drops, duplicates and reorders callbacks. The money after the
 * payment runs through the same chaos (docs/money.md): paid payments are settled at Ping at once
 * (`settlementHoldMs: 0`), a share is refunded through the API first (created with manual
 * settlement, so the refund surely comes before it; some with the same Idempotency-Key twice at
 * once, all again once refunded), and some are paid late at Ping after they ended (refunded
 * automatically, or accepted). Afterwards it checks, from the sandbox, the SMTP inbox, the merchant
 * receiver and Temporal, that every payment ended as intended (chaosPlans.ts) with exactly one live
 * link/payment at Ping, each paid order settled once or refunded once, one receipt, one refund
 * e-mail per refund and each of its notifications once.
 */

export interface ChaosOptions {
  payments: number;
  concurrency: number;
  workerKills: number;
  serverRestarts: number;
  /** Seconds to wait for every payment to end as intended after the last is started. */
  settleSeconds: number;
  log?: (line: string) => void;
}

interface ChaosPayment {
  id: string;
  plan: ChaosPlan;
  /** The link's id at Ping, or the PIS payment's. */
  pingId: string;
  /** Its payment order at Ping, from the create's answer (so Ping is checked even if our API cannot show the payment). */
  orderId: string | null;
  email: string;
  /** The Idempotency-Key of its refund through the API (refund plans). */
  refundKey: string;
  /** Its refund is asked twice at once with the same key; otherwise, once refunded, once more with a new key. */
  doubleClick: boolean;
}

/** The sandbox's control view of an order (GET /_sandbox/payment-orders/:id). */
interface PingOrderView {
  status: string;
  payments: Array<{ id: string; status: string; refunds: unknown[] | null }>;
  allocations: unknown[];
}

const API_KEY = 'sk_chaos_0123456789abcdef';
/**
 * How long an ended payment watches Ping for a late payment. The run completes a late PIS payment
 * at Ping once the payment's `payment.expired` is in and its create has answered (the answer names
 * Ping's payment). A create whose first workflow task died with a killed worker answers only when
 * the server hands its update to a later task: 45 s after the start in one run on a loaded
 * machine, by which time a 6 s window had closed and the late payment went unseen. So a minute;
 * the payments that end unpaid poll Ping through it on the run's short backoff.
 */
const LATE_PAYMENT_WINDOW_MS = 60_000;
/** How long the run waits for the deliveries that follow a payment's last state, at most. */
const DELIVERIES_WAIT_MS = 45_000;
/** The payer's deadline of a PIS payment that is paid late (the API's least). */
const LATE_PIS_TIMEOUT_SECONDS = 5;
const FAULTS = {
  latency_ms: 15,
  error_rate: 0.1,
  error_status: 503,
  fail_after_processing_rate: 0.05,
  callbacks: { drop_rate: 0.15, duplicate_rate: 0.25, delay_ms: 50, reorder: true, reorder_window_ms: 150 },
};

export interface ChaosReport {
  ok: boolean;
  problems: string[];
  table: Array<[string, string | number]>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** `fn` for every item, `size` at a time. */
async function inPool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

/**
 * The closest two chaos events (kills, server restarts) may come. A restarted worker polls within
 * about a second (its workflow bundle is built once: worker/workflowBundle.ts), so at 2 s each kill
 * still hits a worker that has run tasks; on a slower machine the kills wait for that.
 */
export const MIN_EVENT_SPACING_MS = 2000;
/** How long a worker polls before it may be killed. */
const MIN_WORKER_UPTIME_MS = 1000;

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'chaos-'));
  const started = Date.now();
  const cli: TemporalCli = await ensureTemporalCli({ log });
  const temporalPort = await freePort();
  const tuning = loadDevServerTuning(process.env);
  const startServer = () => startDevServer({ cli, port: temporalPort, namespace: 'default', dbFile: path.join(dataDir, 'temporal.db'), tuning });
  let server: DevServer = await startServer();
  const address = server.address;
  const secrets = chaosSecrets();
  const taskQueue = 'payments-chaos';
  const timing = { pollInitialMs: 1000, pollMaxMs: 4000 };

  let sandbox: RunningSandbox | undefined;
  let inbox: RunningInbox | undefined;
  let merchant: MerchantReceiver | undefined;
  let apiServer: http.Server | undefined;
  let connection: Connection | undefined;
  let worker: Service | undefined;
  let stopping = false;
  const counts = { workerKills: 0, workerRestarts: 0, serverRestarts: 0, apiRetries: 0 };

  try {
    sandbox = await startSandbox();
    inbox = await startInbox();
    merchant = await startMerchantReceiver();
    connection = Connection.lazy({ address });
    const client = new Client({ connection, namespace: 'default', ...secrets.clientOptions });
    const app = createApp({
      logger: createLogger({ name: 'chaos-api', level: 'fatal', format: 'json' }),
      apiKeys: [API_KEY],
      // The merchant receiver listens on 127.0.0.1 over http (common/outboundUrl.ts would refuse it).
      outboundUrls: { allowHttp: true, allowPrivate: true },
      client,
      taskQueue,
      webhookSecret: secrets.webhookSecret,
      timing,
      money: { settlementHoldMs: 0, latePaymentWindowMs: LATE_PAYMENT_WINDOW_MS },
      // The run retries every create and read through kills with one key: a 429 would be noise, not chaos.
      rateLimits: RATE_LIMITS_OFF,
    });
    apiServer = http.createServer(app);
    await new Promise<void>((resolve) => apiServer!.listen(0, '127.0.0.1', resolve));
    const apiUrl = `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}`;

    const workerEnv = workerChildEnv({
      temporalAddress: address,
      taskQueue,
      sandbox,
      publicBaseUrl: apiUrl,
      webhookSecret: secrets.webhookSecret,
      notificationSecret: secrets.notificationSecret,
      smtpUrl: inbox.smtpUrl,
      timing,
    });
    // Built before the first worker, so no worker spends its first seconds in webpack (and a kill
    // during that build cannot make the next worker start from scratch again).
    const { bundle: workflowBundle } = await projectWorkflowBundle();
    // A worker that dies for any reason, our SIGKILL or its own, is restarted: nothing may depend on
    // it staying up. One that keeps dying young on its own is broken, not unlucky: the run stops and
    // says so. Our kills do not count, however soon after a start they come.
    let youngDeaths = 0;
    let workerBroken: string | undefined;
    const killedByUs = new WeakSet<Service>();
    /** Spawn → the server sees the worker poll, per worker (the first one included). */
    const firstPollMs: number[] = [];
    /** When each worker first polled; undefined if it exited before. */
    const polled = new WeakMap<Service, Promise<number | undefined>>();
    const startWorker = () => {
      const born = Date.now();
      const w = spawnService('worker', workerEnv, { stdio: ['ignore', 'ignore', 'inherit'] });
      polled.set(
        w,
        waitForWorkerProcess(connection!, 'default', taskQueue, w.child, { timeoutMs: Infinity, intervalMs: 100, stop: () => stopping }).then((seen) => {
          if (!seen) return undefined;
          firstPollMs.push(Date.now() - born);
          return Date.now();
        }),
      );
      void w.exited.then(async (code) => {
        if (stopping || worker !== w) return;
        if (!killedByUs.has(w)) youngDeaths = Date.now() - born < 5000 ? youngDeaths + 1 : 0;
        if (youngDeaths >= 5) {
          workerBroken = `the worker died on its own ${youngDeaths} times within 5 s of starting (last exit: ${code})`;
          return;
        }
        await sleep(200 * youngDeaths);
        counts.workerRestarts += 1;
        worker = startWorker();
      });
      return w;
    };
    worker = startWorker();
    await sandbox.request('PUT', '/_sandbox/faults', { body: FAULTS });

    // --- load, with the same Idempotency-Key on every retry of a create, as a careful client does.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const call = async (method: string, urlPath: string, body?: unknown, key?: string, attempts = 60): Promise<{ status: number; body: any; attempts: number }> => {
      for (let attempt = 1; ; attempt++) {
        if (workerBroken) throw new Error(workerBroken);
        try {
          const res = await fetch(`${apiUrl}${urlPath}`, {
            method,
            headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(30_000),
          });
          const text = await res.text();
          if (res.status < 500 || attempt >= attempts) return { status: res.status, body: text ? JSON.parse(text) : undefined, attempts: attempt };
        } catch {
          if (attempt >= attempts) throw new Error(`${method} ${urlPath}: no answer after ${attempt} attempts`);
        }
        counts.apiRetries += 1;
        await sleep(Math.min(250 * attempt, 2000));
      }
    };

    const payments: ChaosPayment[] = [];
    const failures: string[] = [];
    /** What each payment's wait-and-act step (a refund, a late payment) does after its lane moved on. */
    const followUps: Array<Promise<void>> = [];
    const refunds = { requests: 0, answers: new Map<string, number[]>(), newKeyRefused: 0 };
    const control = (what: string, payload: unknown) => sandbox!.request('POST', `/_sandbox/${what}`, { body: payload });
    /** The merchant events' ids seen so far, read on from where the last look stopped. */
    const eventsSeen = new Set<string>();
    let eventsRead = 0;
    const hasEvent = (eventId: string) => {
      for (; eventsRead < merchant!.events.length; eventsRead++) eventsSeen.add(merchant!.events[eventsRead]!.event.id);
      return eventsSeen.has(eventId);
    };
    /**
     * Until the merchant receiver has the payment's event (the workflow sends it once the state is
     * recorded): no query, so it needs no worker, and a late payment can follow at once, inside the
     * late-payment window (which opens after the ended payment's event), even while a worker restarts.
     */
    const waitForEvent = async (id: string, type: string, timeoutMs: number): Promise<boolean> => {
      const deadline = Date.now() + timeoutMs;
      while (!hasEvent(`evt_${id}_${type}`)) {
        if (Date.now() > deadline || workerBroken) return false;
        await sleep(100);
      }
      return true;
    };
    /**
     * The merchant's cancel. A 409 `payment_final` to a retry (the first attempt's answer was lost,
     * a 5xx while the server restarted) is the cancel that went through; `payment.cancelled` shows it.
     */
    const cancel = async (p: ChaosPayment): Promise<boolean> => {
      const res = await call('POST', `/v1/payments/${p.id}/cancel`);
      if (res.status === 200 && res.body?.status === 'cancelled') return true;
      if (res.status === 409 && res.body?.error?.code === 'payment_final' && res.attempts > 1 && (await waitForEvent(p.id, 'payment.cancelled', 90_000))) return true;
      failures.push(`${p.id}: cancel answered ${res.status} ${JSON.stringify(res.body)}${res.attempts > 1 ? ` (attempt ${res.attempts})` : ''}`);
      return false;
    };
    const refundBody = { reason: 'requested_by_customer' };
    const askRefund = async (p: ChaosPayment, key: string) => {
      refunds.requests += 1;
      const res = await call('POST', `/v1/payments/${p.id}/refunds`, refundBody, key);
      refunds.answers.set(p.id, [...(refunds.answers.get(p.id) ?? []), res.status]);
      const refund = (res.body as PaymentResource | undefined)?.refund;
      if ((res.status !== 201 && res.status !== 200) || !refund || refund.reason !== 'requested_by_customer' || refund.status === 'failed') {
        failures.push(`${p.id}: refund answered ${res.status} ${JSON.stringify(res.body)}`);
      }
    };
    /** A refund through the API once the payment is paid: some as a double click (the same key twice at once); every call retried on a 5xx with its key. */
    const refundThroughApi = async (p: ChaosPayment) => {
      if (!(await waitForEvent(p.id, 'payment.paid', 90_000))) {
        failures.push(`${p.id} (${p.plan}): no payment.paid within 90 s, so it was not refunded`);
        return;
      }
      await Promise.all((p.doubleClick ? [1, 2] : [1]).map(() => askRefund(p, p.refundKey)));
    };
    /** Ping completes a payment we have ended: a PIS payment once it has expired, a link once the merchant cancelled it. */
    const payLate = async (p: ChaosPayment) => {
      if (p.plan === 'link:late') {
        if (!(await cancel(p))) return;
        const paid = await control(`payment-links/${p.pingId}/pay`, { late: true });
        if (paid.status !== 200) failures.push(`${p.id}: the late payment of link ${p.pingId} answered ${paid.status} ${paid.text}`);
        return;
      }
      if (!(await waitForEvent(p.id, 'payment.expired', 90_000))) {
        failures.push(`${p.id} (${p.plan}): no payment.expired within 90 s, so it was not paid late`);
        return;
      }
      const paid = await control(`payments/${p.pingId}/status`, { status: 'COMPLETED' });
      if (paid.status !== 200 || paid.json().changed !== true) failures.push(`${p.id}: completing STOPPED payment ${p.pingId} late answered ${paid.status} ${paid.text}`);
    };
    const runOne = async (i: number) => {
      const plan = CHAOS_WAVE[i % CHAOS_WAVE.length]!;
      const spec = PLANS[plan];
      const email = `payer-${i}@chaos.example`;
      const key = `chaos-${i}-${started}`;
      const isLink = spec.flow === 'link';
      const money = {
        // Refunded before settlement, surely: a manual settlement waits until asked.
        ...(spec.refunded && !spec.late ? { settlement: 'manual' } : {}),
        ...(plan === 'pis:late-accept' ? { late_payment: 'accept' } : {}),
      };
      const body = isLink
        ? linkRequest({
            merchant_reference: key,
            notify_url: merchant!.url,
            customer: { first_name: 'Chaos', last_name: `Payer ${i}`, email },
            ...(plan === 'link:expire' ? { due_at: new Date(Date.now() + 15_000).toISOString() } : {}),
            ...money,
          })
        : pisRequest({
            reference: key.slice(-35),
            notify_url: merchant!.url,
            payer: { email },
            ...(plan === 'pis:timeout' ? { timeout_seconds: 15 } : spec.late ? { timeout_seconds: LATE_PIS_TIMEOUT_SECONDS } : {}),
            ...money,
          });
      const created = await call('POST', isLink ? '/v1/payment-links' : '/v1/pis-payments', body, key);
      if (created.status !== 201 && created.status !== 200) {
        failures.push(`${key}: create answered ${created.status} ${JSON.stringify(created.body)}`);
        return;
      }
      const p = created.body as PaymentResource;
      const pingId = (isLink ? p.ping_payment_link_id : p.ping_payment_id)!;
      // Of each wave's two refunds through the API, one is a double click.
      const doubleClick = (Math.floor(i / CHAOS_WAVE.length) + (plan === 'pis:refund' ? 1 : 0)) % 2 === 0;
      const payment: ChaosPayment = { id: p.id, plan, pingId, orderId: p.ping_payment_order_id, email, refundKey: `refund-${key}`, doubleClick };
      payments.push(payment);
      await sleep(200 + (i % 7) * 100);
      if (plan === 'link:pay' || plan === 'link:refund') await control(`payment-links/${pingId}/pay`, {});
      if (plan === 'pis:pay' || plan === 'pis:refund') await control(`payments/${pingId}/status`, { status: 'COMPLETED' });
      if (plan === 'pis:abort') await control(`payments/${pingId}/status`, { status: 'ABORTED' });
      if (plan === 'link:cancel') await cancel(payment);
      const next = spec.late ? payLate : spec.refunded ? refundThroughApi : undefined;
      if (next) followUps.push(next(payment).catch((err: unknown) => void failures.push(`${p.id} (${plan}): ${err instanceof Error ? err.message : String(err)}`)));
    };

    // --- the load and the chaos events share one window, so creates also meet a restarting server.
    const events = options.workerKills + options.serverRestarts;
    const windowMs = Math.max((events + 1) * MIN_EVENT_SPACING_MS, options.payments * 100);
    const spacingMs = windowMs / options.payments;
    const eventSpacingMs = windowMs / (events + 1);
    const loadDone = (async () => {
      let next = 0;
      await Promise.all(
        Array.from({ length: options.concurrency }, async () => {
          while (next < options.payments) {
            const i = next++;
            const due = started + i * spacingMs;
            if (due > Date.now()) await sleep(due - Date.now());
            await runOne(i);
          }
        }),
      );
    })();
    const killedAt: number[] = [];
    const chaos = (async () => {
      // Interleaved (kill, restart, kill, ...) at a steady pace while the load runs.
      const order: Array<'kill' | 'restart'> = [];
      for (let i = 0; i < Math.max(options.workerKills, options.serverRestarts); i++) {
        if (i < options.workerKills) order.push('kill');
        if (i < options.serverRestarts) order.push('restart');
      }
      for (const event of order) {
        await sleep(eventSpacingMs);
        if (event === 'kill' && worker?.child.pid) {
          const victim = worker;
          // A kill tests recovery only if the worker it hits has taken work: it polls, and gets a
          // moment to run tasks, before it dies (else a slow start would leave no worker at all).
          const pollingSince = await Promise.race([polled.get(victim), sleep(30_000).then(() => undefined)]);
          if (pollingSince) await sleep(pollingSince + MIN_WORKER_UPTIME_MS - Date.now());
          log(`  chaos: SIGKILL worker ${victim.child.pid}`);
          killedByUs.add(victim);
          victim.child.kill('SIGKILL');
          killedAt.push(Date.now());
          counts.workerKills += 1;
          await victim.exited; // the exit handler starts a new worker
        } else if (event === 'restart') {
          log('  chaos: restarting the Temporal server');
          await server.stop();
          await sleep(1000);
          server = await startServer();
          counts.serverRestarts += 1;
        }
      }
    })();
    await Promise.all([loadDone, chaos]);
    const loadSeconds = (Date.now() - started) / 1000;
    await Promise.all(followUps);
    const since = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
    log(`  load done: ${payments.length} payments started in ${loadSeconds.toFixed(0)} s, refunds asked and late payments made by ${since()}; waiting for each to end as intended`);

    // --- every payment reaches what its plan intends (or the check below reports it): completed
    // and settled at Ping, refunded, or ended unpaid; a late one by way of its late payment.
    const deadline = Date.now() + options.settleSeconds * 1000;
    const finalOf = new Map<string, PaymentResource>();
    const lastSeen = new Map<string, PaymentResource>();
    /** The last answer to a GET that was not a 200, for a payment never seen (the loop itself tries again). */
    const lastFailure = new Map<string, string>();
    while (Date.now() < deadline && finalOf.size < payments.length && !workerBroken) {
      for (const p of payments) {
        if (finalOf.has(p.id)) continue;
        const res = await call('GET', `/v1/payments/${p.id}`, undefined, undefined, 1).catch((err: Error) => ({ status: 0, body: err.message, attempts: 1 }));
        if (res.status !== 200) {
          lastFailure.set(p.id, `GET answered ${res.status} ${JSON.stringify(res.body)}`.slice(0, 400));
          continue;
        }
        lastFailure.delete(p.id);
        const seen = res.body as PaymentResource;
        lastSeen.set(p.id, seen);
        if (endedAsIntended(p.plan, seen) || cannotGetThere(p.plan, seen)) finalOf.set(p.id, seen);
      }
      if (finalOf.size < payments.length) await sleep(1000);
    }
    log(`  ${finalOf.size} of ${payments.length} payments ended at ${since()}`);
    await sandbox.request('PUT', '/_sandbox/faults', { body: {} });

    // --- a refund asked again once done: the same key answers with the same refund (200, from the
    // closed workflow); a new key is refused, and neither reaches Ping.
    const refundedThroughApi = payments.filter((p) => !PLANS[p.plan].late && PLANS[p.plan].refunded && finalOf.get(p.id)?.status === 'refunded');
    await inPool(refundedThroughApi, 16, async (p) => {
      refunds.requests += 1;
      const again = await call('POST', `/v1/payments/${p.id}/refunds`, refundBody, p.refundKey);
      refunds.answers.set(p.id, [...(refunds.answers.get(p.id) ?? []), again.status]);
      if (again.status !== 200 || again.body?.status !== 'refunded') failures.push(`${p.id}: the refund's key again, once refunded, answered ${again.status} ${JSON.stringify(again.body)}`);
      if (p.doubleClick) return;
      const other = await call('POST', `/v1/payments/${p.id}/refunds`, refundBody, `${p.refundKey}-2`);
      if (other.status === 409 && other.body?.error?.code === 'already_refunded') refunds.newKeyRefused += 1;
      else failures.push(`${p.id}: a refund with a new key, once refunded, answered ${other.status} ${JSON.stringify(other.body)}`);
    });
    log(`  refunds asked again by ${since()}`);

    // --- the deliveries that follow a state (the refund e-mail, payment.refunded, payment.settled),
    // then a moment for late duplicate callbacks and retried notifications.
    const idOf = (m: { message_id: string | null }) => (m.message_id ?? '').replace(/^<|>$/g, '');
    const bare = (id: string) => id.replace(/^<|>$/g, '');
    const mailsFor = (messageId: string) => inbox!.messages().filter((m) => idOf(m) === bare(messageId));
    const eventIds = (p: ChaosPayment) => merchant!.events.filter((e) => e.event.data.id === p.id).map((e) => e.event.id);
    const delivered = (p: ChaosPayment) => {
      const spec = PLANS[p.plan];
      const ids = new Set(eventIds(p));
      return (
        (!spec.receipt || mailsFor(receiptMessageId(p.id)).length > 0) &&
        (!spec.refunded || mailsFor(refundMessageId(p.id)).length > 0) &&
        spec.events.every((type) => ids.has(`evt_${p.id}_${type}`))
      );
    };
    // Deliveries follow the state they report, and one in flight when a worker was killed is tried
    // again only after its start-to-close timeout (30 s: workflows/activityOptions.ts).
    const deliveriesUntil = Date.now() + DELIVERIES_WAIT_MS;
    let nextNote = Date.now() + 5000;
    let waiting = payments.filter((p) => finalOf.has(p.id) && endedAsIntended(p.plan, finalOf.get(p.id)!));
    while ((waiting = waiting.filter((p) => !delivered(p))).length > 0 && Date.now() < deliveriesUntil) {
      if (Date.now() > nextNote) {
        log(`  waiting for the deliveries of ${waiting.length} payments, e.g. ${waiting[0]!.id} (${waiting[0]!.plan})`);
        nextNote += 5000;
      }
      await sleep(250);
    }
    log(`  deliveries in by ${since()}`);
    await sleep(2000);

    // --- checks
    const problems = [...failures, ...(workerBroken ? [workerBroken] : [])];
    let asIntended = 0;
    for (const p of payments) {
      const spec = PLANS[p.plan];
      const final = finalOf.get(p.id);
      const seen = final ?? lastSeen.get(p.id);
      const shown = (x: PaymentResource | undefined) => (x ? `${x.status}${x.settlement ? ` (settlement ${x.settlement.status})` : ''}` : 'unknown');
      const intended = `${spec.ends}${spec.settles ? ' (settlement settled)' : ''}`;
      if (!final || !endedAsIntended(p.plan, final)) {
        // What Temporal says of it too: a workflow that fails its tasks, or a query that cannot be
        // answered, shows here; its history is kept for a replay (test/replay, Worker.runReplayHistory).
        const workflow = final ? '' : await workflowDiagnosis(client, p.id);
        const failure = lastFailure.get(p.id);
        problems.push(`${p.id} (${p.plan}) ${final ? 'ended' : 'never ended: last seen'} ${shown(seen)}, expected ${intended}${failure ? ` (last ${failure})` : ''}${workflow}`);
        continue;
      }
      asIntended += 1;
      if (final.late_payment !== spec.late) problems.push(`${p.id} (${p.plan}): late_payment ${final.late_payment}, expected ${spec.late}`);
      if (spec.refunded) {
        const reason = spec.late ? 'late_payment' : 'requested_by_customer';
        if (final.refund?.status !== 'succeeded' || final.refund.reason !== reason) problems.push(`${p.id} (${p.plan}): refund ${JSON.stringify(final.refund)}, expected succeeded, reason ${reason}`);
      }
    }

    const pingGet = async (urlPath: string) => (await sandbox!.request('GET', urlPath)).json();
    const links = (await pingGet('/payment_links/api/v1/payment_links')) as Array<{ payment_order_id: string; status: string; metadata?: Record<string, string> | null }>;
    let liveAtPing = 0;
    let chargedTwice = 0;
    let refundsAtPing = 0;
    let refundedTwice = 0;
    let settledOrders = 0;
    for (const p of payments) {
      const spec = PLANS[p.plan];
      const orderId = (finalOf.get(p.id) ?? lastSeen.get(p.id))?.ping_payment_order_id ?? p.orderId;
      if (!orderId) continue;
      if (spec.flow === 'link') {
        // By our payment id too: a link made by a run that crashed before recording it sits on another order.
        const mine = links.filter((l) => l.payment_order_id === orderId || l.metadata?.orchestrator_payment_id === p.id);
        const live = mine.filter((l) => l.status === 'CREATED' || l.status === 'COMPLETED');
        const paid = mine.filter((l) => l.status === 'COMPLETED');
        liveAtPing += live.length;
        if (live.length > 1 || mine.length !== 1) problems.push(`${p.id}: ${mine.length} links at Ping (${mine.map((l) => l.status).join(', ')})`);
        if (paid.length > 1) chargedTwice += 1;
      } else {
        const order = (await pingGet(`/payments/api/v1/payment_orders/${orderId}`)) as { payments: Array<{ status: string }> };
        const live = order.payments.filter((x) => !['COMPLETED', 'DECLINED', 'CRASHED', 'EXPIRED', 'ABORTED', 'STOPPED'].includes(x.status));
        const paid = order.payments.filter((x) => x.status === 'COMPLETED');
        liveAtPing += live.length + paid.length;
        if (live.length > 0) problems.push(`${p.id}: ${live.length} payments still live at Ping`);
        if (paid.length > 1) chargedTwice += 1;
      }
      // The money, from the sandbox's own view of the order: its status, its payments' refunds, its allocations.
      const order = (await pingGet(`/_sandbox/payment-orders/${orderId}`)) as PingOrderView;
      const refundsHere = order.payments.reduce((n, x) => n + (x.refunds?.length ?? 0), 0);
      refundsAtPing += refundsHere;
      if (refundsHere > 1) refundedTwice += 1;
      if (refundsHere !== (spec.refunded ? 1 : 0)) problems.push(`${p.id} (${p.plan}): ${refundsHere} refunds at Ping, expected ${spec.refunded ? 1 : 0}`);
      if (order.status === 'SETTLED') settledOrders += 1;
      if (spec.settles && (order.status !== 'SETTLED' || order.allocations.length === 0)) problems.push(`${p.id} (${p.plan}): order ${order.status} with ${order.allocations.length} allocations at Ping, expected SETTLED`);
      if (!spec.settles && (order.status === 'SPLIT' || order.status === 'SETTLED')) problems.push(`${p.id} (${p.plan}): order ${order.status} at Ping, expected it never split`);
    }
    if (chargedTwice > 0) problems.push(`${chargedTwice} payments were paid twice at Ping`);
    const count = (pick: (spec: PlanSpec) => boolean) => payments.filter((p) => pick(PLANS[p.plan])).length;
    const paidCount = count((s) => s.paidAtPing);
    const refundedCount = count((s) => s.refunded);
    if (liveAtPing !== paidCount) problems.push(`${liveAtPing} links/payments live or paid at Ping, expected exactly the ${paidCount} paid`);

    const counters = (await sandbox.request('GET', '/_sandbox/counters')).json() as CountersView;
    const settledAtPing = counters.payment_orders_by_status.SETTLED;
    if (settledAtPing !== paidCount - refundedCount || settledOrders !== settledAtPing) {
      problems.push(`${settledAtPing} orders SETTLED at Ping (${settledOrders} of them our payments'), expected paid − refunded = ${paidCount} − ${refundedCount}`);
    }
    if (counters.refunds.accepted !== refundedCount || refundsAtPing !== refundedCount) {
      problems.push(`Ping accepted ${counters.refunds.accepted} refunds (${refundsAtPing} on our payments' orders), expected one per refunded payment: ${refundedCount}`);
    }
    if (refundedTwice > 0) problems.push(`${refundedTwice} payments were refunded twice at Ping`);
    let created201 = 0;
    let answered200 = 0;
    for (const [id, statuses] of refunds.answers) {
      const firsts = statuses.filter((s) => s === 201).length;
      created201 += firsts;
      answered200 += statuses.filter((s) => s === 200).length;
      if (firsts > 1) problems.push(`${id}: ${firsts} refund requests under one Idempotency-Key answered 201 (a new refund)`);
    }
    const late = payments.filter((p) => PLANS[p.plan].late);
    const endedOf = (p: ChaosPayment) => finalOf.get(p.id);
    const lateRefunded = late.filter((p) => endedOf(p)?.status === 'refunded' && endedOf(p)?.late_payment).length;
    const lateAccepted = late.filter((p) => endedOf(p)?.status === 'completed' && endedOf(p)?.settlement?.status === 'settled' && endedOf(p)?.late_payment).length;
    const lateLeft = late.length - lateRefunded - lateAccepted;
    if (lateLeft > 0) problems.push(`${lateLeft} late payments were left neither refunded nor accepted`);

    const mailStats = (messageId: (id: string) => string, shouldHave: (spec: PlanSpec) => boolean, what: string) => {
      let raw = 0;
      let distinct = 0;
      for (const p of payments) {
        const mine = mailsFor(messageId(p.id));
        raw += mine.length;
        const n = new Set(mine.map(idOf)).size;
        distinct += n;
        const expected = shouldHave(PLANS[p.plan]) ? 1 : 0;
        if (n !== expected) problems.push(`${p.id} (${p.plan}): ${n} distinct ${what}, expected ${expected}`);
      }
      return `${raw} / ${distinct}`;
    };
    const receiptsRow = mailStats(receiptMessageId, (s) => s.receipt, 'receipts');
    const refundMailsRow = mailStats(refundMessageId, (s) => s.refunded, 'refund e-mails');
    let notesRaw = 0;
    let notesDistinct = 0;
    for (const p of payments) {
      const mine = merchant.events.filter((e) => e.event.data.id === p.id);
      notesRaw += mine.length;
      const distinct = [...new Set(mine.map((e) => e.event.id))].sort();
      notesDistinct += distinct.length;
      if (mine.some((e) => !e.verified)) problems.push(`${p.id}: a notification failed its signature`);
      const expected = PLANS[p.plan].events.map((type) => `evt_${p.id}_${type}`).sort();
      if (JSON.stringify(distinct) !== JSON.stringify(expected)) problems.push(`${p.id} (${p.plan}): notifications ${JSON.stringify(distinct)}, expected ${JSON.stringify(expected)}`);
    }

    // Every history replays against the workflow code: a payment whose history does not (a
    // nondeterminism) answers no query once its workflow is out of the worker's cache, and one
    // still open would fail its next workflow task after a worker restart.
    const unreplayable = await replayFailures(client, workflowBundle, payments.map((p) => p.id));
    for (const [id, error] of unreplayable) problems.push(`${id}: its history does not replay: ${error}`);
    log(`  histories replayed by ${since()}`);

    const visible = await client.workflow.count(`WorkflowId STARTS_WITH 'pis-payment-chaos' OR WorkflowId STARTS_WITH 'payment-link-chaos'`).catch(() => undefined);
    const byPlan = Object.fromEntries(Object.keys(PLANS).map((plan) => [plan, payments.filter((p) => p.plan === plan).length]));

    const killGaps = killedAt.slice(1).map((at, i) => at - killedAt[i]!);
    const table: Array<[string, string | number]> = [
      ['payments started', payments.length],
      ...Object.entries(byPlan).map(([plan, n]) => [`  ${plan}`, n] as [string, number]),
      ['payments ended as intended', asIntended],
      ['workflows visible in Temporal', visible?.count ?? 'n/a'],
      ['histories that do not replay', unreplayable.size],
      ['worker SIGKILLs / restarts', `${counts.workerKills} / ${counts.workerRestarts}`],
      ['worker start → first poll, median / max (ms)', firstPollMs.length ? `${median(firstPollMs)} / ${Math.max(...firstPollMs)}` : 'n/a'],
      ['time between worker kills, median / min (ms)', killGaps.length ? `${median(killGaps)} / ${Math.min(...killGaps)}` : 'n/a'],
      ['Temporal server restarts', counts.serverRestarts],
      ['API calls retried by the client (5xx or no answer)', counts.apiRetries],
      ['Ping calls answered 5xx (injected)', counters.faults.errors_injected],
      ['Ping calls processed, answer failed (injected)', counters.faults.failed_after_processing],
      ['callbacks dropped / duplicated', `${counters.callbacks.dropped} / ${counters.callbacks.duplicated}`],
      ['links + payments created at Ping', `${counters.creates.payment_links ?? 0} + ${counters.creates.payments ?? 0}`],
      ['links/payments live or paid at Ping (must equal paid payments)', `${liveAtPing} (paid: ${paidCount})`],
      ['payments paid twice at Ping', chargedTwice],
      ['orders SETTLED at Ping (must equal paid − refunded)', `${settledAtPing} (${paidCount} − ${refundedCount})`],
      ['refund requests to our API: sent / 201 / 200 (same key)', `${refunds.requests} / ${created201} / ${answered200}`],
      ['refunds with a new key once refunded: 409 already_refunded', refunds.newKeyRefused],
      ['refunds at Ping: accepted / refused as duplicates', `${counters.refunds.accepted} / ${counters.refunds.refused_duplicate}`],
      ['payments refunded twice at Ping', refundedTwice],
      ['late payments: paid late / refunded / accepted and settled', `${late.length} / ${lateRefunded} / ${lateAccepted}`],
      ['late payments left unrefunded or unaccepted', lateLeft],
      ['receipts: deliveries / distinct', receiptsRow],
      ['refund e-mails: deliveries / distinct (one per refund)', `${refundMailsRow} (refunds: ${refundedCount})`],
      ['notifications: deliveries / distinct', `${notesRaw} / ${notesDistinct}`],
      ['wall time (s)', Math.round((Date.now() - started) / 1000)],
      ['problems', problems.length],
    ];
    return { ok: problems.length === 0, problems, table };
  } finally {
    stopping = true;
    if (worker) await worker.stop(5000);
    if (apiServer) {
      apiServer.closeAllConnections();
      await new Promise((resolve) => apiServer!.close(resolve));
    }
    await connection?.close();
    await merchant?.stop();
    await inbox?.stop();
    await sandbox?.stop();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The payments whose history fails a replay against `bundle`, with the first line of each failure; the histories are kept as workflowDiagnosis does. */
async function replayFailures(client: Client, bundle: NonNullable<WorkerOptions['workflowBundle']>, ids: string[]): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  const histories: Array<{ workflowId: string; history: temporal.api.history.v1.IHistory }> = [];
  await inPool(ids, 16, async (workflowId) => void histories.push({ workflowId, history: await client.workflow.getHandle(workflowId).fetchHistory() }));
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, dataConverter: chaosSecrets().clientOptions.dataConverter }, histories)) {
    if (!result.error) continue;
    failed.set(result.workflowId, (result.error instanceof Error ? result.error.message : String(result.error)).split('\n')[0]!.slice(0, 300));
    await keepHistory(client, result.workflowId);
  }
  return failed;
}

/** Writes the workflow's history where a replay can read it again (historyFromJSON). */
async function keepHistory(client: Client, id: string): Promise<string> {
  return client.workflow
    .getHandle(id)
    .fetchHistory()
    .then(
      (history) => {
        const dir = path.join(os.tmpdir(), 'chaos-histories');
        mkdirSync(dir, { recursive: true });
        const file = path.join(dir, `${id}.json`);
        writeFileSync(file, `${historyToJSON(history)}\n`);
        return `history in ${file}`;
      },
      (err: Error) => `no history: ${err.message}`,
    );
}

/** A payment's workflow as Temporal sees it, its query's answer, and where its history was kept. */
async function workflowDiagnosis(client: Client, id: string): Promise<string> {
  const handle = client.workflow.getHandle(id);
  const described = await handle.describe().then((d) => `workflow ${d.status.name}, ${d.historyLength} events`, (err: Error) => `describe failed: ${err.message}`);
  const query = await handle.query(paymentQuery).then(() => 'its query answers', (err: Error) => `its query fails: ${err.message}`);
  return `; ${described}; ${query}; ${await keepHistory(client, id)}`;
}

export function formatTable(table: Array<[string, string | number]>): string {
  const width = Math.max(...table.map(([k]) => k.length));
  return table.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
