import { receiptMessageId, refundMessageId } from '../../activities/mail';
import { REFUND_TEXTS } from '../../activities/mail/texts';
import type { PaymentResource } from '../../domain/payment';
import { LatePayment } from '../../domain/searchAttributes';
import { eventTypes, moneyAtPing, waitForEvent } from '../helpers/money';
import { linkRequest, pisRequest, startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

/** The late-payment window: long enough to act on an expired payment within it, short for the tests that outwait it. */
const WINDOW_MS = 2000;
const PING_PAYMENT_READ = 'GET /payments/api/v1/payment_orders/:order_id/payments/:payment_id';

/**
 * Issue 14, late payments (docs/money.md): a payment that ended unpaid keeps asking Ping for the
 * late-payment window (2 s here), and a COMPLETED found then is refunded automatically, or accepted
 * with `"late_payment": "accept"`. Polls are fast, so the watch finds it without any callback.
 */
describe('late payments', () => {
  let stack: PaymentsStack;
  beforeAll(async () => {
    stack = await startPaymentsStack({ pollInitialMs: 200, pollMaxMs: 500, money: { settlementHoldMs: 0, latePaymentWindowMs: WINDOW_MS } });
  });
  afterAll(() => stack?.stop());
  afterEach(() => stack.control('PUT', '/faults', {}));

  const reads = async () => ((await stack.control('GET', '/counters')).calls as Record<string, number>)[PING_PAYMENT_READ] ?? 0;
  const inVisibility = async (query: string, id: string) => {
    for (let i = 0; i < 50; i++) {
      for await (const wf of stack.client.workflow.list({ query })) if (wf.workflowId === id) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };

  it('refunds a PIS payment Ping completes after it expired, found by polling with every callback dropped', async () => {
    await stack.control('PUT', '/faults', { callbacks: { drop_rate: 1 } });
    const created = await stack.call('POST', '/v1/pis-payments', pisRequest({ timeout_seconds: 5, notify_url: stack.merchant.url }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const pingPaymentId = created.body.ping_payment_id as string;

    const expired = await stack.waitForPayment(id, (p) => p.status === 'expired', 20_000);
    expect(expired).toMatchObject({ late_payment: false, refund: null, settlement: null });
    expect((await stack.control('GET', `/payments/${pingPaymentId}`)).status).toBe('STOPPED');
    await waitForEvent(stack, id, 'payment.expired');

    // While it watches, the expired payment is no refundable payment: a 409, and nothing reaches Ping.
    const before = await moneyAtPing(stack);
    const refused = await stack.call('POST', `/v1/payments/${id}/refunds`, { reason: 'requested_by_customer' }, { 'Idempotency-Key': `early-${id}` });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('payment_not_paid');
    expect(await moneyAtPing(stack)).toEqual(before);

    // The payer's bank had paid: Ping completes the STOPPED payment, and its callback is lost.
    const dropped = (await stack.control('GET', '/counters')).callbacks.dropped as number;
    await stack.control('POST', `/payments/${pingPaymentId}/status`, { status: 'COMPLETED' });
    const refunded = await stack.waitForPayment(id, (p) => p.status === 'refunded', 10_000);
    expect((await stack.control('GET', '/counters')).callbacks.dropped).toBeGreaterThan(dropped);
    expect(refunded.events.some((e) => e.type === 'ping_callback')).toBe(false);

    expect(refunded).toMatchObject({ late_payment: true, ping_status: 'COMPLETED', settlement: null });
    expect(refunded.refund).toMatchObject({ status: 'succeeded', reason: 'late_payment', amount: 25000, failure: null });
    expect((await stack.control('GET', `/payments/${pingPaymentId}`)).refunds).toEqual([{ amount: 25000, refunded_at: expect.any(String) }]);
    const after = await moneyAtPing(stack);
    expect(after.refunds.accepted).toBe(before.refunds.accepted + 1);
    // Refunded, never settled: the late money went back, none to the merchant.
    expect([after.closeCalls, after.splitCalls, after.settleCalls]).toEqual([before.closeCalls, before.splitCalls, before.settleCalls]);

    // The payer's e-mail says why; the merchant hears all three.
    const [mail] = await stack.inbox.waitForMessages((m) => m.message_id === refundMessageId(id));
    expect(mail!.to).toContain('payer@example.com');
    expect(mail!.subject).toContain('250,00\u00a0kr');
    expect(mail!.text).toContain(REFUND_TEXTS['sv-SE'].latePayment('Möbelhuset AB'));
    expect(stack.inbox.messages().filter((m) => m.message_id === receiptMessageId(id))).toHaveLength(0);
    const paidLate = await waitForEvent(stack, id, 'payment.paid_late');
    expect(paidLate.event.data).toMatchObject({ status: 'expired', late_payment: true });
    await waitForEvent(stack, id, 'payment.refunded');
    expect(eventTypes(stack, id)).toEqual(['payment.expired', 'payment.paid_late', 'payment.refunded']);

    // Support staff find it by its search attribute.
    const handle = stack.client.workflow.getHandle(id);
    await handle.result();
    expect((await handle.describe()).typedSearchAttributes.get(LatePayment)).toBe(true);
    expect(await inVisibility(`LatePayment = true AND TaskQueue = '${stack.worker.taskQueue}'`, id)).toBe(true);
  });

  it('accepts a late payment with "late_payment": "accept": paid, receipt, completed, settled', async () => {
    const created = await stack.call('POST', '/v1/payment-links', linkRequest({ late_payment: 'accept', notify_url: stack.merchant.url }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const cancelled = await stack.call('POST', `/v1/payments/${id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    await waitForEvent(stack, id, 'payment.cancelled');

    // The bank's money was in flight when the link was cancelled.
    await stack.control('POST', `/payment-links/${created.body.ping_payment_link_id}/pay`, { late: true });
    const settled = await stack.waitForPayment(id, (p) => p.settlement?.status === 'settled', 10_000);
    expect(settled).toMatchObject({ status: 'completed', late_payment: true, refund: null, failure: null, ping_status: 'COMPLETED' });
    expect(settled.paid_at).toEqual(expect.any(String));
    expect(settled.ping_payment_id).toEqual(expect.any(String));
    expect((await stack.control('GET', `/payment-orders/${settled.ping_payment_order_id}`)).status).toBe('SETTLED');

    const receipts = await stack.inbox.waitForMessages((m) => m.message_id === receiptMessageId(id));
    expect(receipts).toHaveLength(1);
    expect(stack.inbox.messages().filter((m) => m.message_id === refundMessageId(id))).toHaveLength(0);
    await waitForEvent(stack, id, 'payment.settled');
    expect(eventTypes(stack, id)).toEqual(['payment.cancelled', 'payment.paid_late', 'payment.paid', 'payment.settled']);
    const handle = stack.client.workflow.getHandle(id);
    expect(((await handle.result()) as PaymentResource).status).toBe('completed');
    expect((await handle.describe()).typedSearchAttributes.get(LatePayment)).toBe(true);
  });

  it('waits for a refund through the API when Ping refuses the automatic refund of a late payment', async () => {
    const created = await stack.call('POST', '/v1/pis-payments', pisRequest({ notify_url: stack.merchant.url }));
    const id = created.body.id as string;
    const pingPaymentId = created.body.ping_payment_id as string;
    expect((await stack.call('POST', `/v1/payments/${id}/cancel`)).body.status).toBe('cancelled');
    await stack.control('POST', `/payments/${pingPaymentId}/fail-refund`, { status: 403, error: 'refund_declined' });
    await stack.control('POST', `/payments/${pingPaymentId}/status`, { status: 'COMPLETED' });

    const failed = await stack.waitForPayment(id, (p) => p.refund?.status === 'failed', 10_000);
    expect(failed).toMatchObject({ status: 'cancelled', late_payment: true, refund: { reason: 'late_payment', failure: { code: 'refund_declined', ping_status: 403 } } });
    await waitForEvent(stack, id, 'payment.refund_failed');
    expect((await stack.control('GET', `/payments/${pingPaymentId}`)).refunds).toBeNull();

    // The money is not left behind: the workflow stays open for a support person's refund.
    await new Promise((r) => setTimeout(r, WINDOW_MS)); // the window began at the cancel: it is over now
    expect((await stack.client.workflow.getHandle(id).describe()).status.name).toBe('RUNNING');
    const retried = await stack.call('POST', `/v1/payments/${id}/refunds`, { reason: 'other', description: 'late payment, by support' }, { 'Idempotency-Key': `support-${id}` });
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ status: 'refunded', late_payment: true, refund: { status: 'succeeded', reason: 'other' } });
    expect((await stack.control('GET', `/payments/${pingPaymentId}`)).refunds).toHaveLength(1);
    await waitForEvent(stack, id, 'payment.refunded');
    expect(eventTypes(stack, id)).toEqual(['payment.cancelled', 'payment.paid_late', 'payment.refund_failed', 'payment.refunded']);
  });

  it('watches an ended payment for the window only, then closes it as it was', async () => {
    const created = await stack.call('POST', '/v1/pis-payments', pisRequest({ notify_url: stack.merchant.url }));
    const id = created.body.id as string;
    expect((await stack.call('POST', `/v1/payments/${id}/cancel`)).body.status).toBe('cancelled');
    const readsAtCancel = await reads();
    const cancelledAt = Date.now();

    const result = (await stack.client.workflow.getHandle(id).result()) as PaymentResource;
    // It kept asking Ping through the window, and closed once the window had passed.
    expect(Date.now() - cancelledAt).toBeGreaterThanOrEqual(WINDOW_MS - 300);
    expect(await reads()).toBeGreaterThan(readsAtCancel + 1);
    expect(result).toMatchObject({ status: 'cancelled', late_payment: false, refund: null, settlement: null });
    expect(eventTypes(stack, id)).toEqual(['payment.cancelled']);
    // A refund of the closed, cancelled payment is refused without asking Ping.
    const before = await moneyAtPing(stack);
    const refused = await stack.call('POST', `/v1/payments/${id}/refunds`, { reason: 'other' }, { 'Idempotency-Key': `after-${id}` });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('payment_not_paid');
    expect(await moneyAtPing(stack)).toEqual(before);
  });
});
