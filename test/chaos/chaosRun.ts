import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { loadDevServerTuning } from '../../common/config/devServer';
import { createLogger } from '../../common/logger';
import { spawnService, type Service } from '../../scripts/childProcess';
import { startDevServer, type DevServer } from '../../scripts/devServer';
import { waitForWorkerProcess } from '../../scripts/readiness';
import { ensureTemporalCli, type TemporalCli } from '../../scripts/temporalCli';
import type { PaymentResource } from '../../domain/payment';
import { startInbox, type RunningInbox } from '../helpers/inbox';
import { linkRequest, pisRequest, startMerchantReceiver, type MerchantReceiver } from '../helpers/paymentsStack';
import { freePort } from '../helpers/ports';
import { startSandbox, type RunningSandbox } from '../helpers/sandbox';
import { chaosSecrets } from './chaosSecrets';
import { EVENT, EXPECTED, WAVE, type Plan } from '../helpers/paymentPlans';
import { workerChildEnv } from '../helpers/workerEnv';
import { projectWorkflowBundle } from '../../worker/workflowBundle';

/**
 * The chaos run: many payments of both flows while the worker is SIGKILLed and restarted, the
 * Temporal server (SQLite) restarts, and the Ping sandbox answers 5xx, adds latency, processes a
 * request but fails its answer, and drops, duplicates and reorders callbacks. Afterwards it checks,
 * from the sandbox, the SMTP inbox, the merchant receiver and Temporal, that every payment ended as
 * intended with exactly one live link/payment at Ping, one receipt and one notification.
 */

export interface ChaosOptions {
  payments: number;
  concurrency: number;
  workerKills: number;
  serverRestarts: number;
  /** Seconds to wait for every payment to settle after the last is started. */
  settleSeconds: number;
  log?: (line: string) => void;
}


