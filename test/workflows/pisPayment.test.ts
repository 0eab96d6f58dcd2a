import { fingerprintQuery } from '../../domain/messages';
import type { PaymentResource } from '../../domain/payment';
import { DELIVERIES, DELIVERY_EVENTS, failsAgainSoon, failsForGood, pingRefuses, SETTLEMENT_CALLS, SETTLEMENT_EVENTS, sideBySide, type ActivityName } from './doubles';
import { Harness, NOTIFY_URL, pisRequest, refusalOf, type StartedPayment } from './harness';

/**
 * The pisPayment workflow's branches against activity doubles on the real dev server. The payer's
 * deadline is `timeout_seconds` from the workflow's start, fractional here so a case lasts a second.
 */
describe('pisPayment workflow', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start();
  });
  afterAll(() => harness?.stop());

  const calls = (payment: StartedPayment): ActivityName[] => sideBySide(payment.double.names(), DELIVERIES);
  const events = (payment: PaymentResource): string[] => sideBySide(payment.events.map((e) => e.type), DELIVERY_EVENTS);
  const merchantEvents = (payment: StartedPayment) => payment.double.callsOf('notifyMerchant').map((c) => c.input.event.type);
  const startedAt = async (payment: StartedPayment) => (await payment.handle.describe()).startTime;

  it('completes when Ping confirms before the deadline: receipt e-mail and payment.paid, Ping’s status history kept', async () => {
    const payment = await harness.startPis({ request: { timeout_seconds: 60 } });
    const { double } = payment;
    const started = await startedAt(payment);
    const dueAt = new Date(started.getTime() + 60_000).toISOString();
    expect(payment.created).toEqual({
      first: true,
      payment: expect.objectContaining({
        id: payment.id,
        flow: 'pis',
        status: 'awaiting_payment',
        amount: 25000,
        checkout_url: double.checkoutUrl,
        ping_payment_order_id: double.ids.orderId,
        ping_payment_id: double.ids.pingPaymentId,
        ping_payment_link_id: null,
        due_at: dueAt,
        redirect_urls: { success: 'https://shop.example/paid', cancel: 'https://shop.example/cancelled', error: 'https://shop.example/error' },
      }),
    });
    // A first run initiates without stopping an earlier run's payment; `startedAt` bounds that search on a re-run.
    expect(double.callsOf('initiatePisPayment')[0]).toMatchObject({
      input: { paymentId: payment.id, request: pisRequest({ timeout_seconds: 60 }), lookFirst: false, startedAt: started.toISOString() },
      attempt: 1,
      local: true,
    });

    double.setPingStatus('PENDING');
    double.setPingStatus('COMPLETED');
    await payment.callback('COMPLETED');
    const done = await payment.result();

    expect(calls(payment)).toEqual(['initiatePisPayment', 'getPayment', 'notifyMerchant', 'sendReceiptEmail', ...SETTLEMENT_CALLS]);
    expect(double.callsOf('getPayment')[0]!.input).toEqual({ orderId: double.ids.orderId, paymentId: double.ids.pingPaymentId });
    expect(double.callsOf('sendReceiptEmail')[0]!.input).toEqual({
      paymentId: payment.id,
      to: 'payer@example.com',
      payerName: 'Petra Payer',
      merchantName: 'Möbelhuset AB',
      amountMinor: 25000,
      currency: 'SEK',
      items: [
        { description: 'Chair', quantity: 1, unitPriceMinor: 20000, vatPercent: 25 },
        { description: 'Delivery', quantity: 1, unitPriceMinor: 5000, vatPercent: 25 },
      ],
      reference: 'pis-2002',
      locale: 'sv-SE',
      paidAt: done.paid_at,
    });
    expect(double.callsOf('notifyMerchant')[0]!.input).toEqual({
      url: NOTIFY_URL,
      event: { id: `evt_${payment.id}_payment.paid`, type: 'payment.paid', created_at: expect.any(String), data: expect.objectContaining({ id: payment.id, status: 'paid' }) },
    });
    expect(done).toMatchObject({ status: 'completed', ping_status: 'COMPLETED', paid_at: expect.any(String), receipt_url: null, failure: null });
    // Ping's own history, as getPayment reported it, not the statuses we happened to see.
    expect(done.ping_status_history).toEqual(double.pingHistory);
    expect(done.ping_status_history.map((h) => h.status)).toEqual(['INITIATED', 'PENDING', 'COMPLETED']);
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'ping_callback', 'paid', 'merchant_notified', 'receipt_emailed', 'completed', ...SETTLEMENT_EVENTS, 'merchant_notified']);
    expect(done.events.find((e) => e.type === 'completed')?.detail).toBe('250.00 SEK paid');
  });

  it('stops the payment at Ping when the payer runs out of time, after a last check, and ends expired', async () => {
    const payment = await harness.startPis({ request: { timeout_seconds: 0.6 } });
    const done = await payment.result();
    const { double } = payment;
    const deadline = (await startedAt(payment)).getTime() + 600;

    expect(done.due_at).toBe(new Date(deadline).toISOString());
    expect(calls(payment)).toEqual(['initiatePisPayment', 'getPayment', 'stopPayment', 'notifyMerchant']);
    expect(double.callsOf('getPayment')[0]!.at).toBeGreaterThanOrEqual(deadline);
    expect(double.callsOf('stopPayment')[0]).toMatchObject({ input: { orderId: double.ids.orderId, paymentId: double.ids.pingPaymentId }, local: false });
    expect(double.pingStatus).toBe('STOPPED');
    expect(merchantEvents(payment)).toEqual(['payment.expired']);
    expect(done).toMatchObject({ status: 'expired', ping_status: 'INITIATED', paid_at: null });
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'expired', 'merchant_notified']);
    expect(done.events.find((e) => e.type === 'expired')?.detail).toBe('payer did not finish in time');
  });

  it('still ends expired when the stop went through at Ping but its answer was lost: the check shows STOPPED', async () => {
    const payment = await harness.startPis({
      request: { timeout_seconds: 0.6 },
      setup: (double) =>
        double.on('stopPayment', () => {
          double.setPingStatus('STOPPED');
          throw pingRefuses('Payment is already stopped', { status: 409, code: 'payment_not_stoppable' });
        }),
    });
    const done = await payment.result();

    expect(calls(payment)).toEqual(['initiatePisPayment', 'getPayment', 'stopPayment', 'getPayment', 'notifyMerchant']);
    expect(merchantEvents(payment)).toEqual(['payment.expired']);
    expect(done).toMatchObject({ status: 'expired', ping_status: 'STOPPED' });
    expect(done.ping_status_history.map((h) => h.status)).toEqual(['INITIATED', 'STOPPED']);
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'expired', 'merchant_notified']);
  });

  it('is cancelled by the merchant: stopped at Ping, the cancel answers cancelled, the merchant gets payment.cancelled', async () => {
    const payment = await harness.startPis();
    const answered = await payment.cancel();
    const done = await payment.result();

    expect(answered).toMatchObject({ id: payment.id, status: 'cancelled' });
    expect(calls(payment)).toEqual(['initiatePisPayment', 'stopPayment', 'notifyMerchant']);
    expect(merchantEvents(payment)).toEqual(['payment.cancelled']);
    expect(done.status).toBe('cancelled');
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'cancelled', 'merchant_notified']);
  });

  it('stays cancelled when the stop went through at Ping but its answer was lost', async () => {
    const payment = await harness.startPis({
      setup: (double) =>
        double.on('stopPayment', () => {
          double.setPingStatus('STOPPED');
          throw pingRefuses('Payment is already stopped', { status: 409, code: 'payment_not_stoppable' });
        }),
    });
    expect(await payment.cancel()).toMatchObject({ status: 'cancelled', ping_status: 'STOPPED' });
    await payment.result();
    expect(calls(payment)).toEqual(['initiatePisPayment', 'stopPayment', 'getPayment', 'notifyMerchant']);
    expect(merchantEvents(payment)).toEqual(['payment.cancelled']);
  });

  it('lets a payment that raced the cancel win, as Ping says: the cancel answers the paid payment, which completes', async () => {
    const payment = await harness.startPis({
      setup: (double) =>
        double.on('stopPayment', () => {
          throw pingRefuses('Payment is completed', { status: 409, code: 'payment_not_stoppable' });
        }),
    });
    payment.double.setPingStatus('COMPLETED');
    const answered = await payment.cancel();
    const done = await payment.result();

    // The cancel answers the payment as it is when read: paid, or already completed.
    expect(answered).toMatchObject({ ping_status: 'COMPLETED' });
    expect(['paid', 'completed']).toContain(answered.status);
    expect(calls(payment)).toEqual(['initiatePisPayment', 'stopPayment', 'getPayment', 'notifyMerchant', 'sendReceiptEmail', ...SETTLEMENT_CALLS]);
    expect(merchantEvents(payment)).toEqual(['payment.paid', 'payment.settled']);
    expect(done.status).toBe('completed');
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'paid', 'merchant_notified', 'receipt_emailed', 'completed', ...SETTLEMENT_EVENTS, 'merchant_notified']);
  });

  it.each([
    ['DECLINED', 'failed', 'payment.failed'],
    ['CRASHED', 'failed', 'payment.failed'],
    ['EXPIRED', 'failed', 'payment.failed'],
    ['ABORTED', 'cancelled', 'payment.cancelled'],
  ] as const)('ends %s at Ping as %s and tells the merchant %s, with no receipt', async (pingStatus, ours, merchantEvent) => {
    const payment = await harness.startPis();
    payment.double.setPingStatus(pingStatus);
    await payment.callback(pingStatus);
    const done = await payment.result();

    expect(calls(payment)).toEqual(['initiatePisPayment', 'getPayment', 'notifyMerchant']);
    expect(merchantEvents(payment)).toEqual([merchantEvent]);
    expect(done).toMatchObject({ status: ours, ping_status: pingStatus, paid_at: null });
    if (ours === 'failed') expect(done.failure).toEqual({ code: `ping_${pingStatus.toLowerCase()}`, message: `Ping reported the payment ${pingStatus}` });
    else expect(done.failure).toBeNull();
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'ping_callback', ours, 'merchant_notified']);
    expect(done.events.find((e) => e.type === ours)?.detail).toBe(`Ping: ${pingStatus}`);
  });

  it('checks Ping when the payer comes back, and decides on Ping’s answer, not on what the browser saw', async () => {
    const payment = await harness.startPis();
    const { double } = payment;
    await payment.payerReturned('success');
    const meanwhile = await payment.waitForPayment('a check after the return', (p) => p.ping_status === 'INITIATED' && double.idle);
    expect(meanwhile.status).toBe('awaiting_payment');

    double.setPingStatus('COMPLETED');
    await payment.payerReturned('success');
    const done = await payment.result();

    expect(calls(payment)).toEqual(['initiatePisPayment', 'getPayment', 'getPayment', 'notifyMerchant', 'sendReceiptEmail', ...SETTLEMENT_CALLS]);
    expect(done.status).toBe('completed');
    expect(done.events.filter((e) => e.type === 'payer_returned').map((e) => e.detail)).toEqual(['success', 'success']);
    expect(done.events.some((e) => e.type === 'ping_callback')).toBe(false);
  });

  it('completes once when callbacks are duplicated and out of order', async () => {
    const payment = await harness.startPis();
    const { double } = payment;
    await payment.callback('COMPLETED');
    await payment.callback('COMPLETED');
    const meanwhile = await payment.waitForPayment(
      'both callbacks checked',
      (p) => p.events.filter((e) => e.type === 'ping_callback').length === 2 && p.ping_status === 'INITIATED' && double.idle,
    );
    expect(meanwhile.status).toBe('awaiting_payment');

    double.setPingStatus('PENDING');
    double.setPingStatus('COMPLETED');
    await Promise.all([payment.callback('PENDING'), payment.callback('COMPLETED'), payment.callback('COMPLETED')]);
    const done = await payment.result();

    expect(done.status).toBe('completed');
    expect(done.events.filter((e) => e.type === 'paid')).toHaveLength(1);
    expect(double.callsOf('getPayment').length).toBeLessThanOrEqual(5);
    expect(double.callsOf('sendReceiptEmail')).toHaveLength(1);
    expect(merchantEvents(payment)).toEqual(['payment.paid', 'payment.settled']);
  });

  it('recovers a lost callback by polling Ping', async () => {
    // Paid at Ping before the first poll; its callback never arrives.
    const payment = await harness.startPis({ timing: { pollInitialMs: 100, pollMaxMs: 200 }, setup: (double) => double.setPingStatus('COMPLETED') });
    const done = await payment.result();

    expect(calls(payment)).toEqual(['initiatePisPayment', 'getPayment', 'notifyMerchant', 'sendReceiptEmail', ...SETTLEMENT_CALLS]);
    expect(await payment.timers()).toEqual([{ ms: 100, end: 'fired' }]);
    expect(done.status).toBe('completed');
    expect(done.events.some((e) => e.type === 'ping_callback')).toBe(false);
  });

  it('fails with Ping’s own code when Ping refuses the initiation, and tells the merchant payment.failed', async () => {
    const payment = await harness.startPis({
      setup: (double) =>
        double.on('initiatePisPayment', () => {
          throw pingRefuses('total_amount exceeds the limit for open banking', { status: 422, code: 'amount_too_large', property: 'total_amount' });
        }),
    });
    const failure = { code: 'amount_too_large', message: 'total_amount exceeds the limit for open banking', ping_status: 422, param: 'total_amount' };
    expect(payment.created).toEqual({ first: true, payment: expect.objectContaining({ status: 'failed', checkout_url: null, ping_payment_id: null, failure }) });
    const done = await payment.result();

    expect(calls(payment)).toEqual(['initiatePisPayment', 'notifyMerchant']);
    expect(payment.double.callsOf('notifyMerchant')[0]!.input.event).toMatchObject({ type: 'payment.failed', data: { status: 'failed', failure } });
    expect(done).toMatchObject({ status: 'failed', failure });
    expect(events(done)).toEqual(['creating', 'failed', 'merchant_notified']);
  });

  it('answers a repeated create with the same fingerprint as not first, and rejects another fingerprint (IdempotencyKeyReused)', async () => {
    const payment = await harness.startPis({ fingerprint: 'fingerprint-a' });
    const again = await payment.createAgain('fingerprint-a');
    expect(again.first).toBe(false);
    expect(again.payment).toMatchObject({ id: payment.id, checkout_url: payment.created.payment.checkout_url, ping_payment_id: payment.double.ids.pingPaymentId });

    expect((await refusalOf(payment.createAgain('fingerprint-b'))).type).toBe('IdempotencyKeyReused');
    expect(await payment.handle.query(fingerprintQuery)).toBe('fingerprint-a');
    expect(payment.double.names()).toEqual(['initiatePisPayment']);
    await payment.cancel();
    await payment.result();
  });

  it('rejects a cancel once the payment has expired (PaymentFinal), and stops at Ping only once', async () => {
    const payment = await harness.startPis({ request: { timeout_seconds: 0.6 } });
    const merchant = payment.double.hold();
    payment.double.on('notifyMerchant', async () => {
      await merchant.opened;
      return { status: 204 };
    });
    await payment.waitForPayment('expired', (p) => p.status === 'expired');

    expect(await refusalOf(payment.cancel())).toEqual({ type: 'PaymentFinal', message: 'The payment is already expired' });
    merchant.open();
    expect((await payment.result()).status).toBe('expired');
    expect(payment.double.callsOf('stopPayment')).toHaveLength(1);
  });

  it('records a merchant notification that fails until its retries run out; the payment stays expired', async () => {
    const payment = await harness.startPis({
      request: { timeout_seconds: 0.6 },
      setup: (double) =>
        double.on('notifyMerchant', (_input, call) => {
          if (call.attempt === 1) throw failsAgainSoon('notify_url answered 503');
          throw failsForGood('notify_url answered 410', 'MerchantEndpointFailed');
        }),
    });
    const done = await payment.result();

    expect(payment.double.callsOf('notifyMerchant').map((c) => [c.attempt, c.input.event.type])).toEqual([
      [1, 'payment.expired'],
      [2, 'payment.expired'],
    ]);
    expect(done.status).toBe('expired');
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'expired', 'merchant_notification_failed']);
    expect(done.events.find((e) => e.type === 'merchant_notification_failed')?.detail).toBe('payment.expired');
  });

  it('records a receipt e-mail the mail server refuses, and still completes', async () => {
    const payment = await harness.startPis({
      setup: (double) =>
        double.on('sendReceiptEmail', () => {
          throw failsForGood('The recipient p***@example.com is not a valid e-mail address', 'InvalidRecipient');
        }),
    });
    payment.double.setPingStatus('COMPLETED');
    await payment.callback('COMPLETED');
    const done = await payment.result();

    expect(payment.double.callsOf('sendReceiptEmail')).toHaveLength(1);
    expect(done.status).toBe('completed');
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'ping_callback', 'paid', 'merchant_notified', 'receipt_email_failed', 'completed', ...SETTLEMENT_EVENTS, 'merchant_notified']);
    expect(merchantEvents(payment)).toEqual(['payment.paid', 'payment.settled']);
  });

  it('sends no receipt e-mail when the payer gave no address', async () => {
    const payment = await harness.startPis({ request: { payer: { name: 'Petra Payer' } } });
    payment.double.setPingStatus('COMPLETED');
    await payment.callback('COMPLETED');
    const done = await payment.result();

    expect(calls(payment)).toEqual(['initiatePisPayment', 'getPayment', 'notifyMerchant', ...SETTLEMENT_CALLS]);
    expect(done.status).toBe('completed');
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'ping_callback', 'paid', 'merchant_notified', 'completed', ...SETTLEMENT_EVENTS, 'merchant_notified']);
  });
});
