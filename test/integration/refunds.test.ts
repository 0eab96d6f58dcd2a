import { randomUUID } from 'node:crypto';
import { refundMessageId } from '../../activities/mail';
import type { PaymentResource } from '../../domain/payment';
import { createAndPay, eventTypes, moneyAtPing, waitForEvent } from '../helpers/money';
import { MERCHANT_ID, startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

/**
 * Issue 14, refunds (docs/money.md): `POST /v1/payments/:id/refunds` on the real stack. The hold is
 * long here (60 s), so a paid payment stays refundable until a test settles it with `POST /settle`.
 */
describe('refunds', () => {
  let stack: PaymentsStack;
  beforeAll(async () => {
    stack = await startPaymentsStack({ pollInitialMs: 200, pollMaxMs: 500, money: { settlementHoldMs: 60_000, latePaymentWindowMs: 1000 } });
  });
  afterAll(() => stack?.stop());

  const refund = (id: string, key: string | undefined, body: Record<string, unknown> = { reason: 'requested_by_customer' }) =>
    stack.call('POST', `/v1/payments/${id}/refunds`, body, key === undefined ? {} : { 'Idempotency-Key': key });
  const atPing = async (pingPaymentId: string) => stack.control('GET', `/payments/${pingPaymentId}`);
  const refundMails = (id: string) => stack.inbox.messages().filter((m) => m.message_id === refundMessageId(id));

  /** A payment paid at the sandbox and completed (receipt and payment.paid out), its settlement on hold. */
  async function completed(flow: 'link' | 'pis', overrides: Record<string, unknown> = {}): Promise<PaymentResource> {
    const created = await createAndPay(stack, flow, overrides);
    const done = await stack.waitForPayment(created.id, (p) => p.status === 'completed' && p.settlement !== null);
    await waitForEvent(stack, done.id, 'payment.paid');
    return done;
  }

  it('refunds a completed link payment before settlement: Ping has the refund, the payer the e-mail, the merchant payment.refunded; the order never settles', async () => {
    const payment = await completed('link', { items: [{ description: 'Hawaii Pizza', merchant_id: MERCHANT_ID, price: 7000, quantity: 2, vat: 12 }] });
    expect(payment.amount).toBe(14000);
    expect(payment.settlement).toMatchObject({ mode: 'automatic', status: 'pending' });
    expect(Date.parse(payment.settlement!.hold_until!)).toBeGreaterThan(Date.now() + 30_000);
    const before = await moneyAtPing(stack);

    const res = await refund(payment.id, `refund-${randomUUID()}`, { reason: 'requested_by_customer', description: 'Changed their mind' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: payment.id, status: 'refunded' });
    expect(res.body.refund).toMatchObject({ status: 'succeeded', reason: 'requested_by_customer', description: 'Changed their mind', amount: 14000, currency: 'SEK', failure: null });
    expect(res.body.refund.ping_status).toBe('PENDING');
    expect(Date.parse(res.body.refund.refunded_at)).toBeGreaterThanOrEqual(Date.parse(res.body.refund.requested_at));

    // Ping shows the refund on the payment the payer paid through the link.
    expect(payment.ping_payment_id).toEqual(expect.any(String));
    expect((await atPing(payment.ping_payment_id!)).refunds).toEqual([{ amount: 14000, refunded_at: expect.any(String) }]);
    const after = await moneyAtPing(stack);
    expect(after.refundCalls).toBe(before.refundCalls + 1);
    expect(after.refunds.accepted).toBe(before.refunds.accepted + 1);

    // The payer's e-mail, once, naming the amount as a Swede writes it.
    const [mail] = await stack.inbox.waitForMessages((m) => m.message_id === refundMessageId(payment.id));
    expect(mail!.to).toContain('bertil@example.com');
    expect(mail!.subject).toContain('140,00\u00a0kr');
    expect(mail!.subject).toContain('Pizzeria AB');
    const refunded = await waitForEvent(stack, payment.id, 'payment.refunded');
    expect(refunded.verified).toBe(true);
    expect(refunded.event.data).toMatchObject({ status: 'refunded', refund: { status: 'succeeded' } });
    expect(eventTypes(stack, payment.id)).toEqual(['payment.paid', 'payment.refunded']);

    // Refunded, the workflow closes without settling: the order at Ping was never closed, split or settled.
    const result = (await stack.client.workflow.getHandle(payment.id).result()) as PaymentResource;
    expect(result.status).toBe('refunded');
    expect((await stack.control('GET', `/payment-orders/${payment.ping_payment_order_id}`)).status).toBe('OPEN');
    const last = await moneyAtPing(stack);
    expect([last.closeCalls, last.splitCalls, last.settleCalls]).toEqual([before.closeCalls, before.splitCalls, before.settleCalls]);
    expect((await stack.call('GET', `/v1/payments/${payment.id}`)).body.status).toBe('refunded');
    expect(refundMails(payment.id)).toHaveLength(1);
    // A refunded payment cannot be settled any more.
    const settle = await stack.call('POST', `/v1/payments/${payment.id}/settle`);
    expect(settle.status).toBe(409);
    expect(settle.body.error.code).toBe('payment_refunded');
  });

  it('refuses a refund once settled (409 payment_settled), sending nothing to Ping', async () => {
    const payment = await completed('pis');
    // POST /settle ends the 60 s hold early.
    const settle = await stack.call('POST', `/v1/payments/${payment.id}/settle`);
    expect(settle.status).toBe(200);
    expect(settle.body.settlement.status).toBe('settled');
    const before = await moneyAtPing(stack);

    const res = await refund(payment.id, `refund-${randomUUID()}`);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'payment_settled' });
    expect(await moneyAtPing(stack)).toEqual(before);
    expect((await atPing(payment.ping_payment_id!)).refunds).toBeNull();
    const latest = (await stack.call('GET', `/v1/payments/${payment.id}`)).body;
    expect(latest).toMatchObject({ status: 'completed', refund: null, settlement: { status: 'settled' } });
    expect(refundMails(payment.id)).toHaveLength(0);
  });

  it('answers the same Idempotency-Key with the same refund (201, then 200) and refunds once at Ping; a new key is already_refunded, another body idempotency_key_reused', async () => {
    const payment = await completed('pis');
    const key = `refund-${randomUUID()}`;
    const body = { reason: 'fraudulent', description: 'Stolen card', amount: payment.amount };
    const before = await moneyAtPing(stack);

    const first = await refund(payment.id, key, body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'refunded', refund: { status: 'succeeded', reason: 'fraudulent', amount: payment.amount } });
    const again = await refund(payment.id, key, body);
    expect(again.status).toBe(200);
    expect(again.body.refund).toEqual(first.body.refund);

    // Also long after the workflow closed, the same key is answered from the closed payment.
    await stack.client.workflow.getHandle(payment.id).result();
    const later = await refund(payment.id, key, body);
    expect(later.status).toBe(200);
    expect(later.body.refund).toEqual(first.body.refund);

    const otherKey = await refund(payment.id, `refund-${randomUUID()}`, body);
    expect(otherKey.status).toBe(409);
    expect(otherKey.body.error.code).toBe('already_refunded');
    const otherBody = await refund(payment.id, key, { ...body, description: 'Something else' });
    expect(otherBody.status).toBe(409);
    expect(otherBody.body.error).toMatchObject({ type: 'idempotency_error', code: 'idempotency_key_reused' });

    const after = await moneyAtPing(stack);
    expect(after.refundCalls).toBe(before.refundCalls + 1);
    expect(after.refunds.accepted).toBe(before.refunds.accepted + 1);
    expect(after.refunds.refused_duplicate).toBe(before.refunds.refused_duplicate);
    expect((await atPing(payment.ping_payment_id!)).refunds).toHaveLength(1);
    expect(refundMails(payment.id)).toHaveLength(1);
    await waitForEvent(stack, payment.id, 'payment.refunded');
    expect(eventTypes(stack, payment.id)).toEqual(['payment.paid', 'payment.refunded']);
  });

  it('refunds once at Ping when the same refund request arrives five times at once', async () => {
    const payment = await completed('link');
    const key = `refund-${randomUUID()}`;
    const before = await moneyAtPing(stack);
    const answers = await Promise.all(Array.from({ length: 5 }, () => refund(payment.id, key, { reason: 'requested_by_customer' })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 201]);
    for (const answer of answers) expect(answer.body.refund).toEqual(answers[0]!.body.refund);
    const after = await moneyAtPing(stack);
    expect(after.refundCalls).toBe(before.refundCalls + 1);
    expect(after.refunds.accepted).toBe(before.refunds.accepted + 1);
    expect((await atPing(payment.ping_payment_id!)).refunds).toHaveLength(1);
    await waitForEvent(stack, payment.id, 'payment.refunded');
    expect(eventTypes(stack, payment.id)).toEqual(['payment.paid', 'payment.refunded']);
  });

  it('reports a refund Ping refuses (403) as failed with payment.refund_failed; a new key then refunds', async () => {
    const payment = await completed('pis');
    await stack.control('POST', `/payments/${payment.ping_payment_id}/fail-refund`, { status: 403, error: 'refund_declined' });
    const before = await moneyAtPing(stack);

    const failed = await refund(payment.id, `refund-${randomUUID()}`);
    expect(failed.status).toBe(201);
    expect(failed.body.status).toBe('completed');
    expect(failed.body.refund).toMatchObject({ status: 'failed', refunded_at: null, failure: { code: 'refund_declined', ping_status: 403 } });
    const event = await waitForEvent(stack, payment.id, 'payment.refund_failed');
    expect(event.event.data.refund).toMatchObject({ status: 'failed', failure: { code: 'refund_declined' } });
    const refused = await moneyAtPing(stack);
    expect(refused.refunds.failed_injected).toBe(before.refunds.failed_injected + 1);
    expect(refused.refunds.accepted).toBe(before.refunds.accepted);
    expect((await atPing(payment.ping_payment_id!)).refunds).toBeNull();
    expect(refundMails(payment.id)).toHaveLength(0);
    // Still paid and on hold: the money is at Ping.
    expect((await stack.call('GET', `/v1/payments/${payment.id}`)).body).toMatchObject({ status: 'completed', settlement: { status: 'pending' } });

    const retried = await refund(payment.id, `refund-${randomUUID()}`, { reason: 'other' });
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ status: 'refunded', refund: { status: 'succeeded', reason: 'other', failure: null } });
    expect((await atPing(payment.ping_payment_id!)).refunds).toHaveLength(1);
    expect((await moneyAtPing(stack)).refunds.accepted).toBe(before.refunds.accepted + 1);
    await stack.inbox.waitForMessages((m) => m.message_id === refundMessageId(payment.id));
    await waitForEvent(stack, payment.id, 'payment.refunded');
    expect(eventTypes(stack, payment.id)).toEqual(['payment.paid', 'payment.refund_failed', 'payment.refunded']);
  });
});
