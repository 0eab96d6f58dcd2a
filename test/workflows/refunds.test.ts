import type { PaymentResource } from '../../domain/payment';
import { PaymentStatus, SettlementStatus } from '../../domain/searchAttributes';
import { DELIVERIES, DELIVERY_EVENTS, pingRefuses, sideBySide, type ActivityName } from './doubles';
import { Harness, merchantEvents, payAtPing, refusalOf, type StartedPayment } from './harness';

/**
 * The refund request (workflows/messageHandlers.ts, refund.ts): full refunds before settlement, made
 * at Ping and confirmed by fetching the payment; what the validator refuses, and a refund Ping refuses.
 */
describe('refunds', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start();
  });
  afterAll(() => harness?.stop());

  const calls = (payment: StartedPayment): ActivityName[] => sideBySide(payment.double.names(), DELIVERIES);
  const events = (payment: PaymentResource): string[] => sideBySide(payment.events.map((e) => e.type), DELIVERY_EVENTS);
  const SETTLEMENT_STEPS: readonly ActivityName[] = ['closePaymentOrder', 'splitPaymentOrder', 'getAllocations', 'settlePaymentOrder'];
  const settlementCalls = (payment: StartedPayment) => payment.double.names().filter((n) => SETTLEMENT_STEPS.includes(n));
  /** Long enough that no case reaches its end: the refunds here come before settlement. */
  const LONG_HOLD = { settlementHoldMs: 3_600_000, latePaymentWindowMs: 0 };
  const completedAndHolding = (payment: StartedPayment) =>
    payment.waitForPayment('completed, in the hold', (p) => p.status === 'completed' && p.settlement?.status === 'pending' && payment.double.idle);

  it('refunds during the hold: the full amount at Ping, confirmed by polling until Ping shows it, then the e-mail and payment.refunded; never settled (link)', async () => {
    const payment = await harness.startLink({
      money: LONG_HOLD,
      setup: (double) =>
        // Ping has not listed the refund yet at the first look.
        double.on('getRefund', () => (double.callsOf('getRefund').length === 1 ? { refunded: false, refundedAt: null } : { refunded: double.refundedAt !== null, refundedAt: double.refundedAt })),
    });
    const { double } = payment;
    await payAtPing(payment);
    await completedAndHolding(payment);

    const answered = await payment.refund('refund-1', { reason: 'requested_by_customer', description: 'Changed their mind' });
    const done = await payment.result();

    expect(answered.first).toBe(true);
    expect(answered.payment).toMatchObject({ status: 'refunded', refund: { status: 'succeeded' } });
    expect(double.callsOf('refundPayment').map((c) => c.input)).toEqual([
      { orderId: double.ids.orderId, paymentId: double.ids.pingPaymentId, amount: 16500, currency: 'SEK', reason: 'requested_by_customer', description: 'Changed their mind' },
    ]);
    expect(double.callsOf('getRefund').map((c) => c.input)).toEqual([
      { orderId: double.ids.orderId, paymentId: double.ids.pingPaymentId },
      { orderId: double.ids.orderId, paymentId: double.ids.pingPaymentId },
    ]);
    expect(await payment.timers()).toEqual([
      { ms: 600_000, end: 'cancelled' }, // the wait for the payer
      { ms: 3_600_000, end: 'cancelled' }, // the hold, ended by the refund
      // No timer in the refund's handler: it answers at once (workflows/messageHandlers.ts).
      { ms: 1_000, end: 'fired' }, // the second look at Ping, a second after the first
    ]);
    expect(calls(payment)).toEqual([
      'createPaymentLink',
      'getPaymentLink',
      'getReceipt',
      'notifyMerchant',
      'sendReceiptEmail',
      'refundPayment',
      'getRefund',
      'getRefund',
      'notifyMerchant',
      'sendRefundEmail',
    ]);
    expect(settlementCalls(payment)).toEqual([]);
    expect(double.callsOf('sendRefundEmail').map((c) => c.input)).toEqual([
      {
        paymentId: payment.id,
        to: 'bertil@example.com',
        payerName: 'Bertil Jönsson',
        merchantName: 'Pizzeria AB',
        amountMinor: 16500,
        currency: 'SEK',
        reference: 'order-1001',
        refundedAt: double.refundedAt,
        latePayment: false,
        locale: 'sv-SE',
      },
    ]);
    expect(merchantEvents(payment)).toEqual(['payment.paid', 'payment.refunded']);
    expect(double.callsOf('notifyMerchant')[1]!.input.event).toMatchObject({ id: `evt_${payment.id}_payment.refunded`, data: { status: 'refunded', refund: { status: 'succeeded' } } });

    expect(done).toMatchObject({ status: 'refunded', late_payment: false });
    expect(done.refund).toEqual({
      status: 'succeeded',
      reason: 'requested_by_customer',
      description: 'Changed their mind',
      amount: 16500,
      currency: 'SEK',
      requested_at: expect.any(String),
      refunded_at: double.refundedAt,
      ping_status: 'PENDING',
      failure: null,
    });
    expect(events(done)).toEqual([
      'creating',
      'awaiting_payment',
      'ping_callback',
      'paid',
      'receipt_ready',
      'merchant_notified',
      'receipt_emailed',
      'completed',
      'settlement_pending',
      'refund_requested',
      'refund_sent',
      'refunded',
      'merchant_notified',
      'refund_emailed',
    ]);
    expect(done.events.find((e) => e.type === 'refunded')?.detail).toBe('165.00 SEK');
    // Nothing is left to settle: no settlement on the resource, none for a SettlementStatus query to find.
    expect(done.settlement).toBeNull();
    const attributes = await payment.searchAttributes();
    expect(attributes.get(PaymentStatus)).toBe('refunded');
    expect(attributes.get(SettlementStatus)).toBeUndefined();
  });

  it('answers the same key again with the same refund (first: false) and refunds once; the same key with another body is IdempotencyKeyReused (PIS)', async () => {
    const payment = await harness.startPis({ money: LONG_HOLD });
    const { double } = payment;
    // The workflow stays open while the refund e-mail is on its way.
    const mail = double.holdCalls('sendRefundEmail');
    await payAtPing(payment);
    await completedAndHolding(payment);

    // A double click: the same key twice at once, then once more.
    const [one, two] = await Promise.all([payment.refund('refund-1'), payment.refund('refund-1')]);
    const again = await payment.refund('refund-1');
    expect([one.first, two.first].sort()).toEqual([false, true]);
    const first = one.first ? one : two;
    expect(first).toMatchObject({ first: true, payment: { status: 'refunded' } });
    expect(again.first).toBe(false);
    expect(again.payment.refund).toEqual(first.payment.refund);
    expect(await refusalOf(payment.refund('refund-1', { reason: 'fraudulent' }))).toEqual({
      type: 'IdempotencyKeyReused',
      message: 'This Idempotency-Key was already used with a different refund request',
    });
    mail.open();
    const done = await payment.result();

    expect(double.callsOf('refundPayment')).toHaveLength(1);
    expect(double.callsOf('refundPayment')[0]!.input).toMatchObject({ amount: 25000, reason: 'requested_by_customer', description: '' });
    expect(done.events.filter((e) => e.type === 'refund_requested')).toHaveLength(1);
    expect(merchantEvents(payment)).toEqual(['payment.paid', 'payment.refunded']);
    expect(done).toMatchObject({ status: 'refunded', refund: { reason: 'requested_by_customer', status: 'succeeded' } });
    // The refund requests arrived as signals, in their place in the history (domain/messages.ts says why).
    expect((await payment.messagesReceived()).filter((m) => m.includes('refund'))).toEqual(['signal refund', 'signal refund', 'signal refund', 'signal refund']);
  });

  it('refuses the same key with another body while the refund is still at Ping (IdempotencyKeyReused)', async () => {
    const payment = await harness.startLink({ money: LONG_HOLD });
    const atPing = payment.double.holdCalls('refundPayment');
    await payAtPing(payment);
    await completedAndHolding(payment);

    const refund = await payment.refundAccepted('refund-1', { reason: 'requested_by_customer' });
    await payment.double.waitForCalls('refundPayment', 1);
    expect(await refusalOf(payment.refund('refund-1', { reason: 'requested_by_customer', description: 'another body' }))).toMatchObject({ type: 'IdempotencyKeyReused' });
    atPing.open();
    expect((await refund.answer()).payment.status).toBe('refunded');
    expect((await payment.result()).refund).toMatchObject({ status: 'succeeded', description: null });
    expect(payment.double.callsOf('refundPayment')).toHaveLength(1);
  });

  it('refuses a new key while a refund is under way and once refunded (AlreadyRefunded)', async () => {
    const payment = await harness.startLink({ money: LONG_HOLD });
    const { double } = payment;
    const atPing = double.holdCalls('refundPayment');
    const mail = double.holdCalls('sendRefundEmail');
    await payAtPing(payment);
    await completedAndHolding(payment);

    const refund = await payment.refundAccepted('refund-1');
    await double.waitForCalls('refundPayment', 1);
    const alreadyRefunded = { type: 'AlreadyRefunded', message: 'The payment is already refunded or being refunded' };
    expect(await refusalOf(payment.refund('refund-2'))).toEqual(alreadyRefunded);
    atPing.open();
    expect((await refund.answer()).payment.status).toBe('refunded');
    expect(await refusalOf(payment.refund('refund-3'))).toEqual(alreadyRefunded);
    mail.open();
    await payment.result();

    expect(double.callsOf('refundPayment')).toHaveLength(1);
    expect(merchantEvents(payment)).toEqual(['payment.paid', 'payment.refunded']);
  });

  it('refuses a refund once settlement has begun at Ping and once settled (PaymentSettled) (PIS)', async () => {
    const payment = await harness.startPis();
    const { double } = payment;
    const split = double.holdCalls('splitPaymentOrder');
    const settledEvent = double.holdCalls('notifyMerchant', (input) => input.event.type === 'payment.settled');
    await payAtPing(payment);
    await double.waitForCalls('splitPaymentOrder', 1);

    const settled = { type: 'PaymentSettled', message: "The payment's order is settled (or settling) at Ping: its money has gone to the merchant" };
    expect(await refusalOf(payment.refund('refund-1'))).toEqual(settled);
    split.open();
    await double.waitFor('payment.settled', () => merchantEvents(payment).includes('payment.settled'));
    expect(await refusalOf(payment.refund('refund-2'))).toEqual(settled);
    settledEvent.open();
    const done = await payment.result();

    expect(done).toMatchObject({ status: 'completed', refund: null, settlement: { status: 'settled' } });
    expect(double.callsOf('refundPayment')).toHaveLength(0);
    expect((await payment.searchAttributes()).get(SettlementStatus)).toBe('settled');
  });

  it('refuses a refund of a payment not paid: awaiting payment (link) or expired (PIS) (PaymentNotPaid)', async () => {
    const awaiting = await harness.startLink();
    expect(await refusalOf(awaiting.refund('refund-1'))).toEqual({ type: 'PaymentNotPaid', message: 'The payment is awaiting_payment, not paid' });
    await awaiting.cancel();
    expect((await awaiting.result()).refund).toBeNull();
    expect(awaiting.double.callsOf('refundPayment')).toHaveLength(0);

    const expired = await harness.startPis({ request: { timeout_seconds: 0.6 } });
    const expiredEvent = expired.double.holdCalls('notifyMerchant');
    await expired.waitForPayment('expired', (p) => p.status === 'expired');
    expect(await refusalOf(expired.refund('refund-1'))).toEqual({ type: 'PaymentNotPaid', message: 'The payment is expired, not paid' });
    expiredEvent.open();
    expect(await expired.result()).toMatchObject({ status: 'expired', refund: null });
    expect(expired.double.callsOf('refundPayment')).toHaveLength(0);
  });

  it('fails the refund with Ping’s code when Ping refuses it, tells the merchant payment.refund_failed (each failure its own event id), and refunds with a new key (link)', async () => {
    const refusal = { status: 409, code: 'refund_not_possible' };
    const payment = await harness.startLink({
      money: LONG_HOLD,
      setup: (double) =>
        double.on('refundPayment', () => {
          if (double.callsOf('refundPayment').length <= 2) throw pingRefuses('The payment cannot be refunded yet', refusal);
          double.refundedAt = new Date().toISOString();
          return { pingStatus: 'PENDING', alreadyRefunded: false };
        }),
    });
    const { double } = payment;
    await payAtPing(payment);
    await completedAndHolding(payment);

    const failed = await payment.refund('refund-1', { reason: 'fraudulent' });
    const failure = { code: 'refund_not_possible', message: 'The payment cannot be refunded yet', ping_status: 409 };
    expect(failed.first).toBe(true);
    expect(failed.payment).toMatchObject({ status: 'completed', refund: { status: 'failed', reason: 'fraudulent', failure, refunded_at: null } });
    await double.waitFor('payment.refund_failed', () => merchantEvents(payment).includes('payment.refund_failed'));
    expect(double.callsOf('notifyMerchant')[1]!.input.event.data).toMatchObject({ status: 'completed', refund: { status: 'failed', failure } });
    expect(await payment.currentDetails()).toContain('refund failed: refund_not_possible');
    // The same key answers the failed refund; it does not try again.
    const sameKey = await payment.refund('refund-1', { reason: 'fraudulent' });
    expect(sameKey).toMatchObject({ first: false, payment: { refund: { status: 'failed' } } });
    expect(double.callsOf('refundPayment')).toHaveLength(1);

    const failedAgain = await payment.refund('refund-2', { reason: 'other' });
    expect(failedAgain.payment).toMatchObject({ status: 'completed', refund: { status: 'failed', reason: 'other', failure } });
    await double.waitFor('a second payment.refund_failed', () => merchantEvents(payment).filter((t) => t === 'payment.refund_failed').length === 2);

    const retried = await payment.refund('refund-3', { reason: 'requested_by_customer' });
    expect(retried).toMatchObject({ first: true, payment: { status: 'refunded', refund: { status: 'succeeded', reason: 'requested_by_customer', failure: null } } });
    const done = await payment.result();

    expect(double.callsOf('refundPayment').map((c) => c.input.reason)).toEqual(['fraudulent', 'other', 'requested_by_customer']);
    expect(merchantEvents(payment)).toEqual(['payment.paid', 'payment.refund_failed', 'payment.refund_failed', 'payment.refunded']);
    // A receiver that drops repeated ids must not drop the second failure: it is another event, not a re-send.
    expect(double.callsOf('notifyMerchant').map((c) => c.input.event.id)).toEqual([
      `evt_${done.id}_payment.paid`,
      `evt_${done.id}_payment.refund_failed`,
      `evt_${done.id}_payment.refund_failed_2`,
      `evt_${done.id}_payment.refunded`,
    ]);
    expect(done.status).toBe('refunded');
    expect(done.events.filter((e) => e.type.startsWith('refund')).map((e) => [e.type, e.detail])).toEqual([
      ['refund_requested', 'fraudulent'],
      ['refund_failed', 'refund_not_possible'],
      ['refund_requested', 'other'],
      ['refund_failed', 'refund_not_possible'],
      ['refund_requested', 'requested_by_customer'],
      ['refund_sent', 'Ping: PENDING'],
      ['refunded', '165.00 SEK'],
      ['refund_emailed', undefined],
    ]);
    expect(settlementCalls(payment)).toEqual([]);
  });

  it('carries out a refund asked for while the payment is paid once it has completed, before any settlement (link)', async () => {
    // No hold: without the refund, the order would be settled the moment the payment completes.
    const payment = await harness.startLink();
    const { double } = payment;
    const receipt = double.holdCalls('sendReceiptEmail');
    await payAtPing(payment);
    await payment.waitForPayment('paid', (p) => p.status === 'paid');

    const refund = await payment.refundAccepted('refund-1');
    const meanwhile = await payment.waitForPayment('the refund recorded', (p) => p.refund !== null);
    expect(meanwhile).toMatchObject({ status: 'paid', refund: { status: 'pending', reason: 'requested_by_customer' } });
    expect(double.callsOf('refundPayment')).toHaveLength(0);
    receipt.open();

    expect((await refund.answer()).payment.status).toBe('refunded');
    const done = await payment.result();
    expect(calls(payment)).toEqual([
      'createPaymentLink',
      'getPaymentLink',
      'getReceipt',
      'notifyMerchant',
      'sendReceiptEmail',
      'refundPayment',
      'getRefund',
      'notifyMerchant',
      'sendRefundEmail',
    ]);
    expect(settlementCalls(payment)).toEqual([]);
    expect(merchantEvents(payment)).toEqual(['payment.paid', 'payment.refunded']);
    const types = done.events.map((e) => e.type);
    expect(types.indexOf('refund_requested')).toBeLessThan(types.indexOf('completed'));
    expect(types.indexOf('completed')).toBeLessThan(types.indexOf('refund_sent'));
    expect(done.status).toBe('refunded');
  });
});
