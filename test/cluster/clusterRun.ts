import http from 'node:http';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createLogger } from '../../common/logger';
import { spawnService, type Service } from '../../scripts/childProcess';
import { formatTimings, startCluster, type Cluster, type ClusterTimings } from '../../scripts/clusterStack';
import { waitForWorkerProcess } from '../../scripts/readiness';
import type { PaymentResource } from '../../domain/payment';
import { testDataConverter } from '../helpers/encryption';
import { startInbox, type RunningInbox } from '../helpers/inbox';
import { linkRequest, NOTIFICATION_SECRET, pisRequest, startMerchantReceiver, type MerchantReceiver } from '../helpers/paymentsStack';
import { startSandbox, type RunningSandbox } from '../helpers/sandbox';
import { EVENT, EXPECTED, WAVE, type Plan } from '../helpers/paymentPlans';
import { workerChildEnv } from '../helpers/workerEnv';

/**
 * `npm run test:cluster`: both payment flows' main paths against a real Temporal cluster (PostgreSQL
 * persistence and visibility, deploy/temporal-server.yaml) with two worker processes on one task
 * queue. Worker A alone takes the first wave of payments; worker B joins; A is SIGKILLed while the
 * second wave is being created, before any payment is paid, cancelled or left to expire; every
 * payment must then reach its final state on B, with one receipt and one merchant notification each,
 * and be found by search attribute in PostgreSQL visibility.
 */

export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface ClusterSuiteResult {
  checks: Check[];
  /** The first start on an empty data folder (initdb, schemas, namespace, search attributes). */
  coldStart?: ClusterTimings;
  /** A second start on the same folder, as every later `npm run cluster` is. */
  warmStart?: ClusterTimings;
  wallMs: number;
}

/** Expiring payments run out this long after they are created: after the kill, before the settle deadline. */
const EXPIRY_SECONDS = 25;

const API_KEY = 'sk_cluster_0123456789abcdef';
const WEBHOOK_SECRET = 'cluster-webhook-secret-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Payment {
  id: string;
  plan: Plan;
  pingId: string;
  wave: 1 | 2;
}

