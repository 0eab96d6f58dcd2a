import { createPingActivities } from '../../activities/ping';
import { createPingClient, type PingClient } from '../../ping';
import type { PaymentLinkRequest, PisPaymentRequest } from '../../domain/requests';
import { linkRequest, pisRequest } from '../helpers/paymentsStack';
import { startSandbox, type RunningSandbox } from '../helpers/sandbox';

/**
 * The link create runs as a local activity in the first workflow task. After a worker crash that task
 * runs again, and the activity with it at attempt 1, on a new order: these tests hold the sandbox to
 * what makes that safe, so a payment never gets a second live link.
 */
describe('the creates run as local activities, against the sandbox', () => {
  let sb: RunningSandbox;
  let ping: PingClient;
  let activities: ReturnType<typeof createPingActivities>;
  const request = linkRequest() as unknown as PaymentLinkRequest;
  const LIST = 'GET /payment_links/api/v1/payment_links';

  beforeAll(async () => {
    sb = await startSandbox();
    ping = createPingClient({ paymentsApiUrl: sb.paymentsApiUrl, paymentLinksApiUrl: sb.paymentLinksApiUrl, tenantId: sb.tenantId });
    activities = createPingActivities({ ping, publicBaseUrl: 'http://127.0.0.1:9', webhookSecret: 'test-webhook-secret-0123456789' });
  });
  afterAll(async () => {
    await ping.close();
    await sb.stop();
  });

  const newOrder = async () => (await activities.createPaymentOrder({ currency: 'SEK' })).id;
  const lists = async (): Promise<number> => {
    const counters = (await sb.request('GET', '/_sandbox/counters')).json<{ responses: Record<string, Record<string, number>> }>();
    return Object.values(counters.responses[LIST] ?? {}).reduce((a, b) => a + b, 0);
  };
  const linksOf = async (paymentId: string) =>
    (await ping.listPaymentLinks()).filter((l) => l.metadata?.orchestrator_payment_id === paymentId).map((l) => ({ id: l.payment_link_id, status: l.status }));

  it('makes the link without looking first on the first run, so the checkout URL costs two calls', async () => {
    const before = await lists();
    const orderId = await newOrder();
    const link = await activities.createPaymentLink({ paymentId: 'payment-link-first-run', orderId, request });
    expect(link).toEqual({ id: expect.any(String), checkoutUrl: expect.stringMatching(/^http/), orderId });
    expect(await lists()).toBe(before);
  });

  it('finds the link a crashed run made on its own order, and answers with that order', async () => {
    const paymentId = 'payment-link-crashed-run';
    const firstOrder = await newOrder();
    const first = await activities.createPaymentLink({ paymentId, orderId: firstOrder, request });
    // The re-run made a new order before it reached the link (its order's answer was lost too).
    const secondOrder = await newOrder();
    const again = await activities.createPaymentLink({ paymentId, orderId: secondOrder, request, lookFirst: true });
    expect(again).toEqual({ id: first.id, checkoutUrl: first.checkoutUrl, orderId: firstOrder });
    expect(await linksOf(paymentId)).toEqual([{ id: first.id, status: expect.not.stringMatching(/CANCELLED/) }]);
  });

  it('looking first, makes a new link when the earlier one was cancelled or belongs to another payment', async () => {
    const cancelled = await activities.createPaymentLink({ paymentId: 'payment-link-other-a', orderId: await newOrder(), request });
    await activities.cancelPaymentLink({ linkId: cancelled.id });
    await activities.createPaymentLink({ paymentId: 'payment-link-other-b', orderId: await newOrder(), request });

    const orderId = await newOrder();
    const made = await activities.createPaymentLink({ paymentId: 'payment-link-other-a', orderId, request, lookFirst: true });
    expect(made.id).not.toBe(cancelled.id);
    expect(made.orderId).toBe(orderId);
    expect(await linksOf('payment-link-other-a')).toEqual(
      expect.arrayContaining([
        { id: cancelled.id, status: 'CANCELLED' },
        { id: made.id, status: expect.not.stringMatching(/CANCELLED/) },
      ]),
    );
  });

  describe('initiatePisPayment', () => {
    const pis = pisRequest() as unknown as PisPaymentRequest;
    const statusOf = async (orderId: string, id: string) => (await ping.getPayment(orderId, id)).status;

    it('stops the payment a crashed run initiated on its own order before initiating again', async () => {
      const paymentId = 'pis-payment-crashed-run';
      const startedAt = new Date().toISOString();
      const firstOrder = await newOrder();
      const first = await activities.initiatePisPayment({ paymentId, orderId: firstOrder, request: pis });
      const otherOrder = await newOrder();
      const other = await activities.initiatePisPayment({ paymentId: 'pis-payment-someone-else', orderId: otherOrder, request: pis });

      const secondOrder = await newOrder();
      const again = await activities.initiatePisPayment({ paymentId, orderId: secondOrder, request: pis, lookFirst: true, startedAt });
      expect(again.id).not.toBe(first.id);
      expect(await statusOf(firstOrder, first.id)).toBe('STOPPED');
      expect(await statusOf(secondOrder, again.id)).not.toBe('STOPPED');
      // Another payment's is left alone.
      expect(await statusOf(otherOrder, other.id)).not.toBe('STOPPED');
    });

    it('lists payments across pages, with the filters the lookup uses', async () => {
      const orderId = await newOrder();
      const made = [];
      for (let i = 0; i < 3; i++) made.push((await activities.initiatePisPayment({ paymentId: `pis-payment-page-${i}`, orderId, request: pis })).id);
      const all = await ping.listPayments({ paymentOrderId: orderId, provider: 'open_payments', method: 'pis', limit: 2 });
      expect(all.map((p) => p.id).sort()).toEqual([...made].sort());
      expect(await ping.listPayments({ paymentOrderId: orderId, provider: 'payment_iq' })).toEqual([]);
    });
  });
});
