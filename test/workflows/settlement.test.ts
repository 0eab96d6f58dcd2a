import type { PaymentResource } from '../../domain/payment';
import { SettlementStatus } from '../../domain/searchAttributes';
import { DELIVERIES, DELIVERY_EVENTS, failsAgainSoon, pingRefuses, SETTLEMENT_CALLS, SETTLEMENT_EVENTS, sideBySide, type ActivityName } from './doubles';
import { Harness, merchantEvents, payAtPing, refusalOf, type StartedPayment } from './harness';

/**
 * A completed payment's order settled at Ping (workflows/settleOrRefund.ts, settlement.ts): after the
 * hold, or on the settle request; Ping refusing a step, and a settle request trying again.
 */
describe('settlement after payment', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start();
  });
  afterAll(() => harness?.stop());

  const calls = (payment: StartedPayment): ActivityName[] => sideBySide(payment.double.names(), DELIVERIES);
  const events = (payment: PaymentResource): string[] => sideBySide(payment.events.map((e) => e.type), DELIVERY_EVENTS);
  const eventAt = (payment: PaymentResource, type: string): string => payment.events.find((e) => e.type === type)!.at;
  const plusMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
  const ALLOCATIONS = [{ recipient_type: 'merchant', merchant_id: '11111111-2222-3333-4444-555555555555', amount: 14000, currency: 'SEK' }];
  const DAY_MS = 24 * 60 * 60 * 1000;

  it('settles once the hold has passed: close → split → allocations → settle, then payment.settled (link)', async () => {
    const holdMs = 1500;
    const payment = await harness.startLink({ money: { settlementHoldMs: holdMs, latePaymentWindowMs: 0 } });
    const { double } = payment;
    await payAtPing(payment);
    const done = await payment.result();

    expect(calls(payment)).toEqual(['createPaymentLink', 'getPaymentLink', 'getReceipt', 'notifyMerchant', 'sendReceiptEmail', ...SETTLEMENT_CALLS]);
    for (const step of ['closePaymentOrder', 'splitPaymentOrder', 'getAllocations', 'settlePaymentOrder'] as const) {
      expect(double.callsOf(step).map((c) => c.input)).toEqual([{ orderId: double.ids.orderId }]);
    }
    // The hold is one timer of exactly the hold, and the first step at Ping comes only after it fired.
    const steps = await payment.steps();
    expect(await payment.timers()).toEqual([
      { ms: 600_000, end: 'cancelled' }, // the wait for the payer, ended by Ping's callback
      { ms: holdMs, end: 'fired' },
    ]);
    expect(steps.filter((s) => s.startsWith('activity ') && !DELIVERIES.includes(s.slice('activity '.length) as ActivityName))).toEqual([
      'activity closePaymentOrder',
      'activity splitPaymentOrder',
      'activity settlePaymentOrder',
    ]);
    expect(steps.indexOf(`fired ${holdMs}`)).toBeLessThan(steps.indexOf('activity closePaymentOrder'));

    const holdUntil = plusMs(eventAt(done, 'completed'), holdMs);
    expect(done.status).toBe('completed');
    expect(done.settlement).toEqual({
      mode: 'automatic',
      status: 'settled',
      hold_until: holdUntil,
      settled_at: expect.any(String),
      ping_order_status: 'SETTLED',
      allocations: ALLOCATIONS,
      failure: null,
    });
    expect(Date.parse(done.settlement!.settled_at!)).toBeGreaterThanOrEqual(Date.parse(holdUntil));
    expect(double.orderStatus).toBe('SETTLED');
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'ping_callback', 'paid', 'receipt_ready', 'merchant_notified', 'receipt_emailed', 'completed', ...SETTLEMENT_EVENTS, 'merchant_notified']);
    expect(done.events.filter((e) => ['settlement_pending', 'payment_order', 'allocations_read'].includes(e.type)).map((e) => [e.type, e.detail])).toEqual([
      ['settlement_pending', `hold until ${holdUntil}`],
      ['payment_order', 'CLOSED'],
      ['payment_order', 'SPLIT'],
      ['allocations_read', '1 allocation'],
      ['payment_order', 'SETTLED'],
    ]);

    expect(merchantEvents(payment)).toEqual(['payment.paid', 'payment.settled']);
    expect(double.callsOf('notifyMerchant')[1]!.input.event).toMatchObject({
      id: `evt_${payment.id}_payment.settled`,
      type: 'payment.settled',
      data: { status: 'completed', settlement: { status: 'settled', allocations: ALLOCATIONS } },
    });
    expect((await payment.searchAttributes()).get(SettlementStatus)).toBe('settled');
    // Each change of the settlement's status is one upsert: pending at the hold, settled at the end.
    expect(await payment.settlementStatusWrites()).toEqual(['pending', 'settled']);
  });

  it('waits with manual settlement, without a timer, until the settle request, which answers with the settled payment (PIS)', async () => {
    const payment = await harness.startPis({ request: { settlement: 'manual' } });
    const { double } = payment;
    await payAtPing(payment);
    const waiting = await payment.waitForPayment('completed, settlement pending', (p) => p.status === 'completed' && p.settlement?.status === 'pending' && double.idle);

    expect(waiting.settlement).toEqual({ mode: 'manual', status: 'pending', hold_until: null, settled_at: null, ping_order_status: null, allocations: [], failure: null });
    expect(waiting.events.find((e) => e.type === 'settlement_pending')?.detail).toBe('manual');
    expect(calls(payment)).toEqual(['initiatePisPayment', 'getPayment', 'notifyMerchant', 'sendReceiptEmail']);
    // Nothing is left to fire: the workflow waits for the merchant alone.
    expect((await payment.timers()).filter((t) => t.end === 'pending')).toEqual([]);
    expect(await payment.currentDetails()).toContain('Completed; settles when asked (manual)');
    expect((await payment.searchAttributes()).get(SettlementStatus)).toBe('pending');

    const answered = await payment.settle();
    expect(answered).toMatchObject({ status: 'completed', settlement: { mode: 'manual', status: 'settled', ping_order_status: 'SETTLED', allocations: ALLOCATIONS, settled_at: expect.any(String) } });
    const done = await payment.result();
    expect(calls(payment)).toEqual(['initiatePisPayment', 'getPayment', 'notifyMerchant', 'sendReceiptEmail', ...SETTLEMENT_CALLS]);
    expect(done.settlement).toEqual(answered.settlement);
    expect(merchantEvents(payment)).toEqual(['payment.paid', 'payment.settled']);
    expect((await payment.searchAttributes()).get(SettlementStatus)).toBe('settled');
  });

  it('ends an automatic hold early on the settle request; the Web UI reads "settles <date>", then "settled" (link)', async () => {
    const holdMs = 3 * DAY_MS;
    const payment = await harness.startLink({ money: { settlementHoldMs: holdMs, latePaymentWindowMs: 0 } });
    await payAtPing(payment);
    const holding = await payment.waitForPayment('the hold', (p) => p.settlement?.status === 'pending' && payment.double.idle);
    const holdUntil = plusMs(eventAt(holding, 'completed'), holdMs);
    expect(holding.settlement).toMatchObject({ mode: 'automatic', hold_until: holdUntil });
    expect(payment.double.callsOf('closePaymentOrder')).toHaveLength(0);
    const during = await payment.currentDetails();
    expect(during).toMatch(/^Completed; settles \d{4}-\d{2}-\d{2};/);
    expect(during).toContain(`settles ${holdUntil.slice(0, 10)}`);

    const answered = await payment.settle();
    expect(answered.settlement).toMatchObject({ status: 'settled', hold_until: holdUntil, ping_order_status: 'SETTLED' });
    const done = await payment.result();

    expect(calls(payment)).toEqual(['createPaymentLink', 'getPaymentLink', 'getReceipt', 'notifyMerchant', 'sendReceiptEmail', ...SETTLEMENT_CALLS]);
    expect((await payment.timers()).find((t) => t.ms === holdMs)).toEqual({ ms: holdMs, end: 'cancelled' });
    const steps = await payment.steps();
    expect(steps.indexOf('update settle')).toBeLessThan(steps.indexOf(`cancelled ${holdMs}`));
    expect(steps.indexOf(`cancelled ${holdMs}`)).toBeLessThan(steps.indexOf('activity closePaymentOrder'));
    expect(done.settlement!.status).toBe('settled');
    const after = await payment.currentDetails();
    expect(after).toMatch(/^Completed; settled;/);
    expect(after).not.toContain('settles');
  });

  it('settles once when asked twice during the settlement and again once settled: one set of calls, every answer settled (PIS)', async () => {
    const payment = await harness.startPis({ request: { settlement: 'manual' } });
    const { double } = payment;
    const settling = double.holdCalls('settlePaymentOrder');
    const settledEvent = double.holdCalls('notifyMerchant', (input) => input.event.type === 'payment.settled');
    await payAtPing(payment);
    await payment.waitForPayment('completed', (p) => p.status === 'completed' && double.idle);

    const first = payment.settle();
    await double.waitForCalls('settlePaymentOrder', 1);
    const second = await payment.settleAccepted();
    settling.open();
    await double.waitFor('payment.settled', () => merchantEvents(payment).includes('payment.settled'));
    const third = await payment.settle();
    settledEvent.open();

    for (const answer of [await first, await second.answer(), third]) expect(answer.settlement).toMatchObject({ status: 'settled', ping_order_status: 'SETTLED' });
    await payment.result();
    expect(calls(payment)).toEqual(['initiatePisPayment', 'getPayment', 'notifyMerchant', 'sendReceiptEmail', ...SETTLEMENT_CALLS]);
    expect(merchantEvents(payment)).toEqual(['payment.paid', 'payment.settled']);
    // No timer: each settle request was answered at once, as a signal (domain/messages.ts says why).
    expect((await payment.timers()).filter((t) => t.end !== 'cancelled')).toEqual([]);
    expect((await payment.messagesReceived()).filter((m) => m.includes('settle'))).toEqual(['signal settle', 'signal settle', 'signal settle']);
  });

  it('refuses to settle an unpaid payment (PaymentNotPaid), and asks Ping nothing', async () => {
    const payment = await harness.startLink();
    expect(await refusalOf(payment.settle())).toEqual({ type: 'PaymentNotPaid', message: 'The payment is awaiting_payment, not paid' });
    await payment.cancel();
    const done = await payment.result();
    expect(calls(payment)).toEqual(['createPaymentLink', 'cancelPaymentLink', 'notifyMerchant']);
    expect(done).toMatchObject({ status: 'cancelled', settlement: null });
  });

  it('ends the settlement failed with Ping’s code when Ping refuses the split; the payment stays completed, and a settle request tries again (PIS)', async () => {
    const refusal = { status: 422, code: 'split_not_possible' };
    const payment = await harness.startPis({
      setup: (double) =>
        double.on('splitPaymentOrder', () => {
          if (double.callsOf('splitPaymentOrder').length === 1) throw pingRefuses('A merchant of the order has no bank account', refusal);
          return { status: (double.orderStatus = 'SPLIT') };
        }),
    });
    const { double } = payment;
    await payAtPing(payment);
    const failed = await payment.waitForPayment('the settlement failed', (p) => p.events.some((e) => e.type === 'merchant_notified' && e.detail === 'payment.settlement_failed'));

    const failure = { code: 'split_not_possible', message: 'A merchant of the order has no bank account', ping_status: 422 };
    expect(failed.status).toBe('completed');
    expect(failed.settlement).toMatchObject({ status: 'failed', failure, ping_order_status: 'CLOSED', settled_at: null, allocations: [] });
    expect(merchantEvents(payment)).toEqual(['payment.paid', 'payment.settlement_failed']);
    expect(double.callsOf('notifyMerchant')[1]!.input.event.data).toMatchObject({ status: 'completed', settlement: { status: 'failed', failure } });
    expect(double.callsOf('splitPaymentOrder')).toHaveLength(1);
    expect((await payment.searchAttributes()).get(SettlementStatus)).toBe('failed');
    expect(await payment.currentDetails()).toContain('Completed; settlement failed: split_not_possible');
    expect((await payment.handle.describe()).status.name).toBe('RUNNING');

    const answered = await payment.settle();
    expect(answered.settlement).toMatchObject({ status: 'settled', failure: null, ping_order_status: 'SETTLED' });
    const done = await payment.result();
    expect(calls(payment)).toEqual([
      'initiatePisPayment',
      'getPayment',
      'notifyMerchant',
      'sendReceiptEmail',
      'closePaymentOrder',
      'splitPaymentOrder',
      'notifyMerchant',
      ...SETTLEMENT_CALLS,
    ]);
    expect(merchantEvents(payment)).toEqual(['payment.paid', 'payment.settlement_failed', 'payment.settled']);
    expect(done.events.filter((e) => e.type.startsWith('settle')).map((e) => [e.type, e.detail])).toEqual([
      ['settlement_pending', `hold until ${eventAt(done, 'completed')}`],
      ['settlement_started', undefined],
      ['settlement_failed', 'split_not_possible'],
      ['settlement_requested', undefined],
      ['settlement_started', undefined],
      ['settled', undefined],
    ]);
    expect((await payment.searchAttributes()).get(SettlementStatus)).toBe('settled');
    expect(await payment.settlementStatusWrites()).toEqual(['pending', 'failed', 'pending', 'settled']);
  });

  it('retries a close that Ping did not answer, and settles once (link)', async () => {
    const payment = await harness.startLink({
      setup: (double) =>
        double.on('closePaymentOrder', (_input, call) => {
          if (call.attempt === 1) throw failsAgainSoon('Ping answered 503');
          return { status: (double.orderStatus = 'CLOSED') };
        }),
    });
    await payAtPing(payment);
    const done = await payment.result();

    expect(payment.double.callsOf('closePaymentOrder').map((c) => c.attempt)).toEqual([1, 2]);
    expect(sideBySide(payment.double.firstAttempts(), DELIVERIES)).toEqual(['createPaymentLink', 'getPaymentLink', 'getReceipt', 'notifyMerchant', 'sendReceiptEmail', ...SETTLEMENT_CALLS]);
    expect(done.settlement).toMatchObject({ status: 'settled', failure: null, ping_order_status: 'SETTLED' });
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'ping_callback', 'paid', 'receipt_ready', 'merchant_notified', 'receipt_emailed', 'completed', ...SETTLEMENT_EVENTS, 'merchant_notified']);
    expect(merchantEvents(payment)).toEqual(['payment.paid', 'payment.settled']);
  });
});