export async function runClusterSuite(options: { log?: (line: string) => void; settleSeconds?: number } = {}): Promise<ClusterSuiteResult> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail?: string): boolean => {
    checks.push({ name, ok, detail: ok ? undefined : detail });
    log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}${!ok && detail ? `: ${detail}` : ''}`);
    return ok;
  };
  const result: ClusterSuiteResult = { checks, wallMs: 0 };

  // PostgreSQL runs as the `postgres` user when we are root: the folder must be reachable by it.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cluster-test-'));
  chmodSync(dataDir, 0o755);
  let cluster: Cluster | undefined;
  let sandbox: RunningSandbox | undefined;
  let inbox: RunningInbox | undefined;
  let merchant: MerchantReceiver | undefined;
  let apiServer: http.Server | undefined;
  let connection: Connection | undefined;
  const workers: Service[] = [];
  const onExit = () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    cluster?.stopNow();
  };
  process.on('exit', onExit);

  try {
    // --- the cluster: a first start on an empty folder, stopped, then started again on the same folder.
    log('cluster: first start on an empty data folder');
    cluster = await startCluster({ dataDir, log: (line) => log(`    ${line}`) });
    result.coldStart = cluster.timings;
    log(`    came up in ${formatTimings(cluster.timings)}`);
    check('cluster starts on an empty data folder (initdb, schemas, namespace, search attributes)', true);
    await cluster.stop();
    cluster = undefined;
    log('cluster: second start on the same folder');
    cluster = await startCluster({ dataDir, log: (line) => log(`    ${line}`) });
    result.warmStart = cluster.timings;
    log(`    came up in ${formatTimings(cluster.timings)}`);
    check('cluster starts again on the same data folder (schemas and namespace kept)', true);
    const { address, namespace } = cluster;

    // --- the product around it: Ping sandbox, SMTP inbox, a merchant, our API in this process.
    sandbox = await startSandbox();
    inbox = await startInbox();
    merchant = await startMerchantReceiver();
    const taskQueue = `payments-cluster-${Date.now().toString(36)}`;
    const timing = { pollInitialMs: 1000, pollMaxMs: 4000 };
    connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace, dataConverter: testDataConverter() });
    const app = createApp({
      logger: createLogger({ name: 'cluster-api', level: 'fatal', format: 'json' }),
      apiKeys: [API_KEY],
      // The merchant receiver listens on 127.0.0.1 over http (common/outboundUrl.ts would refuse it).
      outboundUrls: { allowHttp: true, allowPrivate: true },
      client,
      taskQueue,
      webhookSecret: WEBHOOK_SECRET,
      timing,
      money: { settlementHoldMs: 0, latePaymentWindowMs: 2000 },
    });
    apiServer = http.createServer(app);
    await new Promise<void>((resolve) => apiServer!.listen(0, '127.0.0.1', resolve));
    const apiUrl = `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}`;

    const workerEnv = workerChildEnv({
      temporalAddress: address,
      namespace,
      taskQueue,
      sandbox,
      publicBaseUrl: apiUrl,
      webhookSecret: WEBHOOK_SECRET,
      notificationSecret: NOTIFICATION_SECRET,
      smtpUrl: inbox.smtpUrl,
      timing,
    });
    const startWorker = (): Service => {
      const w = spawnService('worker', workerEnv, { stdio: ['ignore', 'ignore', 'inherit'] });
      workers.push(w);
      return w;
    };
    /** Resolves once this worker polls the workflow task queue. */
    const waitForPoller = (w: Service): Promise<boolean> => waitForWorkerProcess(connection!, namespace, taskQueue, w.child);

    // The API, as a careful client calls it: the same Idempotency-Key on every retry of a create.
    const call = async (method: string, urlPath: string, body?: unknown, key?: string): Promise<{ status: number; body: any }> => { // eslint-disable-line @typescript-eslint/no-explicit-any
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await fetch(`${apiUrl}${urlPath}`, {
            method,
            headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(60_000),
          });
          const text = await res.text();
          if (res.status < 500 || attempt >= 20) return { status: res.status, body: text ? JSON.parse(text) : undefined };
        } catch (err) {
          if (attempt >= 20) throw new Error(`${method} ${urlPath}: no answer after ${attempt} attempts (${String(err)})`);
        }
        await sleep(Math.min(250 * attempt, 2000));
      }
    };

    const payments: Payment[] = [];
    const createFailures: string[] = [];
    const create = async (i: number, wave: 1 | 2) => {
      const plan = WAVE[i % WAVE.length]!;
      const key = `cluster-${wave}-${i}-${started}`;
      const email = `payer-${wave}-${i}@cluster.example`;
      const isLink = plan.startsWith('link');
      const expiresAt = new Date(Date.now() + EXPIRY_SECONDS * 1000).toISOString();
      const body = isLink
        ? linkRequest({
            merchant_reference: key,
            notify_url: merchant!.url,
            customer: { first_name: 'Cluster', last_name: `Payer ${i}`, email },
            ...(plan === 'link:expire' ? { due_at: expiresAt } : {}),
          })
        : pisRequest({ reference: key.slice(-35), notify_url: merchant!.url, payer: { email }, ...(plan === 'pis:timeout' ? { timeout_seconds: EXPIRY_SECONDS } : {}) });
      const created = await call('POST', isLink ? '/v1/payment-links' : '/v1/pis-payments', body, key);
      if (created.status !== 201 && created.status !== 200) {
        createFailures.push(`${key}: ${created.status} ${JSON.stringify(created.body)}`);
        return;
      }
      const p = created.body as PaymentResource;
      payments.push({ id: p.id, plan, pingId: (isLink ? p.ping_payment_link_id : p.ping_payment_id)!, wave });
    };
    const createWave = async (wave: 1 | 2) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < WAVE.length) await create(next++, wave);
        }),
      );
    };

    // --- wave 1 on worker A alone, so A provably did work before it dies.
    log('workers: starting worker A');
    const workerA = startWorker();
    check('worker A polls the task queue on the cluster', await waitForPoller(workerA));
    log('payments: wave 1 (10 payments, both flows) on worker A');
    await createWave(1);

    // --- worker B joins; wave 2 is being created when A is SIGKILLed.
    log('workers: starting worker B');
    const workerB = startWorker();
    check('worker B polls the same task queue', await waitForPoller(workerB));
    log('payments: wave 2 (10 payments) while worker A is killed');
    const wave2 = createWave(2);
    await sleep(1500);
    const pidA = workerA.child.pid;
    const pidB = workerB.child.pid;
    workerA.child.kill('SIGKILL');
    const killedAt = Date.now();
    const exitA = await workerA.exited;
    log(`    SIGKILL sent to worker A (pid ${pidA}): exit ${exitA}`);
    check('worker A is killed with SIGKILL mid-run', exitA === 'SIGKILL', `exit: ${exitA}`);
    await wave2;
    check('20 payments created through the API (update-with-start), 10 of them around the kill', createFailures.length === 0 && payments.length === 20, createFailures.join('; '));

    // --- after the kill: pay, cancel and abort; the rest run out of time.
    const control = (what: string, payload: unknown) => sandbox!.request('POST', `/_sandbox/${what}`, { body: payload });
    await Promise.all(
      payments.map(async (p) => {
        if (p.plan === 'link:pay') await control(`payment-links/${p.pingId}/pay`, {});
        if (p.plan === 'pis:pay') await control(`payments/${p.pingId}/status`, { status: 'COMPLETED' });
        if (p.plan === 'pis:abort') await control(`payments/${p.pingId}/status`, { status: 'ABORTED' });
        if (p.plan === 'link:cancel') {
          const res = await call('POST', `/v1/payments/${p.id}/cancel`);
          if (res.status !== 200) createFailures.push(`${p.id}: cancel answered ${res.status} ${JSON.stringify(res.body)}`);
        }
      }),
    );
    check('payers pay, cancel and abort after the kill (sandbox + API cancel)', createFailures.length === 0, createFailures.join('; '));

    // --- every payment settles, on worker B.
    log('payments: waiting for every payment to settle on worker B');
    const finalOf = new Map<string, PaymentResource>();
    const deadline = Date.now() + (options.settleSeconds ?? 120) * 1000;
    while (Date.now() < deadline && finalOf.size < payments.length) {
      for (const p of payments) {
        if (finalOf.has(p.id)) continue;
        const res = await call('GET', `/v1/payments/${p.id}`);
        if (['completed', 'cancelled', 'expired', 'failed'].includes(res.body?.status)) finalOf.set(p.id, res.body);
      }
      if (finalOf.size < payments.length) await sleep(500);
    }
    log(`    settled ${finalOf.size}/${payments.length} in ${((Date.now() - killedAt) / 1000).toFixed(0)} s after the kill`);
    for (const p of payments) {
      const final = finalOf.get(p.id);
      check(`${p.plan} (wave ${p.wave}) ends ${EXPECTED[p.plan]}`, final?.status === EXPECTED[p.plan], final ? `${p.id} ended ${final.status}` : `${p.id} never settled`);
    }

    // Who did the work, from each workflow's history: the identity of its workflow-task completions.
    const identities = async (id: string): Promise<string[]> => {
      const history = await client.workflow.getHandle(id).fetchHistory();
      return (history.events ?? []).flatMap((e) => (e.workflowTaskCompletedEventAttributes?.identity ? [e.workflowTaskCompletedEventAttributes.identity] : []));
    };
    const byWorkflow = new Map(await Promise.all(payments.map(async (p) => [p.id, await identities(p.id)] as const)));
    const wave1NotOnA = payments.filter((p) => p.wave === 1 && !byWorkflow.get(p.id)![0]?.startsWith(`${pidA}@`));
    check('worker A ran wave 1 before it was killed', wave1NotOnA.length === 0, `not started on A: ${wave1NotOnA.map((p) => p.id).join(', ')}`);
    const notFinishedOnB = payments.filter((p) => !byWorkflow.get(p.id)!.at(-1)?.startsWith(`${pidB}@`));
    check('every payment was finished by worker B', notFinishedOnB.length === 0, `last task elsewhere: ${notFinishedOnB.map((p) => `${p.id} (${byWorkflow.get(p.id)!.at(-1)})`).join(', ')}`);

    // --- exactly one receipt per paid payment, and one signed notification per event of each payment:
    // its final one, and for a paid payment also its settlement at Ping (the run's hold is PT0S).
    const expectedEvents = (p: (typeof payments)[number]) =>
      [`evt_${p.id}_${EVENT[p.plan]}`, ...(EXPECTED[p.plan] === 'completed' ? [`evt_${p.id}_payment.settled`] : [])];
    const notificationsComplete = () =>
      payments.every((p) => new Set(merchant!.events.filter((e) => e.event.data.id === p.id).map((e) => e.event.id)).size >= expectedEvents(p).length);
    for (let i = 0; i < 40 && !notificationsComplete(); i++) await sleep(250);
    await sleep(1000); // a duplicate would show up now
    const receiptProblems = payments.flatMap((p) => {
      const distinct = new Set(inbox!.messages().filter((m) => (m.message_id ?? '').includes(p.id)).map((m) => m.message_id)).size;
      const expected = EXPECTED[p.plan] === 'completed' ? 1 : 0;
      return distinct === expected ? [] : [`${p.id}: ${distinct} receipts, expected ${expected}`];
    });
    check('one receipt e-mail per paid payment, none for the others', receiptProblems.length === 0, receiptProblems.join('; '));
    const notificationProblems = payments.flatMap((p) => {
      const mine = merchant!.events.filter((e) => e.event.data.id === p.id);
      const distinct = [...new Set(mine.map((e) => e.event.id))];
      if (mine.some((e) => !e.verified)) return [`${p.id}: a notification failed its signature`];
      return JSON.stringify(distinct.sort()) === JSON.stringify(expectedEvents(p).sort()) ? [] : [`${p.id}: ${JSON.stringify(distinct)}`];
    });
    check('one signed merchant notification per event: the final one, and payment.settled for a paid payment', notificationProblems.length === 0, notificationProblems.join('; '));

    // --- PostgreSQL visibility: find payments by our search attributes.
    const paidLinks = payments.filter((p) => p.plan === 'link:pay').map((p) => p.id).sort();
    const query = `TaskQueue = '${taskQueue}' AND PaymentFlow = 'link' AND PaymentStatus = 'completed'`;
    let listed: string[] = [];
    for (let i = 0; i < 40; i++) {
      listed = [];
      for await (const wf of client.workflow.list({ query })) listed.push(wf.workflowId);
      listed.sort();
      if (JSON.stringify(listed) === JSON.stringify(paidLinks)) break;
      await sleep(250);
    }
    check(`client.workflow.list finds the paid links by search attribute (${query.replace(taskQueue, '…')})`, JSON.stringify(listed) === JSON.stringify(paidLinks), `listed ${listed.length}, expected ${paidLinks.length}`);
    const pisCount = payments.filter((p) => p.plan.startsWith('pis')).length;
    const { count } = await client.workflow.count(`TaskQueue = '${taskQueue}' AND PaymentFlow = 'pis' AND AmountMinor > 0 AND Currency = 'SEK'`);
    check('client.workflow.count by keyword and int search attributes', count === pisCount, `counted ${count}, expected ${pisCount}`);
  } catch (err) {
    check('the run completes without an error', false, err instanceof Error ? (err.stack ?? err.message) : String(err));
  } finally {
    for (const w of workers) await w.stop(5000);
    if (apiServer) {
      apiServer.closeAllConnections();
      await new Promise((resolve) => apiServer!.close(resolve));
    }
    await connection?.close();
    await merchant?.stop();
    await inbox?.stop();
    await sandbox?.stop();
    await cluster?.stop();
    process.off('exit', onExit);
    rmSync(dataDir, { recursive: true, force: true });
    result.wallMs = Date.now() - started;
  }
  return result;
}
