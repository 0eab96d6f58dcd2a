import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { PROJECT_ROOT } from '../common/config/processConfig';
import globalSetup from '../test/globalSetup';
import globalTeardown from '../test/globalTeardown';
import { linkRequest, pisRequest, startPaymentsStack, type PaymentsStack } from '../test/helpers/paymentsStack';

/**
 * `npm run replay:record`: runs each flow's main paths on a real stack and saves their histories as
 * test/replay/fixtures/*.json. The replay test feeds them to the current workflow code, so a change
 * that breaks determinism fails the build. Until CHANGELOG.md names release 1.0.0, re-record after a
 * change to a command sequence, on purpose; from 1.0.0 on, guard the change with patched() and keep
 * the old fixtures beside the new ones (docs/workflow-versioning.md).
 */
const OUT = path.join(PROJECT_ROOT, 'test', 'replay', 'fixtures');

type Path = (stack: PaymentsStack) => Promise<string>;

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
};

async function main(): Promise<void> {
  await globalSetup();
  // A late-payment window long enough for 'pis-paid-late' to be found within it; the others just close after it.
  const stack = await startPaymentsStack({ money: { settlementHoldMs: 0, latePaymentWindowMs: 5000 } });
  try {
    mkdirSync(OUT, { recursive: true });
    for (const [name, run] of Object.entries(PATHS)) {
      const id = await run(stack);
      const handle = stack.client.workflow.getHandle(id);
      await handle.result().catch(() => undefined);
      writeFileSync(path.join(OUT, `${name}.json`), `${JSON.stringify(JSON.parse(historyToJSON(await handle.fetchHistory())), null, 1)}\n`);
      process.stdout.write(`recorded ${name} (${id})\n`);
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
