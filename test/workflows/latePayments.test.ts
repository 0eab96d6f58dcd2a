import type { PaymentResource } from '../../domain/payment';
import { LatePayment, PaymentStatus, SettlementStatus } from '../../domain/searchAttributes';
import { DELIVERIES, DELIVERY_EVENTS, pingRefuses, SETTLEMENT_CALLS, SETTLEMENT_EVENTS, sideBySide, type ActivityName } from './doubles';
import { Harness, merchantEvents, NO_POLLING, refusalOf, type StartedPayment } from './harness';

/**
 * A payment that ended unpaid keeps asking Ping through the late-payment window
 * (workflows/latePayment.ts): a payment Ping completes after all is refunded automatically, or
 * accepted; nothing found, and the workflow closes at the window's end.
 */
describe('late payments', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start();
  });
  afterAll(() => harness?.stop());

  const calls = (payment: StartedPayment): ActivityName[] => sideBySide(payment.double.names(), DELIVERIES);
  const events = (payment: PaymentResource): string[] => sideBySide(payment.events.map((e) => e.type), DELIVERY_EVENTS);
  /** The payer's deadline passes within the case; the window outlasts every case that ends by Ping's word. */
  const EXPIRES_SOON = { timeout_seconds: 0.6 };
  const WATCH = { settlementHoldMs: 0, latePaymentWindowMs: 30_000 };
  const LATE_REFUND_DESCRIPTION = 'paid after the payment had ended';

  /** Waits until the payment has ended unpaid and the merchant has heard: the watch has begun. */
  const ended = (payment: StartedPayment, status: 'expired' | 'cancelled') =>
    payment.waitForPayment(`${status}, merchant told`, (p) => p.status === status && p.events.some((e) => e.type === 'merchant_notified') && payment.double.idle);

  it('refunds a PIS payment Ping completed after it expired: found on Ping’s callback, payment.paid_late, then refunded (reason late_payment)', async () => {
    const payment = await harness.startPis({ request: EXPIRES_SOON, money: WATCH });
    const { double } = payment;
    await ended(payment, 'expired');
    expect((await payment.handle.describe()).status.name).toBe('RUNNING');

    double.setPingStatus('COMPLETED');
    await payment.callback('COMPLETED');
    const done = await payment.result();

    expect(merchantEvents(payment)).toEqual(['payment.expired', 'payment.paid_late', 'payment.refunded']);
    expect(double.callsOf('notifyMerchant')[1]!.input.event.data).toMatchObject({ status: 'expired', late_payment: true, ping_status: 'COMPLETED' });
    expect(calls(payment)).toEqual(['initiatePisPayment', 'getPayment', 'stopPayment', 'notifyMerchant', 'getPayment', 'notifyMerchant', 'refundPayment', 'getRefund', 'notifyMerchant', 'sendRefundEmail']);
    // Ping knows no late_payment reason: ours goes to Ping as `other`.
    expect(double.callsOf('refundPayment').map((c) => c.input)).toEqual([
      { orderId: double.ids.orderId, paymentId: double.ids.pingPaymentId, amount: 25000, currency: 'SEK', reason: 'other', description: LATE_REFUND_DESCRIPTION },
    ]);
    expect(double.callsOf('sendRefundEmail')[0]!.input).toMatchObject({ to: 'payer@example.com', latePayment: true, amountMinor: 25000 });
    expect(double.callsOf('sendReceiptEmail')).toHaveLength(0);

    expect(done).toMatchObject({ status: 'refunded', late_payment: true, ping_status: 'COMPLETED', paid_at: expect.any(String), settlement: null });
    expect(done.refund).toMatchObject({ status: 'succeeded', reason: 'late_payment', description: LATE_REFUND_DESCRIPTION, amount: 25000, refunded_at: double.refundedAt });
    expect(events(done)).toEqual([
      'creating',
      'awaiting_payment',
      'expired',
      'merchant_notified',
      'ping_callback',
      'paid_late',
      'merchant_notified',
      'refund_requested',
      'refund_sent',
      'refunded',
      'merchant_notified',
      'refund_emailed',
    ]);
    const attributes = await payment.searchAttributes();
    expect(attributes.get(LatePayment)).toBe(true);
    expect(attributes.get(PaymentStatus)).toBe('refunded');
    expect(await payment.currentDetails()).toMatch(/^Refunded; paid late; refunded \d{4}-\d{2}-\d{2}/);
  });

  it('finds the late payment by polling when Ping’s callback is lost, backing off through the window', async () => {
    let checksAfterStop = 0;
    const payment = await harness.startPis({
      request: EXPIRES_SOON,
      money: WATCH,
      timing: { pollInitialMs: 200, pollMaxMs: 400 },
      setup: (double) =>
        double.on('getPayment', () => {
          // Stopped at our deadline; Ping completes it between the watch's first and second look.
          if (double.pingStatus === 'STOPPED' && ++checksAfterStop === 2) double.setPingStatus('COMPLETED');
          return { status: double.pingStatus, history: double.pingHistory };
        }),
    });
    const done = await payment.result();

    expect(checksAfterStop).toBe(2);
    expect((await payment.timers()).slice(-2)).toEqual([
      { ms: 200, end: 'fired' },
      { ms: 400, end: 'fired' },
    ]);
    expect(done.events.some((e) => e.type === 'ping_callback')).toBe(false);
    expect(merchantEvents(payment)).toEqual(['payment.expired', 'payment.paid_late', 'payment.refunded']);
    expect(done).toMatchObject({ status: 'refunded', late_payment: true, refund: { reason: 'late_payment', status: 'succeeded' } });
    expect(done.ping_status_history.map((h) => h.status)).toEqual(['INITIATED', 'STOPPED', 'COMPLETED']);
  });

  it('accepts a late payment with late_payment: accept: paid, receipt, completed and settled', async () => {
    const payment = await harness.startPis({ request: { ...EXPIRES_SOON, late_payment: 'accept' }, money: WATCH });
    const { double } = payment;
    await ended(payment, 'expired');
    double.setPingStatus('COMPLETED');
    await payment.callback('COMPLETED');
    const done = await payment.result();

    expect(calls(payment)).toEqual([
      'initiatePisPayment',
      'getPayment',
      'stopPayment',
      'notifyMerchant',
      'getPayment',
      'notifyMerchant',
      'notifyMerchant',
      'sendReceiptEmail',
      ...SETTLEMENT_CALLS,
    ]);
    expect(merchantEvents(payment)).toEqual(['payment.expired', 'payment.paid_late', 'payment.paid', 'payment.settled']);
    expect(double.callsOf('sendReceiptEmail')[0]!.input).toMatchObject({ to: 'payer@example.com', paidAt: done.paid_at });
    expect(double.callsOf('refundPayment')).toHaveLength(0);
    expect(done).toMatchObject({ status: 'completed', late_payment: true, failure: null, refund: null, settlement: { status: 'settled', ping_order_status: 'SETTLED' } });
    expect(events(done)).toEqual([
      'creating',
      'awaiting_payment',
      'expired',
      'merchant_notified',
      'ping_callback',
      'paid',
      'merchant_notified',
      'merchant_notified',
      'receipt_emailed',
      'completed',
      ...SETTLEMENT_EVENTS,
      'merchant_notified',
    ]);
    const attributes = await payment.searchAttributes();
    expect(attributes.get(LatePayment)).toBe(true);
    expect(attributes.get(PaymentStatus)).toBe('completed');
    expect(attributes.get(SettlementStatus)).toBe('settled');
  });

  it('closes expired when the window passes with nothing at Ping, after a last check at the window’s end', async () => {
    const windowMs = 1500;
    const payment = await harness.startPis({ request: EXPIRES_SOON, money: { settlementHoldMs: 0, latePaymentWindowMs: windowMs }, timing: NO_POLLING });
    const done = await payment.result();
    const { double } = payment;

    expect(calls(payment)).toEqual(['initiatePisPayment', 'getPayment', 'stopPayment', 'notifyMerchant', 'getPayment']);
    // With no poll due within the window, its one wait is the whole window, and the look at Ping follows it.
    expect((await payment.timers()).at(-1)).toEqual({ ms: windowMs, end: 'fired' });
    const lastCheck = double.callsOf('getPayment').at(-1)!;
    expect(lastCheck.at - double.callsOf('notifyMerchant')[0]!.at).toBeGreaterThanOrEqual(windowMs - 5);
    expect(done).toMatchObject({ status: 'expired', late_payment: false, ping_status: 'STOPPED', refund: null, paid_at: null });
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'expired', 'merchant_notified']);
    expect(merchantEvents(payment)).toEqual(['payment.expired']);
    expect((await payment.handle.describe()).status.name).toBe('COMPLETED');
    expect((await payment.searchAttributes()).get(LatePayment)).toBeUndefined();
  });

  it('refunds a link the merchant cancelled that Ping then completed, to the Ping payment its checkout made', async () => {
    const payment = await harness.startLink({ money: WATCH });
    const { double } = payment;
    expect(await payment.cancel()).toMatchObject({ status: 'cancelled' });
    await ended(payment, 'cancelled');
    double.setPingStatus('COMPLETED');
    await payment.callback('COMPLETED');
    const done = await payment.result();

    expect(calls(payment)).toEqual(['createPaymentLink', 'cancelPaymentLink', 'notifyMerchant', 'getPaymentLink', 'notifyMerchant', 'refundPayment', 'getRefund', 'notifyMerchant', 'sendRefundEmail']);
    expect(merchantEvents(payment)).toEqual(['payment.cancelled', 'payment.paid_late', 'payment.refunded']);
    expect(double.callsOf('refundPayment')[0]!.input).toEqual({
      orderId: double.ids.orderId,
      paymentId: double.ids.pingPaymentId,
      amount: 16500,
      currency: 'SEK',
      reason: 'other',
      description: LATE_REFUND_DESCRIPTION,
    });
    expect(double.callsOf('sendRefundEmail')[0]!.input).toMatchObject({ to: 'bertil@example.com', latePayment: true });
    expect(done).toMatchObject({ status: 'refunded', late_payment: true, ping_payment_id: double.ids.pingPaymentId, refund: { reason: 'late_payment', status: 'succeeded' } });
    expect((await payment.searchAttributes()).get(LatePayment)).toBe(true);
  });

  it('waits for a refund through the API when Ping refuses the automatic one, and refunds on a refund request with a new key', async () => {
    const refusal = { status: 422, code: 'refund_not_allowed' };
    const payment = await harness.startPis({
      request: EXPIRES_SOON,
      money: WATCH,
      setup: (double) =>
        double.on('refundPayment', () => {
          if (double.callsOf('refundPayment').length === 1) throw pingRefuses('Refunds are not enabled for this merchant', refusal);
          double.refundedAt = new Date().toISOString();
          return { pingStatus: 'PENDING', alreadyRefunded: false };
        }),
    });
    const { double } = payment;
    await ended(payment, 'expired');
    double.setPingStatus('COMPLETED');
    await payment.callback('COMPLETED');
    const waiting = await payment.waitForPayment('the refund failed', (p) => p.refund?.status === 'failed' && merchantEvents(payment).includes('payment.refund_failed') && double.idle);

    expect(waiting).toMatchObject({
      status: 'expired',
      late_payment: true,
      refund: { status: 'failed', reason: 'late_payment', failure: { code: 'refund_not_allowed', message: 'Refunds are not enabled for this merchant', ping_status: 422 } },
    });
    expect(merchantEvents(payment)).toEqual(['payment.expired', 'payment.paid_late', 'payment.refund_failed']);
    // It waits for the refund alone: no timer runs, the window no longer matters.
    expect((await payment.timers()).filter((t) => t.end === 'pending')).toEqual([]);
    expect((await payment.handle.describe()).status.name).toBe('RUNNING');
    expect(await payment.currentDetails()).toContain('Expired; paid late; refund failed: refund_not_allowed');
    // The merchant never had this money: there is nothing to settle.
    expect((await refusalOf(payment.settle())).type).toBe('PaymentNotPaid');

    const answered = await payment.refund('support-refund-1', { reason: 'requested_by_customer', description: 'late payment, refunded by support' });
    expect(answered).toMatchObject({ first: true, payment: { status: 'refunded', refund: { status: 'succeeded', reason: 'requested_by_customer' } } });
    const done = await payment.result();

    expect(double.callsOf('refundPayment').map((c) => [c.input.reason, c.input.description])).toEqual([
      ['other', LATE_REFUND_DESCRIPTION],
      ['requested_by_customer', 'late payment, refunded by support'],
    ]);
    expect(merchantEvents(payment)).toEqual(['payment.expired', 'payment.paid_late', 'payment.refund_failed', 'payment.refunded']);
    expect(done).toMatchObject({ status: 'refunded', late_payment: true, refund: { status: 'succeeded', failure: null } });
  });
});
