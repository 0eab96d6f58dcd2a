import { fingerprintQuery } from '../../domain/messages';
import type { PaymentResource } from '../../domain/payment';
import { DELIVERIES, DELIVERY_EVENTS, failsAgainSoon, failsForGood, pingRefuses, SETTLEMENT_CALLS, SETTLEMENT_EVENTS, sideBySide, type ActivityName } from './doubles';
import { dueIn, Harness, linkRequest, NOTIFY_URL, refusalOf, type StartedPayment } from './harness';

/**
 * The paymentLink workflow's branches, each against activity doubles on the real dev server: what
 * the workflow asks Ping and the deliveries, and the resource it ends with.
 */
describe('paymentLink workflow', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start();
  });
  afterAll(() => harness?.stop());

  const calls = (payment: StartedPayment): ActivityName[] => sideBySide(payment.double.names(), DELIVERIES);
  const events = (payment: PaymentResource): string[] => sideBySide(payment.events.map((e) => e.type), DELIVERY_EVENTS);
  const merchantEvents = (payment: StartedPayment) => payment.double.callsOf('notifyMerchant').map((c) => c.input.event.type);

  /** The payer pays at Ping and Ping's callback arrives. */
  const pay = async (payment: StartedPayment) => {
    payment.double.setPingStatus('COMPLETED');
    await payment.callback('COMPLETED');
  };

  it('is paid before the due date: the receipt is fetched, then e-mailed beside payment.paid, and the payment completes', async () => {
    const dueAt = dueIn(60_000);
    const payment = await harness.startLink({ request: { due_at: dueAt } });
    const { double } = payment;
    expect(payment.created).toEqual({
      first: true,
      payment: expect.objectContaining({
        id: payment.id,
        flow: 'link',
        status: 'awaiting_payment',
        amount: 16500,
        checkout_url: double.checkoutUrl,
        ping_payment_order_id: double.ids.orderId,
        ping_payment_link_id: double.ids.linkId,
        due_at: dueAt,
      }),
    });
    const [create] = double.callsOf('createPaymentLink');
    // A first run creates without looking for an earlier run's link, and does so inside the first workflow task.
    expect(create).toMatchObject({ input: { paymentId: payment.id, request: linkRequest({ due_at: dueAt }), lookFirst: false }, attempt: 1, local: true });

    await pay(payment);
    const done = await payment.result();

    expect(calls(payment)).toEqual(['createPaymentLink', 'getPaymentLink', 'getReceipt', 'notifyMerchant', 'sendReceiptEmail', ...SETTLEMENT_CALLS]);
    expect(double.callsOf('getPaymentLink')[0]!.input).toEqual({ linkId: double.ids.linkId });
    expect(double.callsOf('getReceipt')[0]!.input).toEqual({ linkId: double.ids.linkId });
    const receiptUrl = `https://receipts.ping.test/${double.ids.linkId}.pdf`;
    expect(double.callsOf('sendReceiptEmail')[0]!.input).toEqual({
      paymentId: payment.id,
      to: 'bertil@example.com',
      payerName: 'Bertil Jönsson',
      merchantName: 'Pizzeria AB',
      amountMinor: 16500,
      currency: 'SEK',
      items: [
        { description: 'Hawaii Pizza', quantity: 2, unitPriceMinor: 7000, vatPercent: 12 },
        { description: 'Läsk', quantity: 1, unitPriceMinor: 2500, vatPercent: 12 },
      ],
      reference: 'order-1001',
      locale: 'sv-SE',
      paidAt: done.paid_at,
      receiptUrl,
    });
    expect(double.callsOf('notifyMerchant')[0]!.input).toEqual({
      url: NOTIFY_URL,
      event: {
        id: `evt_${payment.id}_payment.paid`,
        type: 'payment.paid',
        created_at: expect.any(String),
        data: expect.objectContaining({ id: payment.id, status: 'paid', paid_at: done.paid_at, receipt_url: receiptUrl }),
      },
    });
    // The receipt is fetched before the e-mail that links it.
    expect(double.callsOf('sendReceiptEmail')[0]!.at).toBeGreaterThanOrEqual(double.callsOf('getReceipt')[0]!.at);

    expect(done).toMatchObject({
      status: 'completed',
      ping_status: 'COMPLETED',
      ping_payment_id: double.ids.pingPaymentId,
      ping_status_history: [{ status: 'COMPLETED', at: expect.any(String) }],
      receipt_url: receiptUrl,
      paid_at: expect.any(String),
      failure: null,
    });
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'ping_callback', 'paid', 'receipt_ready', 'merchant_notified', 'receipt_emailed', 'completed', ...SETTLEMENT_EVENTS, 'merchant_notified']);
    expect(done.events.find((e) => e.type === 'completed')?.detail).toBe('165.00 SEK paid');
  });

  it('sends the receipt e-mail and payment.paid side by side: the merchant hears while the e-mail is still on its way', async () => {
    const payment = await harness.startLink();
    const mailServer = payment.double.hold();
    payment.double.on('sendReceiptEmail', async ({ paymentId }) => {
      await mailServer.opened;
      return { messageId: `<receipt-${paymentId}@orchestrator.test>` };
    });
    await pay(payment);
    await payment.double.waitForCalls('notifyMerchant', 1);
    expect((await payment.waitForPayment('payment.paid delivered', (p) => p.events.some((e) => e.type === 'merchant_notified'))).status).toBe('paid');
    mailServer.open();
    expect((await payment.result()).status).toBe('completed');
  });

  it('expires at the due date: the link is cancelled at Ping after a last check, and the merchant gets payment.expired', async () => {
    const dueAt = dueIn(600);
    const payment = await harness.startLink({ request: { due_at: dueAt } });
    const done = await payment.result();
    const { double } = payment;

    expect(calls(payment)).toEqual(['createPaymentLink', 'getPaymentLink', 'cancelPaymentLink', 'notifyMerchant']);
    const [check] = double.callsOf('getPaymentLink');
    const [cancel] = double.callsOf('cancelPaymentLink');
    expect(check!.at).toBeGreaterThanOrEqual(Date.parse(dueAt));
    expect(cancel).toMatchObject({ input: { linkId: double.ids.linkId }, local: false });
    expect(double.pingStatus).toBe('CANCELLED');
    expect(merchantEvents(payment)).toEqual(['payment.expired']);
    expect(double.callsOf('notifyMerchant')[0]!.input.event.data).toMatchObject({ status: 'expired' });

    expect(done).toMatchObject({ status: 'expired', ping_status: 'ACTIVE', paid_at: null, receipt_url: null });
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'expired', 'merchant_notified']);
    expect(done.events.find((e) => e.type === 'expired')?.detail).toBe('due date passed');
  });

  it('still expires when the cancel went through at Ping but its answer was lost: the check shows CANCELLED', async () => {
    const payment = await harness.startLink({
      request: { due_at: dueIn(500) },
      setup: (double) =>
        double.on('cancelPaymentLink', () => {
          double.setPingStatus('CANCELLED');
          throw pingRefuses('Payment link is already cancelled', { status: 409, code: 'payment_link_not_active' });
        }),
    });
    const done = await payment.result();

    expect(calls(payment)).toEqual(['createPaymentLink', 'getPaymentLink', 'cancelPaymentLink', 'getPaymentLink', 'notifyMerchant']);
    expect(merchantEvents(payment)).toEqual(['payment.expired']);
    expect(done).toMatchObject({ status: 'expired', ping_status: 'CANCELLED' });
    expect(done.ping_status_history.map((h) => h.status)).toEqual(['ACTIVE', 'CANCELLED']);
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'expired', 'merchant_notified']);
  });

  it('ends paid, not expired, when the last check at the due date finds the link paid', async () => {
    const payment = await harness.startLink({ request: { due_at: dueIn(500) }, setup: (double) => double.setPingStatus('COMPLETED') });
    const done = await payment.result();

    expect(calls(payment)).toEqual(['createPaymentLink', 'getPaymentLink', 'getReceipt', 'notifyMerchant', 'sendReceiptEmail', ...SETTLEMENT_CALLS]);
    expect(done.status).toBe('completed');
    expect(merchantEvents(payment)).toEqual(['payment.paid', 'payment.settled']);
  });

  it('is cancelled by the merchant: the link is cancelled at Ping, the cancel answers cancelled, the merchant gets payment.cancelled', async () => {
    const payment = await harness.startLink();
    const answered = await payment.cancel();
    const done = await payment.result();

    expect(answered).toMatchObject({ id: payment.id, status: 'cancelled' });
    // The cancel goes straight to Ping: there is nothing to learn from a check first.
    expect(calls(payment)).toEqual(['createPaymentLink', 'cancelPaymentLink', 'notifyMerchant']);
    expect(merchantEvents(payment)).toEqual(['payment.cancelled']);
    expect(done.status).toBe('cancelled');
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'cancelled', 'merchant_notified']);
    expect(done.events.find((e) => e.type === 'cancelled')?.detail).toBe('cancelled by merchant');
  });

  it('stays cancelled when the cancel went through at Ping but its answer was lost', async () => {
    const payment = await harness.startLink({
      setup: (double) =>
        double.on('cancelPaymentLink', () => {
          double.setPingStatus('CANCELLED');
          throw pingRefuses('Payment link is already cancelled', { status: 409, code: 'payment_link_not_active' });
        }),
    });
    expect(await payment.cancel()).toMatchObject({ status: 'cancelled', ping_status: 'CANCELLED' });
    await payment.result();
    expect(calls(payment)).toEqual(['createPaymentLink', 'cancelPaymentLink', 'getPaymentLink', 'notifyMerchant']);
    expect(merchantEvents(payment)).toEqual(['payment.cancelled']);
  });

  it('lets a payment that raced the cancel win, as Ping says: the cancel answers the paid payment, which completes', async () => {
    const payment = await harness.startLink({
      setup: (double) => double.on('cancelPaymentLink', () => {
        throw pingRefuses('Payment link is completed', { status: 409, code: 'payment_link_not_active' });
      }),
    });
    // The payer paid a moment ago; Ping's callback has not arrived yet.
    payment.double.setPingStatus('COMPLETED');
    const answered = await payment.cancel();
    const done = await payment.result();

    // The cancel answers the payment as it is when read: paid, or already completed if the
    // receipt steps won the race against the read.
    expect(answered).toMatchObject({ ping_status: 'COMPLETED', paid_at: expect.any(String) });
    expect(['paid', 'completed']).toContain(answered.status);
    expect(calls(payment)).toEqual(['createPaymentLink', 'cancelPaymentLink', 'getPaymentLink', 'getReceipt', 'notifyMerchant', 'sendReceiptEmail', ...SETTLEMENT_CALLS]);
    expect(merchantEvents(payment)).toEqual(['payment.paid', 'payment.settled']);
    expect(done.status).toBe('completed');
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'paid', 'receipt_ready', 'merchant_notified', 'receipt_emailed', 'completed', ...SETTLEMENT_EVENTS, 'merchant_notified']);
  });

  it('decides on the check only when callbacks are duplicated and out of order', async () => {
    const payment = await harness.startLink();
    const { double } = payment;
    const mailServer = double.hold();
    double.on('sendReceiptEmail', async ({ paymentId }) => {
      await mailServer.opened;
      return { messageId: `<receipt-${paymentId}@orchestrator.test>` };
    });

    // Callbacks claiming the link is paid while Ping still says it is not.
    for (let i = 0; i < 3; i++) await payment.callback('COMPLETED');
    const meanwhile = await payment.waitForPayment(
      'three callbacks and a check',
      (p) => p.events.filter((e) => e.type === 'ping_callback').length === 3 && p.ping_status === 'ACTIVE' && double.idle,
    );
    expect(meanwhile).toMatchObject({ status: 'awaiting_payment', paid_at: null });

    // Paid at Ping; a stale callback arrives first, then duplicates of the real one, some after the payment is decided.
    double.setPingStatus('COMPLETED');
    await payment.callback('ACTIVE');
    await payment.callback('COMPLETED');
    await payment.callback('COMPLETED');
    await payment.waitForPayment('paid', (p) => p.status === 'paid');
    await payment.callback('COMPLETED');
    mailServer.open();
    const done = await payment.result();

    const types = done.events.map((e) => e.type);
    expect(types.filter((t) => t === 'ping_callback')).toHaveLength(7);
    expect(types.filter((t) => t === 'paid')).toHaveLength(1);
    // Paid only after a check that followed Ping's change, though the first callbacks claimed it earlier.
    const callbackIndexes = types.flatMap((t, i) => (t === 'ping_callback' ? [i] : []));
    expect(types.indexOf('paid')).toBeGreaterThan(callbackIndexes[3]!);
    const checks = double.callsOf('getPaymentLink');
    expect(checks.length).toBeGreaterThanOrEqual(2);
    // No poll runs in this case: every check was a callback's, and none came after the payment was decided.
    expect(checks.length).toBeLessThanOrEqual(6);
    expect(double.callsOf('sendReceiptEmail')).toHaveLength(1);
    expect(merchantEvents(payment)).toEqual(['payment.paid', 'payment.settled']);
    expect(done.status).toBe('completed');
  });

  it('backs off polling while Ping is silent, resets on a callback, and recovers a lost callback by a poll', async () => {
    const initial = 100;
    const max = 400;
    // Scripted by check number, so no step races the timers: three polls with Ping silent; during the
    // third a callback arrives; from the fifth check on the link is paid, but that callback is lost.
    const started: { payment?: StartedPayment } = {};
    const payment = await harness.startLink({
      timing: { pollInitialMs: initial, pollMaxMs: max },
      setup: (double) =>
        double.on('getPaymentLink', async () => {
          const check = double.callsOf('getPaymentLink').length;
          if (check === 3) await started.payment!.callback('ACTIVE');
          if (check === 5) double.setPingStatus('COMPLETED');
          return { status: double.pingStatus, paymentId: double.pingStatus === 'COMPLETED' ? double.ids.pingPaymentId : null };
        }),
    });
    started.payment = payment;
    const done = await payment.result();
    const { double } = payment;

    // The dev server fires timers on its own tick (about a second here), so when a poll fires says
    // little; the waits the workflow asked for are exact in its history.
    expect(await payment.timers()).toEqual([
      { ms: initial, end: 'fired' },
      { ms: 2 * initial, end: 'fired' },
      { ms: max, end: 'fired' },
      { ms: max, end: 'cancelled' }, // not doubled past the maximum; the callback ended this wait
      { ms: initial, end: 'fired' }, // the callback reset the backoff; this poll found the payment
    ]);
    const checks = double.callsOf('getPaymentLink').map((c) => c.at);
    expect(checks).toHaveLength(5);
    const [c1, c2, c3, c4, c5] = checks as [number, number, number, number, number];
    // Each poll waited at least what it asked for.
    expect(c1 - double.callsOf('createPaymentLink')[0]!.at).toBeGreaterThanOrEqual(initial - 5);
    expect(c2 - c1).toBeGreaterThanOrEqual(2 * initial - 5);
    expect(c3 - c2).toBeGreaterThanOrEqual(max - 5);
    expect(c5 - c4).toBeGreaterThanOrEqual(initial - 5);
    expect(done.status).toBe('completed');
    expect(done.events.filter((e) => e.type === 'ping_callback')).toHaveLength(1);
    expect(done.ping_status_history.map((h) => h.status)).toEqual(['ACTIVE', 'COMPLETED']);
  });

  it('records a receipt e-mail that fails until its retries run out, and still completes', async () => {
    // A transient failure is retried by the workflow's policy; the mail server's final refusal ends
    // the retries (twenty attempts at the dev server's timer tick would take twenty seconds).
    const payment = await harness.startLink({
      setup: (double) =>
        double.on('sendReceiptEmail', (_input, call) => {
          if (call.attempt === 1) throw failsAgainSoon('451 4.3.0 mailbox temporarily unavailable');
          throw failsForGood('550 5.1.1 mailbox does not exist', 'InvalidRecipient');
        }),
    });
    await pay(payment);
    const done = await payment.result();

    expect(payment.double.callsOf('sendReceiptEmail').map((a) => [a.attempt, a.input.paymentId])).toEqual([
      [1, payment.id],
      [2, payment.id],
    ]);
    expect(sideBySide(payment.double.firstAttempts(), DELIVERIES)).toEqual(['createPaymentLink', 'getPaymentLink', 'getReceipt', 'notifyMerchant', 'sendReceiptEmail', ...SETTLEMENT_CALLS]);
    expect(done.status).toBe('completed');
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'ping_callback', 'paid', 'receipt_ready', 'merchant_notified', 'receipt_email_failed', 'completed', ...SETTLEMENT_EVENTS, 'merchant_notified']);
    expect(done.events.find((e) => e.type === 'receipt_email_failed')?.detail).toBe('550 5.1.1 mailbox does not exist');
    expect(merchantEvents(payment)).toEqual(['payment.paid', 'payment.settled']);
  });

  it('records a merchant notification that fails, and still completes with the receipt sent', async () => {
    const payment = await harness.startLink({
      setup: (double) =>
        double.on('notifyMerchant', () => {
          throw failsForGood('notify_url answered 410', 'MerchantEndpointFailed');
        }),
    });
    await pay(payment);
    const done = await payment.result();

    expect(calls(payment)).toEqual(['createPaymentLink', 'getPaymentLink', 'getReceipt', 'notifyMerchant', 'sendReceiptEmail', ...SETTLEMENT_CALLS]);
    expect(done.status).toBe('completed');
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'ping_callback', 'paid', 'receipt_ready', 'merchant_notification_failed', 'receipt_emailed', 'completed', ...SETTLEMENT_EVENTS, 'merchant_notification_failed']);
    expect(done.events.filter((e) => e.type === 'merchant_notification_failed').map((e) => e.detail)).toEqual(['payment.paid', 'payment.settled']);
  });

  it('e-mails the receipt without Ping’s receipt when Ping cannot give one', async () => {
    const payment = await harness.startLink({
      setup: (double) =>
        double.on('getReceipt', () => {
          throw pingRefuses('No receipt for this payment link', { status: 404, code: 'not_found' });
        }),
    });
    await pay(payment);
    const done = await payment.result();

    expect(calls(payment)).toEqual(['createPaymentLink', 'getPaymentLink', 'getReceipt', 'notifyMerchant', 'sendReceiptEmail', ...SETTLEMENT_CALLS]);
    expect(payment.double.callsOf('sendReceiptEmail')[0]!.input.receiptUrl).toBeUndefined();
    expect(done).toMatchObject({ status: 'completed', receipt_url: null });
    expect(events(done)).toEqual(['creating', 'awaiting_payment', 'ping_callback', 'paid', 'receipt_failed', 'merchant_notified', 'receipt_emailed', 'completed', ...SETTLEMENT_EVENTS, 'merchant_notified']);
    expect(done.events.find((e) => e.type === 'receipt_failed')?.detail).toBe('No receipt for this payment link');
  });

  it('distributes the link by SMS and e-mail and makes the invoice, recorded on the payment', async () => {
    const payment = await harness.startLink({ request: { distribution: { sms: true, email: true, invoice: { reference_type: 'OCR' } } } });
    const { double } = payment;
    const distributed = await payment.waitForPayment('distribution', (p) => p.distribution.invoice);

    expect(double.names()).toEqual(['createPaymentLink', 'distributePaymentLink', 'createInvoice']);
    expect(double.callsOf('distributePaymentLink')[0]!.input).toEqual({
      linkId: double.ids.linkId,
      sms: true,
      email: true,
      phone: '0701234567',
      emailAddress: 'bertil@example.com',
    });
    expect(double.callsOf('createInvoice')[0]!.input).toEqual({ linkId: double.ids.linkId, referenceType: 'OCR' });
    const invoice = { url: `https://invoices.ping.test/${double.ids.linkId}.pdf`, reference_type: 'OCR', reference: '4711000000017' };
    expect(distributed).toMatchObject({ status: 'awaiting_payment', distribution: { sms: true, email: true, invoice: true }, invoice });
    expect(distributed.events.filter((e) => ['link_distributed', 'invoice_created'].includes(e.type)).map((e) => [e.type, e.detail])).toEqual([
      ['link_distributed', 'sms+email'],
      ['invoice_created', 'OCR 4711000000017'],
    ]);

    await pay(payment);
    expect(await payment.result()).toMatchObject({ status: 'completed', distribution: { sms: true, email: true, invoice: true }, invoice });
  });

  it('records a distribution Ping refuses and goes on: the invoice is still made and the payment completes', async () => {
    const payment = await harness.startLink({
      request: { distribution: { sms: true, invoice: { reference_type: 'OCR' } } },
      setup: (double) =>
        double.on('distributePaymentLink', () => {
          throw pingRefuses('customer_phone is not a valid phone number', { status: 400, code: 'invalid_parameter', property: 'customer_phone' });
        }),
    });
    const distributed = await payment.waitForPayment('distribution', (p) => p.distribution.invoice);
    expect(payment.double.callsOf('distributePaymentLink')[0]!.input).toMatchObject({ sms: true, email: false });
    expect(distributed.distribution).toEqual({ sms: false, email: false, invoice: true });
    expect(distributed.events.filter((e) => e.type === 'distribution_failed').map((e) => e.detail)).toEqual(['sms/email: customer_phone is not a valid phone number']);

    await pay(payment);
    const done = await payment.result();
    expect(calls(payment)).toEqual(['createPaymentLink', 'distributePaymentLink', 'createInvoice', 'getPaymentLink', 'getReceipt', 'notifyMerchant', 'sendReceiptEmail', ...SETTLEMENT_CALLS]);
    expect(done.status).toBe('completed');
  });

  it('fails with Ping’s own code when Ping refuses the link, and tells the merchant payment.failed', async () => {
    const payment = await harness.startLink({
      setup: (double) =>
        double.on('createPaymentLink', () => {
          throw pingRefuses('open_payments is not a payment link method', { status: 422, code: 'invalid_payment_method', property: 'payment_methods' });
        }),
    });
    const failure = { code: 'invalid_payment_method', message: 'open_payments is not a payment link method', ping_status: 422, param: 'payment_methods' };
    expect(payment.created).toEqual({ first: true, payment: expect.objectContaining({ status: 'failed', checkout_url: null, ping_payment_link_id: null, failure }) });
    const done = await payment.result();

    expect(calls(payment)).toEqual(['createPaymentLink', 'notifyMerchant']);
    expect(payment.double.callsOf('createPaymentLink')).toHaveLength(1);
    expect(payment.double.callsOf('notifyMerchant')[0]!.input.event).toMatchObject({ type: 'payment.failed', data: { status: 'failed', failure } });
    expect(done).toMatchObject({ status: 'failed', failure });
    expect(events(done)).toEqual(['creating', 'failed', 'merchant_notified']);
    expect(done.events.find((e) => e.type === 'failed')?.detail).toBe('invalid_payment_method');
  });

  it('answers a repeated create with the same fingerprint as not first, and rejects another fingerprint (IdempotencyKeyReused)', async () => {
    const payment = await harness.startLink({ fingerprint: 'fingerprint-a' });
    const again = await payment.createAgain('fingerprint-a');
    expect(again.first).toBe(false);
    expect(again.payment).toMatchObject({ id: payment.id, status: 'awaiting_payment', checkout_url: payment.created.payment.checkout_url });

    const rejected = await refusalOf(payment.createAgain('fingerprint-b'));
    expect(rejected.type).toBe('IdempotencyKeyReused');
    expect(await payment.handle.query(fingerprintQuery)).toBe('fingerprint-a');
    // Neither repeat reached Ping.
    expect(payment.double.names()).toEqual(['createPaymentLink']);

    await payment.cancel();
    expect((await payment.result()).events.filter((e) => e.type === 'awaiting_payment')).toHaveLength(1);
  });

  it('rejects a cancel once the payment is paid (PaymentFinal), and leaves the link alone', async () => {
    const payment = await harness.startLink();
    const mailServer = payment.double.hold();
    payment.double.on('sendReceiptEmail', async ({ paymentId }) => {
      await mailServer.opened;
      return { messageId: `<receipt-${paymentId}@orchestrator.test>` };
    });
    await pay(payment);
    await payment.waitForPayment('paid', (p) => p.status === 'paid');

    const rejected = await refusalOf(payment.cancel());
    expect(rejected).toEqual({ type: 'PaymentFinal', message: 'The payment is already paid' });
    mailServer.open();
    const done = await payment.result();
    expect(done.status).toBe('completed');
    expect(payment.double.callsOf('cancelPaymentLink')).toHaveLength(0);
  });
});
