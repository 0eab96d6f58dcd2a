import { randomUUID } from 'node:crypto';
import { linkRequest, startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

/** The ways a payment link ends other than paid: due date, the merchant's cancel, Ping's refusal. */
describe('payment link lifecycle', () => {
  let stack: PaymentsStack;
  beforeAll(async () => {
    stack = await startPaymentsStack();
  });
  afterAll(() => stack?.stop());

  const cancelCalls = async (): Promise<number> =>
    (await stack.control('GET', '/counters')).calls['PUT /payment_links/api/v1/payment_links/:payment_link_id/cancel'] ?? 0;

  it('expires at the due date: cancels the link at Ping and tells the merchant', async () => {
    const dueAt = new Date(Date.now() + 3000).toISOString();
    const created = await stack.call('POST', '/v1/payment-links', linkRequest({ due_at: dueAt, notify_url: stack.merchant.url }));
    expect(created.status).toBe(201);
    expect(created.body.due_at).toBe(dueAt);
    const before = await cancelCalls();

    const expired = await stack.waitForPayment(created.body.id, (p) => p.status === 'expired', 15_000);
    expect(Date.parse(expired.updated_at)).toBeGreaterThanOrEqual(Date.parse(dueAt));
    expect(await cancelCalls()).toBe(before + 1);
    expect((await stack.control('GET', `/payment-links/${created.body.ping_payment_link_id}`)).status).toBe('CANCELLED');
    await until(() => stack.merchant.events.some((e) => e.event.data.id === created.body.id));
    expect(stack.merchant.events.filter((e) => e.event.data.id === created.body.id).map((e) => [e.event.type, e.verified])).toEqual([['payment.expired', true]]);
    expect(stack.inbox.messages().filter((m) => m.subject.includes(created.body.id))).toHaveLength(0);
  });

  it('still ends expired when Ping cancelled the link but its answer was lost', async () => {
    await stack.control('PUT', '/faults', { fail_after_processing_rate: 1, endpoints: ['PUT /payment_links/api/v1/payment_links/:payment_link_id/cancel'] });
    try {
      const created = await stack.call('POST', '/v1/payment-links', linkRequest({ due_at: new Date(Date.now() + 2000).toISOString() }));
      const ended = await stack.waitForPayment(created.body.id, (p) => p.status === 'expired' || p.status === 'cancelled', 20_000);
      expect(ended.status).toBe('expired');
      expect(ended.ping_status).toBe('CANCELLED');
    } finally {
      await stack.control('PUT', '/faults', {});
    }
  });

  it('is cancelled by the merchant, once; a second cancel is a 409', async () => {
    const created = await stack.call('POST', '/v1/payment-links', linkRequest({ notify_url: stack.merchant.url }));
    const cancelled = await stack.call('POST', `/v1/payments/${created.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: created.body.id, status: 'cancelled' });
    expect((await stack.control('GET', `/payment-links/${created.body.ping_payment_link_id}`)).status).toBe('CANCELLED');

    const again = await stack.call('POST', `/v1/payments/${created.body.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ type: 'invalid_request_error', code: 'payment_final' });
    await until(() => stack.merchant.events.some((e) => e.event.data.id === created.body.id));
    expect(stack.merchant.events.filter((e) => e.event.data.id === created.body.id).map((e) => e.event.type)).toEqual(['payment.cancelled']);
  });

  it('refuses to cancel a paid payment', async () => {
    const created = await stack.call('POST', '/v1/payment-links', linkRequest());
    await stack.control('POST', `/payment-links/${created.body.ping_payment_link_id}/pay`, {});
    await stack.waitForPayment(created.body.id, (p) => p.status === 'completed');
    const cancel = await stack.call('POST', `/v1/payments/${created.body.id}/cancel`);
    expect(cancel.status).toBe(409);
    expect(cancel.body.error.code).toBe('payment_final');
  });

  it('answers 404 for cancelling or reading a payment that does not exist', async () => {
    for (const [method, path] of [
      ['POST', '/v1/payments/payment-link-no-such-payment/cancel'],
      ['GET', '/v1/payments/payment-link-no-such-payment'],
      ['GET', '/v1/payments/not-even-our-id'],
    ] as const) {
      const res = await stack.call(method, path);
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'resource_missing' });
    }
  });

  it('fails with Ping’s own error when Ping refuses the link, and says so again on a retry', async () => {
    const key = randomUUID();
    // Payment links offer no open-banking method at Ping (the Links SDK has none): Ping answers 422.
    const body = linkRequest({ payment_methods: [{ provider: 'open_payments', method: 'pis' }], notify_url: stack.merchant.url });
    const refused = await stack.call('POST', '/v1/payment-links', body, { 'Idempotency-Key': key });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'unsupported_provider_method',
      payment_id: `payment-link-${key}`,
      ping_status: 422,
    });
    const payment = await stack.call('GET', `/v1/payments/payment-link-${key}`);
    expect(payment.body).toMatchObject({ status: 'failed', failure: { code: 'unsupported_provider_method', ping_status: 422 }, checkout_url: null });

    const retried = await stack.call('POST', '/v1/payment-links', body, { 'Idempotency-Key': key });
    expect(retried.status).toBe(422);
    expect(retried.body.error.code).toBe('unsupported_provider_method');
    await until(() => stack.merchant.events.some((e) => e.event.data.id === `payment-link-${key}`));
    expect(stack.merchant.events.filter((e) => e.event.data.id === `payment-link-${key}`).map((e) => e.event.type)).toEqual(['payment.failed']);
  });
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
