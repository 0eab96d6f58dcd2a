import { createPingActivities } from '../../activities/ping';
import { createPingClient, type PingClient } from '../../ping';
import type { PaymentLinkRequest, PisPaymentRequest } from '../../domain/requests';
import { linkRequest, pisRequest } from '../helpers/paymentsStack';
import { startSandbox, type RunningSandbox } from '../helpers/sandbox';

/**
 * The creates (order and link, or order and PIS payment) run as one local activity in the first
 * workflow task. After a worker crash that task runs again, and the activity with it at attempt 1,
 * making a new order: these tests hold the sandbox to what makes that safe, so a payment never gets a
 * second live link or bank payment.
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

  const lists = async (): Promise<number> => {
    const counters = (await sb.request('GET', '/_sandbox/counters')).json<{ responses: Record<string, Record<string, number>> }>();
    return Object.values(counters.responses[LIST] ?? {}).reduce((a, b) => a + b, 0);
  };
  const linksOf = async (paymentId: string) =>
    (await ping.listPaymentLinks()).filter((l) => l.metadata?.orchestrator_payment_id === paymentId).map((l) => ({ id: l.payment_link_id, status: l.status }));

  it('makes the order and the link without looking first on the first run, so the checkout URL costs two calls', async () => {
    const before = await lists();
    const link = await activities.createPaymentLink({ paymentId: 'payment-link-first-run', request });
    expect(link).toEqual({ orderId: expect.any(String), linkId: expect.any(String), checkoutUrl: expect.stringMatching(/^http/) });
    expect((await ping.getPaymentLink(link.linkId)).payment_order_id).toBe(link.orderId);
    expect(await lists()).toBe(before);
  });

  it('finds the link a crashed run made on its own order, and answers with that order', async () => {
    const paymentId = 'payment-link-crashed-run';
    const first = await activities.createPaymentLink({ paymentId, request });
    const again = await activities.createPaymentLink({ paymentId, request, lookFirst: true });
    expect(again).toEqual(first);
    expect(await linksOf(paymentId)).toEqual([{ id: first.linkId, status: expect.not.stringMatching(/CANCELLED/) }]);
  });

  it('looking first, makes a new link when the earlier one was cancelled or belongs to another payment', async () => {
    const cancelled = await activities.createPaymentLink({ paymentId: 'payment-link-other-a', request });
    await activities.cancelPaymentLink({ linkId: cancelled.linkId });
    const other = await activities.createPaymentLink({ paymentId: 'payment-link-other-b', request });

    const made = await activities.createPaymentLink({ paymentId: 'payment-link-other-a', request, lookFirst: true });
    expect(made.linkId).not.toBe(cancelled.linkId);
    expect(made.linkId).not.toBe(other.linkId);
    expect(made.orderId).not.toBe(cancelled.orderId);
    expect(await linksOf('payment-link-other-a')).toEqual(
      expect.arrayContaining([
        { id: cancelled.linkId, status: 'CANCELLED' },
        { id: made.linkId, status: expect.not.stringMatching(/CANCELLED/) },
      ]),
    );
  });

  describe('initiatePisPayment', () => {
    const pis = pisRequest() as unknown as PisPaymentRequest;
    const statusOf = async (orderId: string, id: string) => (await ping.getPayment(orderId, id)).status;

    it('stops the payment a crashed run initiated on its own order before initiating again', async () => {
      const paymentId = 'pis-payment-crashed-run';
      const startedAt = new Date().toISOString();
      const first = await activities.initiatePisPayment({ paymentId, request: pis, startedAt });
      const other = await activities.initiatePisPayment({ paymentId: 'pis-payment-someone-else', request: pis, startedAt });

      const again = await activities.initiatePisPayment({ paymentId, request: pis, lookFirst: true, startedAt });
      expect(again.pingPaymentId).not.toBe(first.pingPaymentId);
      expect(again.orderId).not.toBe(first.orderId);
      expect(await statusOf(first.orderId, first.pingPaymentId)).toBe('STOPPED');
      expect(await statusOf(again.orderId, again.pingPaymentId)).not.toBe('STOPPED');
      // Another payment's is left alone.
      expect(await statusOf(other.orderId, other.pingPaymentId)).not.toBe('STOPPED');
    });

    it('lists payments across pages, with the filters the lookup uses', async () => {
      const startedAt = new Date().toISOString();
      const made = [];
      for (let i = 0; i < 3; i++) made.push(await activities.initiatePisPayment({ paymentId: `pis-payment-page-${i}`, request: pis, startedAt }));
      // Pages of two: the three on their own orders come back only if every page is followed.
      const all = await ping.listPayments({ fromInitiated: startedAt, provider: 'open_payments', method: 'pis', limit: 2 });
      expect(all.map((p) => p.id)).toEqual(expect.arrayContaining(made.map((m) => m.pingPaymentId)));
      const ofOne = await ping.listPayments({ paymentOrderId: made[0]!.orderId, provider: 'open_payments', method: 'pis' });
      expect(ofOne.map((p) => p.id)).toEqual([made[0]!.pingPaymentId]);
      expect(await ping.listPayments({ paymentOrderId: made[0]!.orderId, provider: 'payment_iq' })).toEqual([]);
    });
  });
});
