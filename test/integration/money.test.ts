import { SettlementStatus } from '../../domain/searchAttributes';
import type { PaymentResource } from '../../domain/payment';
import { asOurAllocation, createAndPay, eventTypes, moneyAtPing, waitForEvent } from '../helpers/money';
import { linkRequest, MERCHANT_ID, startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

/**
 * Issue 14, settlement (docs/money.md): a completed payment's Ping order is closed, split and
 * settled, its allocations read back, after the hold (none here) or on `POST /settle` for a manual
 * settlement. The real stack: API, worker, Temporal, the sandbox over HTTP, the inbox, a merchant.
 */

const OTHER_MERCHANT = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

describe('settlement', () => {
  let stack: PaymentsStack;
  beforeAll(async () => {
    stack = await startPaymentsStack({ pollInitialMs: 200, pollMaxMs: 500, money: { settlementHoldMs: 0, latePaymentWindowMs: 1000 } });
  });
  afterAll(() => stack?.stop());

  const sandboxOrder = (orderId: string) => stack.control('GET', `/payment-orders/${orderId}`);

  /** Creates a payment of the flow and has the payer pay it at the sandbox. */
  const paid = (flow: 'link' | 'pis', overrides: Record<string, unknown> = {}): Promise<PaymentResource> => createAndPay(stack, flow, overrides);

  it.each([
    [
      'link',
      {
        items: [
          { description: 'Hawaii Pizza', merchant_id: MERCHANT_ID, price: 7000, quantity: 2, vat: 12 },
          { description: 'Wine', merchant_id: OTHER_MERCHANT, price: 9900, quantity: 1, vat: 25 },
        ],
      },
    ],
    ['pis', {}],
  ] as const)('settles a paid %s payment at Ping and shows the allocations Ping made', async (flow, overrides) => {
    const created = await paid(flow, overrides);
    const settled = await stack.waitForPayment(created.id, (p) => p.settlement?.status === 'settled');

    expect(settled.status).toBe('completed');
    expect(settled.settlement).toMatchObject({ mode: 'automatic', status: 'settled', ping_order_status: 'SETTLED', failure: null });
    expect(Date.parse(settled.settlement!.settled_at!)).toBeGreaterThanOrEqual(Date.parse(settled.paid_at!));

    // What the resource says is what Ping holds: the order SETTLED, and its allocations one for one.
    const order = await sandboxOrder(created.ping_payment_order_id!);
    expect(order.status).toBe('SETTLED');
    expect(order.allocations.length).toBeGreaterThan(0);
    expect(settled.settlement!.allocations).toEqual(order.allocations.map(asOurAllocation));
    // Every krona of the payment is allocated, and each merchant gets what its items cost.
    expect(settled.settlement!.allocations.reduce((sum, a) => sum + a.amount, 0)).toBe(settled.amount);
    if (flow === 'link') {
      expect(settled.settlement!.allocations.filter((a) => a.recipient_type === 'merchant').map((a) => [a.merchant_id, a.amount]).sort()).toEqual(
        [
          [MERCHANT_ID, 14000],
          [OTHER_MERCHANT, 9900],
        ].sort(),
      );
    }

    // The merchant hears it, signed, with the allocations, after payment.paid.
    const event = await waitForEvent(stack, created.id, 'payment.settled');
    expect(event.verified).toBe(true);
    expect(event.event.data.settlement?.allocations).toEqual(settled.settlement!.allocations);
    expect(eventTypes(stack, created.id)).toEqual(['payment.paid', 'payment.settled']);

    // Settled, the workflow closes; its SettlementStatus says so to support staff.
    const handle = stack.client.workflow.getHandle(created.id);
    const result = (await handle.result()) as PaymentResource;
    expect(result.settlement?.status).toBe('settled');
    expect((await handle.describe()).typedSearchAttributes.get(SettlementStatus)).toBe('settled');
  });

  it('a manual settlement waits, completed and pending, until POST /settle, which answers settled; again is the same 200', async () => {
    const before = await moneyAtPing(stack);
    const created = await paid('pis', { settlement: 'manual' });
    const completed = await stack.waitForPayment(created.id, (p) => p.status === 'completed' && p.settlement !== null);
    expect(completed.settlement).toMatchObject({ mode: 'manual', status: 'pending', hold_until: null, settled_at: null, allocations: [] });

    // Nothing moves on its own: after a while (many polls' worth) the order is still open at Ping.
    await waitForEvent(stack, created.id, 'payment.paid');
    await new Promise((r) => setTimeout(r, 1000));
    expect((await stack.call('GET', `/v1/payments/${created.id}`)).body.settlement).toMatchObject({ status: 'pending', ping_order_status: null });
    expect((await sandboxOrder(created.ping_payment_order_id!)).status).toBe('OPEN');
    const waited = await moneyAtPing(stack);
    expect([waited.closeCalls, waited.splitCalls, waited.settleCalls]).toEqual([before.closeCalls, before.splitCalls, before.settleCalls]);

    const settle = await stack.call('POST', `/v1/payments/${created.id}/settle`);
    expect(settle.status).toBe(200);
    expect(settle.body).toMatchObject({ id: created.id, status: 'completed', settlement: { mode: 'manual', status: 'settled', ping_order_status: 'SETTLED' } });
    const order = await sandboxOrder(created.ping_payment_order_id!);
    expect(order.status).toBe('SETTLED');
    expect(settle.body.settlement.allocations).toEqual(order.allocations.map(asOurAllocation));
    const after = await moneyAtPing(stack);
    expect([after.closeCalls, after.splitCalls, after.settleCalls]).toEqual([before.closeCalls + 1, before.splitCalls + 1, before.settleCalls + 1]);

    const again = await stack.call('POST', `/v1/payments/${created.id}/settle`);
    expect(again.status).toBe(200);
    expect(again.body.settlement).toEqual(settle.body.settlement);
    // Also once the workflow has closed: the answer is read from the closed payment, and Ping is not asked again.
    await stack.client.workflow.getHandle(created.id).result();
    const closed = await stack.call('POST', `/v1/payments/${created.id}/settle`);
    expect(closed.status).toBe(200);
    expect(closed.body.settlement).toEqual(settle.body.settlement);
    const last = await moneyAtPing(stack);
    expect([last.closeCalls, last.splitCalls, last.settleCalls]).toEqual([after.closeCalls, after.splitCalls, after.settleCalls]);
    await waitForEvent(stack, created.id, 'payment.settled');
    expect(eventTypes(stack, created.id)).toEqual(['payment.paid', 'payment.settled']);
  });

  it('refuses to settle a payment that is not paid (409 payment_not_paid), and sends nothing to Ping', async () => {
    const created = await stack.call('POST', '/v1/payment-links', linkRequest({ settlement: 'manual' }));
    expect(created.status).toBe(201);
    const before = await moneyAtPing(stack);
    const settle = await stack.call('POST', `/v1/payments/${created.body.id}/settle`);
    expect(settle.status).toBe(409);
    expect(settle.body.error).toMatchObject({ type: 'invalid_request_error', code: 'payment_not_paid' });
    expect(await moneyAtPing(stack)).toEqual(before);
    expect((await stack.call('GET', `/v1/payments/${created.body.id}`)).body).toMatchObject({ status: 'awaiting_payment', settlement: null });
    expect((await stack.call('POST', `/v1/payments/${created.body.id}/cancel`)).status).toBe(200);
  });
});
