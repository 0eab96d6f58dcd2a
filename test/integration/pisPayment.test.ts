import { randomUUID } from 'node:crypto';
import { webhookToken } from '../../common/webhookToken';
import { DueAt, PingPaymentId } from '../../domain/searchAttributes';
import { TEST_WEBHOOK_SECRET } from '../helpers/api';
import { pisRequest, startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

const INITIATE = 'POST /payments/api/v1/payment_orders/:order_id/payments';
const STOP = 'PUT /payments/api/v1/payment_orders/:order_id/payments/:payment_id/stop';

/** The open-banking (PIS) flow over HTTP: the real API, worker, Temporal, sandbox and inbox. */
describe('PIS payment', () => {
  let stack: PaymentsStack;
  beforeAll(async () => {
    stack = await startPaymentsStack({ pollInitialMs: 1000, pollMaxMs: 2000 });
  });
  afterAll(() => stack?.stop());
  afterEach(() => stack.control('PUT', '/faults', {}));

  const calls = async (endpoint: string): Promise<number> => (await stack.control('GET', '/counters')).calls[endpoint] ?? 0;
  const eventsFor = (id: string) => stack.merchant.events.filter((e) => e.event.data.id === id);
  const until = async (check: () => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('answers with the bank checkout URL, then completes with one receipt when Ping confirms', async () => {
    const key = randomUUID();
    const lists = async () => (await stack.control('GET', '/counters')).calls['GET /payments/api/v1/payments'] ?? 0;
    const listsBefore = await lists();
    const created = await stack.call('POST', '/v1/pis-payments', pisRequest({ notify_url: stack.merchant.url }), { 'Idempotency-Key': key });
    expect(created.status).toBe(201);
    // A first run initiates without looking for an earlier run's payment (workflows/paymentCore.ts, mayHaveRunBefore).
    expect(await lists()).toBe(listsBefore);
    expect(created.body).toMatchObject({ id: `pis-payment-${key}`, flow: 'pis', status: 'awaiting_payment', amount: 25000, currency: 'SEK' });
    expect(created.body.checkout_url).toMatch(new RegExp(`^${stack.sandbox.url}/checkout/payments/${created.body.ping_payment_id}`));
    expect(created.body.ping_payment_order_id).toEqual(expect.any(String));
    // The payer's deadline is searchable (the API cannot set it at start: it counts from the workflow's start).
    const attributes = (await stack.client.workflow.getHandle(created.body.id).describe()).typedSearchAttributes;
    expect(attributes.get(DueAt)?.toISOString()).toBe(created.body.due_at);
    expect(attributes.get(PingPaymentId)).toBe(created.body.ping_payment_id);

    // Ping was given our return URLs and status callback URL, not the caller's pages.
    const atPing = await stack.control('GET', `/payments/${created.body.ping_payment_id}`);
    expect(atPing).toMatchObject({ provider: 'open_payments', method: 'pis', total_amount: 25000 });

    await stack.control('POST', `/payments/${created.body.ping_payment_id}/status`, { status: 'COMPLETED' });
    const done = await stack.waitForPayment(created.body.id, (p) => p.status === 'completed');
    expect(done.ping_status).toBe('COMPLETED');
    expect(done.ping_status_history.map((h) => h.status)).toEqual(['INITIATED', 'COMPLETED']);

    const receipts = await stack.inbox.waitForMessages((m) => m.to.includes('payer@example.com') && (m.message_id ?? '').includes(created.body.id));
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.subject).toContain('Möbelhuset AB');
    expect(receipts[0]!.text).toContain('Chair');
    expect(receipts[0]!.text).toContain(created.body.merchant_reference);
    // Paid, then (no hold in tests) the order settled at Ping: one signed event each.
    await until(() => eventsFor(created.body.id).length > 1);
    expect(eventsFor(created.body.id).map((e) => [e.event.type, e.verified])).toEqual([
      ['payment.paid', true],
      ['payment.settled', true],
    ]);
  });

  it.each([
    ['DECLINED', 'failed', 'payment.failed'],
    ['CRASHED', 'failed', 'payment.failed'],
    ['ABORTED', 'cancelled', 'payment.cancelled'],
  ])('ends %s at Ping as %s, keeping Ping’s status', async (pingStatus, ours, event) => {
    const created = await stack.call('POST', '/v1/pis-payments', pisRequest({ notify_url: stack.merchant.url }));
    await stack.control('POST', `/payments/${created.body.ping_payment_id}/status`, { status: pingStatus });
    const ended = await stack.waitForPayment(created.body.id, (p) => p.status === ours);
    expect(ended.ping_status).toBe(pingStatus);
    if (ours === 'failed') expect(ended.failure).toMatchObject({ code: `ping_${pingStatus.toLowerCase()}` });
    await until(() => eventsFor(created.body.id).length > 0);
    expect(eventsFor(created.body.id).map((e) => e.event.type)).toEqual([event]);
    expect(stack.inbox.messages().filter((m) => (m.message_id ?? '').includes(created.body.id))).toHaveLength(0);
  });

  it('stops the payment at Ping when the payer runs out of time, and ends expired', async () => {
    const stops = await calls(STOP);
    const created = await stack.call('POST', '/v1/pis-payments', pisRequest({ timeout_seconds: 5, notify_url: stack.merchant.url }));
    expect(created.body.due_at).toEqual(expect.any(String));
    const expired = await stack.waitForPayment(created.body.id, (p) => p.status === 'expired', 20_000);
    expect(Date.parse(expired.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.body.due_at));
    expect(await calls(STOP)).toBe(stops + 1);
    expect((await stack.control('GET', `/payments/${created.body.ping_payment_id}`)).status).toBe('STOPPED');
    await until(() => eventsFor(created.body.id).length > 0);
    expect(eventsFor(created.body.id).map((e) => e.event.type)).toEqual(['payment.expired']);
  });

  it('still ends expired when Ping stopped the payment but its answer was lost', async () => {
    await stack.control('PUT', '/faults', { fail_after_processing_rate: 1, endpoints: [STOP] });
    const created = await stack.call('POST', '/v1/pis-payments', pisRequest({ timeout_seconds: 5, notify_url: stack.merchant.url }));
    const expired = await stack.waitForPayment(created.body.id, (p) => p.status === 'expired' || p.status === 'cancelled', 20_000);
    expect(expired.status).toBe('expired');
    expect(expired.ping_status).toBe('STOPPED');
    await until(() => eventsFor(created.body.id).length > 0);
    expect(eventsFor(created.body.id).map((e) => e.event.type)).toEqual(['payment.expired']);
  });

  it('is cancelled by the merchant: stopped at Ping', async () => {
    const created = await stack.call('POST', '/v1/pis-payments', pisRequest());
    const cancelled = await stack.call('POST', `/v1/payments/${created.body.id}/cancel`);
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled' } });
    expect((await stack.control('GET', `/payments/${created.body.ping_payment_id}`)).status).toBe('STOPPED');
    expect((await stack.call('POST', `/v1/payments/${created.body.id}/cancel`)).status).toBe(409);
  });

  it.each([
    ['duplicated', { callbacks: { duplicate_rate: 1 } }],
    ['reordered', { callbacks: { reorder: true, reorder_window_ms: 300, duplicate_rate: 1 } }],
    ['dropped', { callbacks: { drop_rate: 1 } }],
  ])('completes exactly once when callbacks are %s', async (_name, faults) => {
    await stack.control('PUT', '/faults', faults);
    const created = await stack.call('POST', '/v1/pis-payments', pisRequest({ notify_url: stack.merchant.url }));
    await stack.control('POST', `/payments/${created.body.ping_payment_id}/status`, { status: 'PENDING' });
    await stack.control('POST', `/payments/${created.body.ping_payment_id}/status`, { status: 'COMPLETED' });
    const done = await stack.waitForPayment(created.body.id, (p) => p.status === 'completed');
    await new Promise((r) => setTimeout(r, 700)); // late duplicates land after completion
    expect(done.events.filter((e) => e.type === 'paid')).toHaveLength(1);
    expect(stack.inbox.messages().filter((m) => (m.message_id ?? '').includes(created.body.id))).toHaveLength(1);
    // The settlement that follows is the only other event: still one payment.paid.
    await until(() => eventsFor(created.body.id).some((e) => e.event.type === 'payment.settled'));
    expect(eventsFor(created.body.id).map((e) => e.event.type)).toEqual(['payment.paid', 'payment.settled']);
  });

  it('is idempotent per Idempotency-Key', async () => {
    const key = randomUUID();
    const body = pisRequest();
    const first = await stack.call('POST', '/v1/pis-payments', body, { 'Idempotency-Key': key });
    const initiates = await calls(INITIATE);
    const again = await stack.call('POST', '/v1/pis-payments', body, { 'Idempotency-Key': key });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, checkout_url: first.body.checkout_url, ping_payment_id: first.body.ping_payment_id });
    expect((await stack.call('POST', '/v1/pis-payments', { ...body, reference: 'other' }, { 'Idempotency-Key': key })).status).toBe(409);
    expect(await calls(INITIATE)).toBe(initiates);
  });

  it('fails with Ping’s error when Ping refuses the initiation', async () => {
    await stack.control('PUT', '/faults', { error_rate: 1, error_status: 422, endpoints: [INITIATE] });
    const refused = await stack.call('POST', '/v1/pis-payments', pisRequest());
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'sandbox_fault_injected', ping_status: 422, payment_id: expect.stringMatching(/^pis-payment-/) });
    const payment = await stack.call('GET', `/v1/payments/${refused.body.error.payment_id}`);
    expect(payment.body).toMatchObject({ status: 'failed', checkout_url: null });
  });

  it('sends the payer back to the caller’s page through our return URL, and refuses a bad token', async () => {
    const created = await stack.call('POST', '/v1/pis-payments', pisRequest());
    const id = created.body.id as string;
    const token = webhookToken(TEST_WEBHOOK_SECRET, id, 'payer-return');
    for (const [outcome, target] of [['success', 'https://shop.example/paid'], ['cancel', 'https://shop.example/cancelled'], ['error', 'https://shop.example/error']]) {
      const res = await fetch(`${stack.api.url}/v1/payments/${id}/return/${outcome}?token=${token}`, { redirect: 'manual' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(target);
    }
    const forged = await fetch(`${stack.api.url}/v1/payments/${id}/return/success?token=${webhookToken(TEST_WEBHOOK_SECRET, id)}`, { redirect: 'manual' });
    expect(forged.status).toBe(401);
    const latest = await stack.call('GET', `/v1/payments/${id}`);
    // What the payer saw is recorded, but only Ping's status decides: still awaiting payment.
    expect(latest.body.status).toBe('awaiting_payment');
    expect(latest.body.events.filter((e: { type: string }) => e.type === 'payer_returned').map((e: { detail: string }) => e.detail)).toEqual(['success', 'cancel', 'error']);
    await stack.call('POST', `/v1/payments/${id}/cancel`);
  });

  it('accepts Ping’s payment callbacks only with the payment’s token', async () => {
    const created = await stack.call('POST', '/v1/pis-payments', pisRequest());
    const id = created.body.id as string;
    const post = (token: string, body: string) =>
      fetch(`${stack.api.url}/webhooks/ping/payments/${id}?token=${encodeURIComponent(token)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const body = JSON.stringify({ payment_id: created.body.ping_payment_id, status: 'COMPLETED' });
    expect((await post('nope', body)).status).toBe(401);
    expect((await post(webhookToken(TEST_WEBHOOK_SECRET, id, 'payer-return'), body)).status).toBe(401);
    expect((await post(webhookToken(TEST_WEBHOOK_SECRET, id), '[not json')).status).toBe(400);
    expect((await post(webhookToken(TEST_WEBHOOK_SECRET, id), body)).status).toBe(204);
    await new Promise((r) => setTimeout(r, 300));
    expect((await stack.call('GET', `/v1/payments/${id}`)).body.status).toBe('awaiting_payment');
    await stack.call('POST', `/v1/payments/${id}/cancel`);
  });

  it('rejects invalid requests with a 400 naming the parameter', async () => {
    for (const [overrides, param] of [
      [{ error_url: undefined }, 'error_url'],
      [{ order_items: [] }, 'order_items'],
      [{ reference: 'x'.repeat(36) }, 'reference'],
      [{ timeout_seconds: 1 }, 'timeout_seconds'],
      [{ payer: { email: 'not-an-email' } }, 'payer.email'],
    ] as const) {
      const res = await stack.call('POST', '/v1/pis-payments', pisRequest(overrides as Record<string, unknown>));
      expect(res.status).toBe(400);
      expect(res.body.error.param).toBe(param);
    }
  });
});
