import { randomUUID } from 'node:crypto';
import { linkRequest, startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

/** The main path: create → the payer pays → receipt e-mailed → merchant notified → completed. */
describe('payment link, paid', () => {
  let stack: PaymentsStack;
  beforeAll(async () => {
    stack = await startPaymentsStack();
  });
  afterAll(() => stack?.stop());

  it('answers with the checkout URL at once, then completes when the payer pays', async () => {
    const key = randomUUID();
    const body = linkRequest({ notify_url: stack.merchant.url });
    const created = await stack.call('POST', '/v1/payment-links', body, { 'Idempotency-Key': key });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: `payment-link-${key}`,
      object: 'payment',
      flow: 'link',
      status: 'awaiting_payment',
      amount: 16500,
      currency: 'SEK',
      merchant_reference: body.merchant_reference,
    });
    expect(created.body.checkout_url).toMatch(new RegExp(`^${stack.sandbox.url}/checkout/payment-links/`));
    const linkId = created.body.ping_payment_link_id as string;

    // The link at Ping carries our callback URL and the right total.
    const atPing = await stack.control('GET', `/payment-links/${linkId}`);
    expect(atPing).toMatchObject({ status: 'CREATED', total_amount: 16500 });
    expect(atPing.payment_link_status_callback_url).toMatch(new RegExp(`^${stack.api.url}/webhooks/ping/payment-links/payment-link-${key}\\?token=`));

    await stack.control('POST', `/payment-links/${linkId}/pay`, {});
    const done = await stack.waitForPayment(created.body.id, (p) => p.status === 'completed');
    expect(done.paid_at).toEqual(expect.any(String));
    expect(done.receipt_url).toMatch(/receipt\.pdf$/);
    expect(done.ping_payment_id).toEqual(expect.any(String));
    expect(done.events.map((e) => e.type)).toEqual(expect.arrayContaining(['awaiting_payment', 'ping_callback', 'paid', 'receipt_emailed', 'merchant_notified', 'completed']));

    const mails = await stack.inbox.waitForMessages((m) => m.to.includes('bertil@example.com'));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toContain('Pizzeria AB');

    expect(stack.merchant.events.map((e) => [e.event.type, e.verified])).toEqual([['payment.paid', true]]);
    expect(stack.merchant.events[0]!.event).toMatchObject({ id: `evt_payment-link-${key}_payment.paid`, data: { id: created.body.id, status: 'paid' } });

    const receipt = await stack.call('GET', `/v1/payments/${created.body.id}/receipt`);
    expect(receipt).toMatchObject({ status: 200, body: { object: 'receipt', url: done.receipt_url } });
  });
});
