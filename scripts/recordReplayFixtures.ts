import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { PROJECT_ROOT } from '../common/config/processConfig';
import { merchantWorkflowId } from '../domain/merchant';
import { keyUsedSignal, merchantAnswerQuery, merchantChangeSignal, merchantQuery, type MerchantChange, type MerchantInput } from '../domain/merchantMessages';
import { paymentQuery } from '../domain/messages';
import { MerchantId, SubscriptionId, SubscriptionStatus } from '../domain/searchAttributes';
import { subscriptionWorkflowId, type SubscriptionInput } from '../domain/subscription';
import { subscriptionQuery } from '../domain/subscriptionMessages';
import globalSetup from '../test/globalSetup';
import globalTeardown from '../test/globalTeardown';
import { linkRequest, pisRequest, startPaymentsStack, type PaymentsStack } from '../test/helpers/paymentsStack';

/**
 * `npm run replay:record`: runs each flow's main paths on a real stack and saves their histories as
 * test/replay/fixtures/*.json. The replay test feeds them to the current workflow code, so a change
 * that breaks determinism fails the build. Until CHANGELOG.md names release 1.0.0, re-record after a
 * change to a command sequence, on purpose; from 1.0.0 on, guard the change with patched() and keep
 * the old fixtures beside the new ones (docs/workflow-versioning.md). Names given as arguments
 * (`npm run --silent replay:record -- merchant-continued`) record only those paths.
 */
const OUT = path.join(PROJECT_ROOT, 'test', 'replay', 'fixtures');

/** A payment's workflow id (recorded once it has closed), or one run of a workflow that never closes by itself. */
type Path = (stack: PaymentsStack) => Promise<string | { workflowId: string; runId: string }>;

type WithoutRequest<T> = T extends unknown ? Omit<T, 'requestId' | 'actor'> : never;

/**
 * A merchant's first run, through to its continue-as-new: created and approved at Ping (by polling:
 * the stack registers no tenant callback URL), then every kind of change and a key's use. The run
 * ends with the continue-as-new, so its history is complete. Started as api/routes/merchants.ts
 * starts one, with a history limit small enough to be reached here.
 */
async function merchantContinued(stack: PaymentsStack): Promise<{ workflowId: string; runId: string }> {
  const merchantId = `mer_${[...randomBytes(20)].map((b) => 'abcdefghijklmnopqrstuvwxyz234567'[b % 32]).join('')}`;
  const input: MerchantInput = {
    merchantId,
    profile: { name: 'Pizzeria Napoli AB', organization: { country: 'SE', se_organization_number: '5566778899' } },
    settings: { display_name: 'Pizzeria Napoli', notify_url: null, payment_methods: null, locale: 'sv-SE', supplier: null },
    fingerprint: `fp-${merchantId}`,
    actor: 'platform:key_replay',
    statusPoll: { initialMs: 200, maxMs: 1000 },
    historyLimit: 60,
  };
  const handle = await stack.client.workflow.start('merchant', {
    workflowId: merchantWorkflowId(merchantId),
    taskQueue: stack.worker.taskQueue,
    args: [input],
    typedSearchAttributes: [{ key: MerchantId, value: merchantId }],
    staticSummary: `Merchant · ${input.profile.name}`,
  });
  const until = async (what: string, done: () => Promise<boolean>) => {
    for (const deadline = Date.now() + 20_000; !(await done()); await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > deadline) throw new Error(`merchant ${merchantId}: no ${what}`);
    }
  };
  const ask = async (change: WithoutRequest<MerchantChange>) => {
    const requestId = randomBytes(8).toString('hex');
    await handle.signal(merchantChangeSignal, { ...change, actor: 'platform:key_replay', requestId } as MerchantChange);
    await until(`answer to ${change.kind}`, async () => (await handle.query(merchantAnswerQuery, requestId)) !== null);
  };
  await until('approval', async () => (await handle.query(merchantQuery)).status === 'approved');
  await ask({ kind: 'add_key', keyId: 'key_replay_1', sha256: 'a'.repeat(64), prefix: 'sk_replay12…' });
  await handle.signal(keyUsedSignal, { keyId: 'key_replay_1', at: new Date().toISOString() });
  await ask({ kind: 'update_settings', settings: { notify_url: 'https://napoli.example/events' } });
  await ask({ kind: 'rotate_signing_secret' });
  await ask({ kind: 'add_key', keyId: 'key_replay_2', sha256: 'b'.repeat(64), prefix: 'sk_replay34…' });
  await ask({ kind: 'revoke_key', keyId: 'key_replay_1' });
  const first = stack.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
  for (let i = 0; (await first.describe()).status.name === 'RUNNING'; i++) await ask({ kind: 'update_settings', settings: { display_name: `Pizzeria Napoli ${i}` } });
  await handle.terminate('fixture recorded');
  return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
}

