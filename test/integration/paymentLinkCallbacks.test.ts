import { webhookToken } from '../../common/webhookToken';
import { TEST_WEBHOOK_SECRET } from '../helpers/api';
import { linkRequest, startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

/**
 * Ping's callbacks as they really arrive: twice, out of order, or not at all. The outcome must be the
 * same single completion, one receipt and one merchant notification.
 */
describe('payment link callbacks', () => {
  let stack: PaymentsStack;
  beforeAll(async () => {
    stack = await startPaymentsStack({ pollInitialMs: 1000, pollMaxMs: 2000 });
  });
  afterAll(() => stack?.stop());
  afterEach(() => stack.control('PUT', '/faults', {}));

  const callbackLog = async (linkId: string) => (await stack.control('GET', `/callbacks?resource_id=${linkId}`)) as Array<Record<string, unknown>>;

  async function payAndComplete(faults: unknown) {
    await stack.control('PUT', '/faults', faults);
    const created = await stack.call('POST', '/v1/payment-links', linkRequest({ notify_url: stack.merchant.url }));
    expect(created.status).toBe(201);
    await stack.control('POST', `/payment-links/${created.body.ping_payment_link_id}/pay`, {});
    const done = await stack.waitForPayment(created.body.id, (p) => p.status === 'completed');
    // Give any duplicate or delayed callbacks time to land after completion.
    await new Promise((r) => setTimeout(r, 600));
    return { created: created.body, done };
  }

  async function expectExactlyOnce(id: string) {
    const receipts = stack.inbox.messages().filter((m) => m.to.includes('bertil@example.com') && m.message_id?.includes(id));
    expect(receipts).toHaveLength(1);
    // The settlement that follows completion (no hold in tests) is the only other event.
    const eventTypes = () => stack.merchant.events.filter((e) => e.event.data.id === id).map((e) => e.event.type);
    await stack.waitForPayment(id, (p) => p.settlement?.status === 'settled');
    for (let i = 0; i < 50 && !eventTypes().includes('payment.settled'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(eventTypes()).toEqual(['payment.paid', 'payment.settled']);
  }

  it('completes once when every callback is sent twice', async () => {
    const { created, done } = await payAndComplete({ callbacks: { duplicate_rate: 1 } });
    expect(done.events.filter((e) => e.type === 'paid')).toHaveLength(1);
    expect(done.events.filter((e) => e.type === 'ping_callback').length).toBeGreaterThanOrEqual(1);
    const deliveries = await callbackLog(created.ping_payment_link_id);
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
    await expectExactlyOnce(created.id);
    const latest = await stack.call('GET', `/v1/payments/${created.id}`);
    expect(latest.body.events.filter((e: { type: string }) => e.type === 'ping_callback').length).toBeGreaterThanOrEqual(2);
    expect(latest.body.status).toBe('completed');
  });

  it('completes once when callbacks are reordered and delayed', async () => {
    const { created, done } = await payAndComplete({ callbacks: { reorder: true, reorder_window_ms: 300, delay_ms: 100, duplicate_rate: 1 } });
    expect(done.status).toBe('completed');
    await expectExactlyOnce(created.id);
  });

  it('recovers a dropped callback by polling Ping', async () => {
    const { created, done } = await payAndComplete({ callbacks: { drop_rate: 1 } });
    expect(done.events.some((e) => e.type === 'ping_callback')).toBe(false);
    const counters = await stack.control('GET', '/counters');
    expect(counters.callbacks.dropped).toBeGreaterThanOrEqual(1);
    await expectExactlyOnce(created.id);
  });

  it('refuses a bad token (401) and a malformed body (400), and does not know unknown payments (404)', async () => {
    const created = await stack.call('POST', '/v1/payment-links', linkRequest());
    const id = created.body.id as string;
    const url = (paymentId: string, token?: string) =>
      `${stack.api.url}/webhooks/ping/payment-links/${paymentId}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
    const post = (target: string, body: string) => fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const valid = JSON.stringify({ payment_link_id: created.body.ping_payment_link_id, status: 'COMPLETED', occured_at: new Date().toISOString() });

    for (const token of [undefined, '', 'forged', webhookToken(TEST_WEBHOOK_SECRET, 'payment-link-someone-else'), webhookToken('another-secret-0123456789', id)]) {
      const res = await post(url(id, token), valid);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_webhook_token');
    }
    const good = webhookToken(TEST_WEBHOOK_SECRET, id);
    const broken = await post(url(id, good), '{"payment_link_id":');
    expect(broken.status).toBe(400);
    const wrongShape = await post(url(id, good), JSON.stringify({ hello: 'world' }));
    expect(wrongShape.status).toBe(400);
    expect(((await wrongShape.json()) as { error: { code: string } }).error.code).toBe('callback_invalid');

    const unknown = 'payment-link-never-created';
    const missing = await post(url(unknown, webhookToken(TEST_WEBHOOK_SECRET, unknown)), valid);
    expect(missing.status).toBe(404);

    // A forged COMPLETED with a valid token is only a trigger: Ping says CREATED, so nothing changes.
    const forged = await post(url(id, good), valid);
    expect(forged.status).toBe(204);
    await new Promise((r) => setTimeout(r, 500));
    const after = await stack.call('GET', `/v1/payments/${id}`);
    expect(after.body.status).toBe('awaiting_payment');
    expect(after.body.events.some((e: { type: string }) => e.type === 'ping_callback')).toBe(true);
    await stack.call('POST', `/v1/payments/${id}/cancel`);
  });
});
