import { randomUUID } from 'node:crypto';
import { linkRequest, pisRequest, startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

/** `POST /v1/payments/:id/send` on the real stack: Ping sends the link again, and the sandbox's outbox shows it. */
describe('sending a payment link again', () => {
  let stack: PaymentsStack;
  beforeAll(async () => {
    stack = await startPaymentsStack();
  }, 60_000);
  afterAll(() => stack?.stop());

  const outbox = async (linkId: string) => (await stack.control('GET', `/outbox?payment_link_id=${linkId}`)) as Array<{ channel: string; to: string }>;
  const createLink = async () => {
    const created = await stack.call('POST', '/v1/payment-links', linkRequest(), { 'Idempotency-Key': randomUUID() });
    expect(created.status).toBe(201);
    return created.body as { id: string; ping_payment_link_id: string };
  };

  it("sends by SMS to the number given and by e-mail to the payment's customer, each recorded on the payment", async () => {
    const link = await createLink();
    expect(await outbox(link.ping_payment_link_id)).toEqual([]);

    const sms = await stack.call('POST', `/v1/payments/${link.id}/send`, { channel: 'sms', to: '0739998877' });
    expect(sms.status).toBe(200);
    expect(sms.body.events.at(-1)).toMatchObject({ type: 'link_resend_sent', detail: 'sms' });
    const email = await stack.call('POST', `/v1/payments/${link.id}/send`, { channel: 'email' });
    expect(email.status).toBe(200);
    expect(email.body.events.filter((e: { type: string }) => e.type === 'link_resend_sent')).toHaveLength(2);

    expect((await outbox(link.ping_payment_link_id)).map((m) => [m.channel, m.to])).toEqual([
      ['sms', '0739998877'],
      ['email', 'bertil@example.com'],
    ]);
  });

  it('refuses bad input, a payment that is over and an open-banking payment, and sends nothing', async () => {
    const link = await createLink();
    const bad = await stack.call('POST', `/v1/payments/${link.id}/send`, { channel: 'sms', to: 'not a phone' });
    expect([bad.status, bad.body.error.param]).toEqual([400, 'to']);
    const unknownChannel = await stack.call('POST', `/v1/payments/${link.id}/send`, { channel: 'fax' });
    expect([unknownChannel.status, unknownChannel.body.error.param]).toEqual([400, 'channel']);

    expect((await stack.call('POST', `/v1/payments/${link.id}/cancel`)).status).toBe(200);
    const over = await stack.call('POST', `/v1/payments/${link.id}/send`, { channel: 'email' });
    expect([over.status, over.body.error.code]).toEqual([409, 'payment_final']);
    expect(await outbox(link.ping_payment_link_id)).toEqual([]);

    const pis = await stack.call('POST', '/v1/pis-payments', pisRequest(), { 'Idempotency-Key': randomUUID() });
    const notALink = await stack.call('POST', `/v1/payments/${pis.body.id}/send`, { channel: 'email' });
    expect([notALink.status, notALink.body.error.code]).toEqual([409, 'payment_not_a_link']);
    const unknown = await stack.call('POST', `/v1/payments/payment-link-${randomUUID()}/send`, { channel: 'email' });
    expect(unknown.status).toBe(404);
  });
});
