import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { RATE_LIMITS_OFF } from '../../api/rateLimits';
import { loadDevServerTuning } from '../../common/config/devServer';
import type { PaymentResource } from '../../domain/payment';
import { subscriptionPaymentId, type SubscriptionResource } from '../../domain/subscription';
import type { CountersView } from '../../sandbox/counters';
import { spawnService, type Service } from '../../scripts/childProcess';
import { startDevServer, type DevServer } from '../../scripts/devServer';
import { waitForWorkerProcess } from '../../scripts/readiness';
import { ensureTemporalCli } from '../../scripts/temporalCli';
import { projectWorkflowBundle } from '../../worker/workflowBundle';
import { TEST_NOTIFICATION_SECRET, TEST_OUTBOUND_URLS, TEST_WEBHOOK_SECRET } from '../helpers/api';
import { testDataConverter } from '../helpers/encryption';
import { heldLogger } from '../helpers/heldLogs';
import { startInbox, type RunningInbox } from '../helpers/inbox';
import { pollFor } from '../helpers/pollFor';
import { freePort } from '../helpers/ports';
import { startSandbox, type RunningSandbox } from '../helpers/sandbox';
import { workerChildEnv } from '../helpers/workerEnv';

/**
 * Issue 16's crash test: a subscription of five short periods on the real processes (a Temporal dev
 * server on a SQLite file, the worker as a child process, the API and the Ping sandbox), paid by the
 * test at Ping as each invoice appears there. The worker is SIGKILLed the moment period 1's payment
 * link exists at Ping, while the activity that creates it still waits for its answer (and a new
 * worker starts a second or two later); the dev server is stopped and started again on the same
 * file the moment period 3's link exists at Ping. Afterwards Ping holds exactly one link per period
 * (p0..p4, each created once under our payment id), every invoice is paid once, each invoice's
 * payment completed, and the subscription ended.
 *
 * The schedule is shaped by what a SIGKILL costs: the activity in flight is retried only after its
 * start-to-close timeout (30 s, workflows/subscription.ts), and a task bound for the dead worker's
 * sticky queue waits up to 10 s more. So each invoice's grace period (30 s) outlasts that stall,
 * and the periods missed meanwhile are invoiced, one per run, once it is over.
 */
const SCHEDULE = { interval: 'PT10S', due_after: 'PT5S', grace_period: 'PT30S', end: { after_periods: 5 } } as const;
const PERIODS = 5;
const INTERVAL_MS = 10_000;
const API_KEY = 'sk_crash_0123456789abcdef';

jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A link as Ping lists it (`GET /payment_links/api/v1/payment_links`). */
interface PingLink {
  payment_link_id: string;
  status: string;
  metadata?: Record<string, string> | null;
}