const API_KEY = 'sk_chaos_0123456789abcdef';
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
      client,
      taskQueue,
      webhookSecret: secrets.webhookSecret,
      timing,
      money: { settlementHoldMs: 0, latePaymentWindowMs: 3000 },
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
    await projectWorkflowBundle();
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
    const call = async (method: string, urlPath: string, body?: unknown, key?: string): Promise<{ status: number; body: any }> => { // eslint-disable-line @typescript-eslint/no-explicit-any
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
          if (res.status < 500 || attempt >= 60) return { status: res.status, body: text ? JSON.parse(text) : undefined };
        } catch {
          if (attempt >= 60) throw new Error(`${method} ${urlPath}: no answer after ${attempt} attempts`);
        }
        counts.apiRetries += 1;
        await sleep(Math.min(250 * attempt, 2000));
      }
    };

    const payments: Array<{ id: string; plan: Plan; pingId: string; email: string }> = [];
    const failures: string[] = [];
    const runOne = async (i: number) => {
      const plan = WAVE[i % WAVE.length]!;
      const email = `payer-${i}@chaos.example`;
      const key = `chaos-${i}-${started}`;
      const isLink = plan.startsWith('link');
      const body = isLink
        ? linkRequest({
            merchant_reference: key,
            notify_url: merchant!.url,
            customer: { first_name: 'Chaos', last_name: `Payer ${i}`, email },
            ...(plan === 'link:expire' ? { due_at: new Date(Date.now() + 15_000).toISOString() } : {}),
          })
        : pisRequest({ reference: key.slice(-35), notify_url: merchant!.url, payer: { email }, ...(plan === 'pis:timeout' ? { timeout_seconds: 15 } : {}) });
      const created = await call('POST', isLink ? '/v1/payment-links' : '/v1/pis-payments', body, key);
      if (created.status !== 201 && created.status !== 200) {
        failures.push(`${key}: create answered ${created.status} ${JSON.stringify(created.body)}`);
        return;
      }
      const p = created.body as PaymentResource;
      const pingId = (isLink ? p.ping_payment_link_id : p.ping_payment_id)!;
      payments.push({ id: p.id, plan, pingId, email });
      await sleep(200 + (i % 7) * 100);
      const control = (what: string, payload: unknown) => sandbox!.request('POST', `/_sandbox/${what}`, { body: payload });
      if (plan === 'link:pay') await control(`payment-links/${pingId}/pay`, {});
      if (plan === 'pis:pay') await control(`payments/${pingId}/status`, { status: 'COMPLETED' });
      if (plan === 'pis:abort') await control(`payments/${pingId}/status`, { status: 'ABORTED' });
      if (plan === 'link:cancel') {
        const res = await call('POST', `/v1/payments/${p.id}/cancel`);
        if (res.status !== 200) failures.push(`${p.id}: cancel answered ${res.status} ${JSON.stringify(res.body)}`);
      }
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
    log(`  load done: ${payments.length} payments started in ${loadSeconds.toFixed(0)} s; waiting for them to settle`);

    // --- settle: every payment reaches its final state (or the check below reports it).
    const deadline = Date.now() + options.settleSeconds * 1000;
    const finalOf = new Map<string, PaymentResource>();
    while (Date.now() < deadline && finalOf.size < payments.length && !workerBroken) {
      for (const p of payments) {
        if (finalOf.has(p.id)) continue;
        const res = await call('GET', `/v1/payments/${p.id}`);
        const status = res.body?.status;
        if (['completed', 'cancelled', 'expired', 'failed'].includes(status)) finalOf.set(p.id, res.body);
      }
      if (finalOf.size < payments.length) await sleep(1000);
    }
    await sandbox.request('PUT', '/_sandbox/faults', { body: {} });
    await sleep(2000); // late duplicate callbacks, retried notifications

    // --- checks
    const problems = [...failures, ...(workerBroken ? [workerBroken] : [])];
    for (const p of payments) {
      const final = finalOf.get(p.id);
      if (!final) problems.push(`${p.id} (${p.plan}) never settled`);
      else if (final.status !== EXPECTED[p.plan]) problems.push(`${p.id} (${p.plan}) ended ${final.status}, expected ${EXPECTED[p.plan]}`);
    }

    const pingGet = async (urlPath: string) => (await sandbox!.request('GET', urlPath)).json();
    const links = (await pingGet('/payment_links/api/v1/payment_links')) as Array<{ payment_order_id: string; status: string; metadata?: Record<string, string> | null }>;
    let liveAtPing = 0;
    let chargedTwice = 0;
    for (const p of payments) {
      const final = finalOf.get(p.id);
      if (!final?.ping_payment_order_id) continue;
      const orderId = final.ping_payment_order_id;
      if (p.plan.startsWith('link')) {
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
    }
    if (chargedTwice > 0) problems.push(`${chargedTwice} payments were paid twice at Ping`);
    const paidCount = payments.filter((p) => EXPECTED[p.plan] === 'completed').length;
    if (liveAtPing !== paidCount) problems.push(`${liveAtPing} links/payments live or paid at Ping, expected exactly the ${paidCount} paid`);

    const mails = inbox.messages();
    const receipts = (p: { id: string }) => mails.filter((m) => (m.message_id ?? '').includes(p.id));
    let receiptsRaw = 0;
    let receiptsDistinct = 0;
    for (const p of payments) {
      const mine = receipts(p);
      receiptsRaw += mine.length;
      const distinct = new Set(mine.map((m) => m.message_id)).size;
      receiptsDistinct += distinct;
      const shouldHave = EXPECTED[p.plan] === 'completed' ? 1 : 0;
      if (distinct !== shouldHave) problems.push(`${p.id} (${p.plan}): ${distinct} distinct receipts, expected ${shouldHave}`);
    }
    let notesRaw = 0;
    let notesDistinct = 0;
    for (const p of payments) {
      const mine = merchant.events.filter((e) => e.event.data.id === p.id);
      notesRaw += mine.length;
      const distinct = [...new Set(mine.map((e) => e.event.id))];
      notesDistinct += distinct.length;
      if (mine.some((e) => !e.verified)) problems.push(`${p.id}: a notification failed its signature`);
      if (distinct.length !== 1 || distinct[0] !== `evt_${p.id}_${EVENT[p.plan]}`) problems.push(`${p.id} (${p.plan}): notifications ${JSON.stringify(distinct)}`);
    }

    const visible = await client.workflow.count(`WorkflowId STARTS_WITH 'pis-payment-chaos' OR WorkflowId STARTS_WITH 'payment-link-chaos'`).catch(() => undefined);
    const counters = (await sandbox.request('GET', '/_sandbox/counters')).json();
    const byPlan = Object.fromEntries(Object.keys(EXPECTED).map((plan) => [plan, payments.filter((p) => p.plan === plan).length]));

    const killGaps = killedAt.slice(1).map((at, i) => at - killedAt[i]!);
    const table: Array<[string, string | number]> = [
      ['payments started', payments.length],
      ...Object.entries(byPlan).map(([plan, n]) => [`  ${plan}`, n] as [string, number]),
      ['payments settled as intended', payments.length - problems.filter((x) => x.includes('ended') || x.includes('never settled')).length],
      ['workflows visible in Temporal', visible?.count ?? 'n/a'],
      ['worker SIGKILLs / restarts', `${counts.workerKills} / ${counts.workerRestarts}`],
      ['worker start → first poll, median / max (ms)', firstPollMs.length ? `${median(firstPollMs)} / ${Math.max(...firstPollMs)}` : 'n/a'],
      ['time between worker kills, median / min (ms)', killGaps.length ? `${median(killGaps)} / ${Math.min(...killGaps)}` : 'n/a'],
      ['Temporal server restarts', counts.serverRestarts],
      ['API calls retried by the client (5xx or no answer)', counts.apiRetries],
      ['Ping calls answered 5xx (injected)', counters.faults.errors_injected],
      ['Ping calls processed, answer failed (injected)', counters.faults.failed_after_processing],
      ['callbacks dropped / duplicated', `${counters.callbacks.dropped} / ${counters.callbacks.duplicated}`],
      ['links + payments created at Ping', `${counters.creates.payment_links ?? 0} + ${counters.creates.payments ?? 0}`],
      ['links/payments live or paid at Ping (must equal paid payments)', `${liveAtPing} (paid: ${payments.filter((p) => EXPECTED[p.plan] === 'completed').length})`],
      ['payments paid twice at Ping', chargedTwice],
      ['receipts: deliveries / distinct', `${receiptsRaw} / ${receiptsDistinct}`],
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

export function formatTable(table: Array<[string, string | number]>): string {
  const width = Math.max(...table.map(([k]) => k.length));
  return table.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