/**
 * A subscription's first period, started as api/routes/subscriptions.ts starts one, for two
 * fixtures: the subscription's first run, through to its continue-as-new at the next period, and
 * that period's invoice, a payment link reminded once before it is paid. No notify_url: its events
 * would be signed for a merchant this stack has not made.
 */
const subscriptions = new WeakMap<PaymentsStack, Promise<{ workflowId: string; runId: string; invoiceId: string }>>();
function firstPeriod(stack: PaymentsStack) {
  const run = async () => {
    const id = `sub_${[...randomBytes(20)].map((b) => 'abcdefghijklmnopqrstuvwxyz234567'[b % 32]).join('')}`;
    const { items, currency, ...template } = linkRequest();
    const input: SubscriptionInput = {
      id,
      merchant: 'mer_replayreplayreplayre',
      fingerprint: `fp-${id}`,
      interval: 'PT8S',
      startAtMs: Date.now(),
      dueAfter: 'PT4S',
      reminders: ['-PT2S'],
      gracePeriod: 'PT2S',
      end: null,
      items: items as SubscriptionInput['items'],
      currency: currency as SubscriptionInput['currency'],
      invoiceTemplate: { ...template, distribution: { sms: true } },
      merchantReference: 'member-7',
    };
    const handle = await stack.client.workflow.start('subscription', {
      workflowId: subscriptionWorkflowId(id),
      taskQueue: stack.worker.taskQueue,
      args: [input],
      typedSearchAttributes: [
        { key: SubscriptionId, value: [id] },
        { key: SubscriptionStatus, value: ['active'] },
      ],
      staticSummary: 'Subscription · replay',
    });
    const until = async <T>(what: string, read: () => Promise<T>, done: (value: T) => boolean) => {
      for (let deadline = Date.now() + 20_000; ; await new Promise((r) => setTimeout(r, 100))) {
        const value = await read();
        if (done(value)) return value;
        if (Date.now() > deadline) throw new Error(`subscription ${id}: no ${what}`);
      }
    };
    const sub = await until('invoice', () => handle.query(subscriptionQuery), (s) => s.invoices.length > 0);
    const invoiceId = sub.invoices[0]!.id;
    const invoice = stack.client.workflow.getHandle(invoiceId);
    const reminded = await until('reminder', () => invoice.query(paymentQuery), (p) => p.events.some((e) => e.type === 'reminder_sent'));
    await stack.control('POST', `/payment-links/${reminded.ping_payment_link_id}/pay`, {});
    const first = stack.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
    await until('continue-as-new', () => first.describe(), (d) => d.status.name !== 'RUNNING');
    await invoice.result();
    await handle.terminate('fixture recorded');
    return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId, invoiceId };
  };
  let started = subscriptions.get(stack);
  if (!started) subscriptions.set(stack, (started = run()));
  return started;
}