describe('a subscription through a worker SIGKILL and a Temporal server restart', () => {
  const started = Date.now();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'subscription-crash-'));
  const taskQueue = `subscription-crash-${randomUUID().slice(0, 8)}`;
  let startServer: () => Promise<DevServer>;
  /** Whether the server is our own process (not the SDK's download), so its pid shows the restart. */
  let serverIsOurs = false;
  let server: DevServer | undefined;
  let sandbox: RunningSandbox | undefined;
  let inbox: RunningInbox | undefined;
  let apiServer: http.Server | undefined;
  let apiUrl = '';
  let connection: Connection | undefined;
  let workerEnv: NodeJS.ProcessEnv;
  let worker: Service | undefined;
  const workers: Service[] = [];
  /** The workers' stderr (LOG_LEVEL error), shown when a wait gives up. */
  let workerLog = '';
  const timeline: string[] = [];
  const note = (what: string) => timeline.push(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);

  const startWorker = async (): Promise<Service> => {
    const w = spawnService('worker', workerEnv, { stdio: ['ignore', 'ignore', 'pipe'] });
    w.child.stderr?.on('data', (chunk: Buffer) => {
      workerLog = (workerLog + chunk.toString('utf8')).slice(-8000);
    });
    workers.push(w);
    worker = w;
    note(`worker ${w.child.pid} started`);
    return w;
  };
  const polls = async (w: Service) => {
    const seen = await waitForWorkerProcess(connection!, 'default', taskQueue, w.child, { timeoutMs: 60_000, intervalMs: 100 });
    if (!seen) throw new Error(`worker ${w.child.pid} never polled ${taskQueue}; its log:\n${workerLog}`);
    note(`worker ${w.child.pid} polls`);
  };

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const call = async (method: string, urlPath: string, key: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> => {
    try {
      const res = await fetch(`${apiUrl}${urlPath}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    } catch (err) {
      return { status: 0, body: String(err) };
    }
  };
  const links = async (): Promise<PingLink[]> => (await sandbox!.request('GET', '/payment_links/api/v1/payment_links')).json<PingLink[]>();
  const counters = async (): Promise<CountersView> => (await sandbox!.request('GET', '/_sandbox/counters')).json<CountersView>();
  /** What the payer could not pay: a wait gives up at once on it, since the subscription is then lost anyway. */
  const payFailures: string[] = [];
  const waitFor = <T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, intervalMs = 100) =>
    pollFor(
      async () => {
        if (payFailures.length > 0) throw new Error(`while waiting for ${what}, the payer failed: ${payFailures.join('; ')}\ntimeline:\n${timeline.join('\n')}`);
        return read();
      },
      done, (last) => `timed out waiting for ${what}; last seen: ${JSON.stringify(last)}\ntimeline:\n${timeline.join('\n')}\nworker log:\n${workerLog}`, timeoutMs, intervalMs);

  beforeAll(async () => {
    const cli = await ensureTemporalCli();
    serverIsOurs = cli.source !== 'sdk-download';
    const port = await freePort();
    const tuning = loadDevServerTuning(process.env);
    startServer = () => startDevServer({ cli, port, namespace: 'default', dbFile: path.join(dataDir, 'temporal.db'), tuning });
    server = await startServer();
    sandbox = await startSandbox();
    inbox = await startInbox();
    connection = Connection.lazy({ address: server.address });
    const client = new Client({ connection, namespace: 'default', dataConverter: testDataConverter() });
    const timing = { pollInitialMs: 1000, pollMaxMs: 4000 };
    const app = createApp({
      logger: heldLogger('crash-api'),
      apiKeys: [API_KEY],
      client,
      taskQueue,
      webhookSecret: TEST_WEBHOOK_SECRET,
      timing,
      money: { settlementHoldMs: 60_000, latePaymentWindowMs: 1000 },
      outboundUrls: TEST_OUTBOUND_URLS,
      rateLimits: RATE_LIMITS_OFF,
      notificationSigningSecret: TEST_NOTIFICATION_SECRET,
      merchantStatusPoll: { initialMs: 200, maxMs: 2000 },
      subscriptions: { allowShortIntervals: true },
    });
    apiServer = http.createServer(app);
    await new Promise<void>((resolve) => apiServer!.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}`;
    workerEnv = workerChildEnv({
      temporalAddress: server.address,
      taskQueue,
      sandbox,
      publicBaseUrl: apiUrl,
      webhookSecret: TEST_WEBHOOK_SECRET,
      notificationSecret: TEST_NOTIFICATION_SECRET,
      smtpUrl: inbox.smtpUrl,
      timing,
    });
    // Built (or found in the cache) before the first worker, so no worker spends its first seconds in webpack.
    await projectWorkflowBundle();
    await polls(await startWorker());
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) await w.stop(5000);
    apiServer?.closeAllConnections();
    await new Promise((resolve) => (apiServer ? apiServer.close(resolve) : resolve(undefined)));
    await connection?.close();
    await inbox?.stop();
    await sandbox?.stop();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('invoices each of the five periods exactly once, and every invoice is paid once', async () => {
    // --- an approved merchant with a key of its own
    const created = await call(
      'POST',
      '/v1/merchants',
      API_KEY,
      { name: 'Gym AB', organization: { country: 'SE', se_organization_number: '5591235378' }, supplier: { name: 'Gym AB' }, locale: 'sv-SE', payment_methods: [{ provider: 'payment_iq', method: 'card' }] },
      { 'Idempotency-Key': randomUUID() },
    );
    expect(created.status).toBe(201);
    const merchantId = created.body.id as string;
    const key = await call('POST', `/v1/merchants/${merchantId}/api-keys`, API_KEY, {});
    expect(key.status).toBe(201);
    const merchantKey = key.body.secret as string;
    await waitFor('the merchant approved', async () => (await call('GET', `/v1/merchants/${merchantId}`, API_KEY)).body, (m) => m?.status === 'approved', 30_000, 200);

    // --- the subscription, its first invoice made before the create answers
    const res = await call(
      'POST',
      '/v1/subscriptions',
      merchantKey,
      {
        customer: { first_name: 'Bertil', last_name: 'Jönsson', email: 'bertil@example.com' },
        items: [{ description: 'Gym membership', price: 19900, quantity: 1, vat: 25 }],
        currency: 'SEK',
        locale: 'sv-SE',
        ...SCHEDULE,
        merchant_reference: 'member-crash',
      },
      { 'Idempotency-Key': randomUUID() },
    );
    expect({ status: res.status, error: res.body?.error }).toEqual({ status: 201, error: undefined });
    const sub = res.body as SubscriptionResource;
    expect(sub.invoices.map((i) => i.period)).toEqual([0]);
    const startAt = Date.parse(sub.start_at);
    const periodStart = (n: number) => startAt + n * INTERVAL_MS;
    const idOf = (n: number) => subscriptionPaymentId(merchantId, sub.id, n);
    const ours = `payment-link-${merchantId}.`;
    note(`subscription ${sub.id} created, period 0 from ${sub.start_at}`);

    // --- the payer: pays each period's link at Ping as soon as it is there, worker or none
    const paid = new Map<string, string>();
    let paying = true;
    const payer = (async () => {
      while (paying) {
        const listed = await links().catch(() => []);
        for (const link of listed) {
          const paymentId = link.metadata?.orchestrator_payment_id;
          if (!paymentId?.startsWith(ours) || paid.has(paymentId) || link.status !== 'CREATED') continue;
          paid.set(paymentId, link.payment_link_id);
          const answer = await sandbox!.request('POST', `/_sandbox/payment-links/${link.payment_link_id}/pay`, { body: {} });
          if (answer.status === 200) note(`paid ${paymentId.slice(ours.length)} at Ping`);
          else payFailures.push(`${paymentId}: pay answered ${answer.status} ${answer.text}`);
        }
        await sleep(50);
      }
    })();
    const linkAppeared = (n: number, timeoutMs: number) =>
      waitFor(`period ${n}'s link at Ping`, links, (all) => all.some((l) => l.metadata?.orchestrator_payment_id === idOf(n)), timeoutMs, 20);

    try {
      // --- SIGKILL the worker the moment period 1's link exists at Ping: the activity creating the
      // invoice still waits for its answer, and the payment's workflow task has not been recorded.
      await linkAppeared(1, periodStart(1) - Date.now() + 20_000);
      const victim = worker!;
      victim.child.kill('SIGKILL');
      note(`SIGKILL worker ${victim.child.pid} (period 1's link at Ping)`);
      expect(await victim.exited).toBe('SIGKILL');
      await sleep(1500);
      const second = await startWorker();

      // --- stop and start the dev server the moment period 3's link exists at Ping. The periods
      // missed meanwhile are invoiced once the stall above is over, so this comes later by the clock.
      await linkAppeared(3, 90_000);
      const oldPid = server!.pid;
      note(`stopping the Temporal server (period 3's link at Ping)`);
      await server!.stop();
      await sleep(1000);
      server = await startServer();
      note(`Temporal server back (pid ${server.pid}, was ${oldPid})`);
      if (serverIsOurs) expect(server.pid).not.toBe(oldPid);
      await polls(second);

      // --- the end: five periods, all paid
      const ended = await waitFor(
        'the subscription ended',
        async () => (await call('GET', `/v1/subscriptions/${sub.id}`, merchantKey)).body as SubscriptionResource,
        (s) => s?.status === 'ended' || s?.status === 'cancelled',
        90_000,
        250,
      );
      note(`subscription ${ended.status}`);
      paying = false;
      await payer;
      // A moment for anything late (a second link from a retried create) to reach Ping.
      await sleep(2000);

      expect(payFailures).toEqual([]);
      expect({ status: ended.status, reason: ended.cancellation_reason, next: ended.next_invoice_at }).toEqual({ status: 'ended', reason: null, next: null });
      const periods = Array.from({ length: PERIODS }, (_, n) => n);
      expect(ended.invoices.map((i) => [i.period, i.id, i.status])).toEqual(periods.map((n) => [n, idOf(n), 'paid']));
      // Each invoice created once in the subscription's own history, in order, and the end last.
      expect(ended.history.filter((e) => e.type === 'invoice.created').map((e) => e.detail)).toEqual(periods.map(idOf));
      expect(ended.history.at(-1)?.type).toBe('subscription.ended');

      // --- Ping: one link per period, under our payment id, created once, paid
      const atPing = (await links()).filter((l) => l.metadata?.orchestrator_payment_id?.startsWith(ours));
      const byPayment = new Map<string, PingLink[]>();
      for (const l of atPing) byPayment.set(l.metadata!.orchestrator_payment_id!, [...(byPayment.get(l.metadata!.orchestrator_payment_id!) ?? []), l]);
      expect([...byPayment.keys()].sort()).toEqual(periods.map(idOf).sort());
      expect(periods.map((n) => [idOf(n), byPayment.get(idOf(n))!.map((l) => l.status)])).toEqual(periods.map((n) => [idOf(n), ['COMPLETED']]));
      const creates = (await counters()).creates_by_metadata.payment_links ?? {};
      const createdOurs = Object.entries(creates).filter(([k]) => k.startsWith(`orchestrator_payment_id=${ours}`));
      expect(Object.fromEntries(createdOurs)).toEqual(Object.fromEntries(periods.map((n) => [`orchestrator_payment_id=${idOf(n)}`, 1])));
      expect([...paid.keys()].sort()).toEqual(periods.map(idOf).sort());

      // --- each invoice is an ordinary payment of the merchant: completed, marked with its subscription, on that link
      for (const n of periods) {
        const payment = (await call('GET', `/v1/payments/${idOf(n)}`, merchantKey)).body as PaymentResource;
        expect({ period: n, status: payment.status, subscription: payment.subscription_id, link: payment.ping_payment_link_id, merchant: payment.merchant }).toEqual({
          period: n,
          status: 'completed',
          subscription: sub.id,
          link: byPayment.get(idOf(n))![0]!.payment_link_id,
          merchant: merchantId,
        });
      }
      process.stdout.write(`\nsubscription crash test timeline:\n${timeline.join('\n')}\n`);
    } finally {
      paying = false;
      await payer;
    }
  });
});