const create = async (stack: PaymentsStack, endpoint: string, body: Record<string, unknown>) => {
  const res = await stack.call('POST', endpoint, body);
  if (res.status !== 201 && res.status !== 422) throw new Error(`${endpoint}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; ping_payment_link_id: string; ping_payment_id: string; error?: { payment_id: string } };
};

const PATHS: Record<string, Path> = {
  async 'link-paid'(stack) {
    const p = await create(stack, '/v1/payment-links', linkRequest({ notify_url: stack.merchant.url, distribution: { sms: true, email: true, invoice: { reference_type: 'OCR' } } }));
    await stack.waitForPayment(p.id, (x) => x.invoice !== null);
    await stack.control('POST', `/payment-links/${p.ping_payment_link_id}/pay`, {});
    await stack.waitForPayment(p.id, (x) => x.status === 'completed');
    return p.id;
  },
  async 'link-expired'(stack) {
    const p = await create(stack, '/v1/payment-links', linkRequest({ notify_url: stack.merchant.url, due_at: new Date(Date.now() + 3000).toISOString() }));
    await stack.waitForPayment(p.id, (x) => x.status === 'expired', 20_000);
    return p.id;
  },
  async 'link-cancelled'(stack) {
    const p = await create(stack, '/v1/payment-links', linkRequest({ notify_url: stack.merchant.url }));
    await stack.call('POST', `/v1/payments/${p.id}/cancel`);
    return p.id;
  },
  async 'link-refused'(stack) {
    const p = await create(stack, '/v1/payment-links', linkRequest({ payment_methods: [{ provider: 'open_payments', method: 'pis' }] }));
    return p.error!.payment_id;
  },
  async 'pis-paid'(stack) {
    const p = await create(stack, '/v1/pis-payments', pisRequest({ notify_url: stack.merchant.url }));
    await stack.control('POST', `/payments/${p.ping_payment_id}/status`, { status: 'PENDING' });
    await stack.control('POST', `/payments/${p.ping_payment_id}/status`, { status: 'COMPLETED' });
    await stack.waitForPayment(p.id, (x) => x.status === 'completed');
    return p.id;
  },
  async 'pis-aborted'(stack) {
    const p = await create(stack, '/v1/pis-payments', pisRequest({ notify_url: stack.merchant.url }));
    await stack.control('POST', `/payments/${p.ping_payment_id}/status`, { status: 'ABORTED' });
    await stack.waitForPayment(p.id, (x) => x.status === 'cancelled');
    return p.id;
  },
  async 'pis-timed-out'(stack) {
    const p = await create(stack, '/v1/pis-payments', pisRequest({ timeout_seconds: 5 }));
    await stack.waitForPayment(p.id, (x) => x.status === 'expired', 20_000);
    return p.id;
  },
  async 'link-refunded'(stack) {
    const p = await create(stack, '/v1/payment-links', linkRequest({ notify_url: stack.merchant.url, settlement: 'manual' }));
    await stack.control('POST', `/payment-links/${p.ping_payment_link_id}/pay`, {});
    await stack.waitForPayment(p.id, (x) => x.status === 'completed');
    await stack.call('POST', `/v1/payments/${p.id}/refunds`, { reason: 'requested_by_customer' }, { 'idempotency-key': `refund-${p.id}` });
    await stack.waitForPayment(p.id, (x) => x.status === 'refunded');
    return p.id;
  },
  async 'pis-settled-manually'(stack) {
    const p = await create(stack, '/v1/pis-payments', pisRequest({ notify_url: stack.merchant.url, settlement: 'manual' }));
    await stack.control('POST', `/payments/${p.ping_payment_id}/status`, { status: 'COMPLETED' });
    await stack.waitForPayment(p.id, (x) => x.status === 'completed');
    await stack.call('POST', `/v1/payments/${p.id}/settle`);
    return p.id;
  },
  async 'pis-paid-late'(stack) {
    const p = await create(stack, '/v1/pis-payments', pisRequest({ notify_url: stack.merchant.url, timeout_seconds: 5 }));
    await stack.waitForPayment(p.id, (x) => x.status === 'expired', 20_000);
    await stack.control('POST', `/payments/${p.ping_payment_id}/status`, { status: 'COMPLETED' });
    await stack.waitForPayment(p.id, (x) => x.status === 'refunded');
    return p.id;
  },
  async 'pis-cancelled'(stack) {
    const p = await create(stack, '/v1/pis-payments', pisRequest());
    await stack.call('POST', `/v1/payments/${p.id}/cancel`);
    return p.id;
  },
  'merchant-continued': merchantContinued,
  async 'subscription-continued'(stack) {
    const { workflowId, runId } = await firstPeriod(stack);
    return { workflowId, runId };
  },
  async 'link-subscription-invoice'(stack) {
    return (await firstPeriod(stack)).invoiceId;
  },
};

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !(name in PATHS));
  if (unknown.length > 0) throw new Error(`No such path: ${unknown.join(', ')} (known: ${Object.keys(PATHS).join(', ')})`);
  await globalSetup();
  // A late-payment window long enough for 'pis-paid-late' to be found within it; the others just close after it.
  const stack = await startPaymentsStack({ money: { settlementHoldMs: 0, latePaymentWindowMs: 5000 } });
  try {
    mkdirSync(OUT, { recursive: true });
    for (const [name, run] of Object.entries(PATHS)) {
      if (only.length > 0 && !only.includes(name)) continue;
      const recorded = await run(stack);
      const { workflowId, runId } = typeof recorded === 'string' ? { workflowId: recorded, runId: undefined } : recorded;
      const handle = stack.client.workflow.getHandle(workflowId, runId);
      // A run a path names has ended already (and result() would follow it into the next run).
      if (!runId) await handle.result().catch(() => undefined);
      writeFileSync(path.join(OUT, `${name}.json`), `${JSON.stringify(JSON.parse(historyToJSON(await handle.fetchHistory())), null, 1)}\n`);
      process.stdout.write(`recorded ${name} (${workflowId})\n`);
    }
  } finally {
    await stack.stop();
    await globalTeardown();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
