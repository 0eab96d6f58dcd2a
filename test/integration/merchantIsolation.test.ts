import { randomUUID } from 'node:crypto';
import { verifyNotification } from '../../common/notificationSignature';
import type { PaymentResource } from '../../domain/payment';
import { linkRequest, pisRequest, startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

/**
 * Issue 15, isolation (docs/merchants.md): two merchants on the real stack, each with its own key.
 * A merchant's key reaches its own payments only; another merchant's payment answers exactly as an
 * unknown id on every route; its payments pay it at Ping; its events are signed with its own secret.
 */
describe('merchant isolation', () => {
  let stack: PaymentsStack;
  interface TestMerchant {
    id: string;
    pingMerchantId: string;
    key: string;
    signingSecret: string;
  }
  let a: TestMerchant;
  let b: TestMerchant;

  const as = (merchant: TestMerchant | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    stack.call(method, path, body, merchant ? { authorization: `Bearer ${merchant.key}`, ...headers } : headers);

  async function merchant(name: string, orgNumber: string): Promise<TestMerchant> {
    const created = await stack.call(
      'POST',
      '/v1/merchants',
      { name, email: `${orgNumber}@merchant.example`, organization: { country: 'SE', se_organization_number: orgNumber }, notify_url: stack.merchant.url, supplier: { name } },
      { 'Idempotency-Key': randomUUID() },
    );
    expect(created.status).toBe(201);
    const { id, signing_secret: signingSecret } = created.body;
    expect(signingSecret).toMatch(/^whsec_/);
    const key = await stack.call('POST', `/v1/merchants/${id}/api-keys`, {});
    expect(key.status).toBe(201);
    // The sandbox approves a new merchant after a short delay; its callback (or our poll) tells the workflow.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const read = await stack.call('GET', `/v1/merchants/${id}`);
      if (read.body.status === 'approved') return { id, pingMerchantId: read.body.ping_merchant_id, key: key.body.secret, signingSecret };
      if (Date.now() > deadline) throw new Error(`merchant ${id} not approved: ${JSON.stringify(read.body)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** A link without any merchant field: the key's merchant fills them in. */
  const bareLink = (overrides: Record<string, unknown> = {}) => {
    const { supplier: _supplier, ...body } = linkRequest(overrides);
    return { ...body, items: (body.items as Array<Record<string, unknown>>).map(({ merchant_id: _m, ...item }) => item) };
  };

  beforeAll(async () => {
    stack = await startPaymentsStack({ money: { settlementHoldMs: 60_000, latePaymentWindowMs: 1000 } });
    [a, b] = await Promise.all([merchant('Bageri A', '5591235378'), merchant('Blommor B', '5560360793')]);
  }, 60_000);
  afterAll(() => stack?.stop());

  it("makes a merchant's payment pay that merchant at Ping, with the key's defaults, under an id naming the merchant", async () => {
    const created = await as(a, 'POST', '/v1/payment-links', bareLink(), { 'Idempotency-Key': 'order-1' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: `payment-link-${a.id}.order-1`, merchant: a.id });
    const link = await stack.control('GET', `/payment-links/${created.body.ping_payment_link_id}`);
    expect(link.items.map((i: { merchant_id: string }) => i.merchant_id)).toEqual([a.pingMerchantId, a.pingMerchantId]);
    expect(link.supplier).toMatchObject({ name: 'Bageri A' });

    // The same key from B is B's own payment, not A's.
    const bs = await as(b, 'POST', '/v1/payment-links', bareLink(), { 'Idempotency-Key': 'order-1' });
    expect(bs.status).toBe(201);
    expect(bs.body.id).toBe(`payment-link-${b.id}.order-1`);
  });

  it("answers another merchant's payment as an unknown one on every route", async () => {
    const mine = (await as(a, 'POST', '/v1/payment-links', bareLink(), { 'Idempotency-Key': randomUUID() })).body as PaymentResource;
    const unknown = `payment-link-${b.id}.${randomUUID()}`;
    const routes: Array<[string, string, unknown?, Record<string, string>?]> = [
      ['GET', '/v1/payments/{id}'],
      ['GET', '/v1/payments/{id}/invoice'],
      ['GET', '/v1/payments/{id}/receipt'],
      ['POST', '/v1/payments/{id}/cancel', {}],
      ['POST', '/v1/payments/{id}/refunds', { reason: 'requested_by_customer' }, { 'Idempotency-Key': randomUUID() }],
      ['POST', '/v1/payments/{id}/settle', {}],
    ];
    for (const [method, path, body, headers] of routes) {
      const theirs = await as(b, method, path.replace('{id}', mine.id), body, headers);
      const none = await as(b, method, path.replace('{id}', unknown), body, headers);
      expect({ route: `${method} ${path}`, status: theirs.status, error: theirs.body.error.code }).toEqual({ route: `${method} ${path}`, status: 404, error: 'resource_missing' });
      // Word for word the answer for an id that does not exist, but for the id itself and the request id.
      const shape = (e: { error: Record<string, unknown> }) => ({ ...e.error, message: String(e.error.message).replace(/payment-link-\S+/, '<id>'), request_id: undefined });
      expect(shape(theirs.body)).toEqual(shape(none.body));
    }
    // A platform key acting for B sees the same; acting for A (or for no one) sees the payment.
    expect((await stack.call('GET', `/v1/payments/${mine.id}`, undefined, { 'On-Behalf-Of': b.id })).status).toBe(404);
    expect((await stack.call('GET', `/v1/payments/${mine.id}`, undefined, { 'On-Behalf-Of': a.id })).status).toBe(200);
    expect((await stack.call('GET', `/v1/payments/${mine.id}`)).status).toBe(200);
    // Still awaiting payment: none of B's calls touched it.
    expect((await as(a, 'GET', `/v1/payments/${mine.id}`)).body.status).toBe('awaiting_payment');
  });

  it("lists a merchant's own payments only", async () => {
    const reference = `list-${randomUUID().slice(0, 8)}`;
    const mine = await as(a, 'POST', '/v1/pis-payments', { ...pisRequest({ reference }), order_items: [{ name: 'Bröd', amount: 4500, vat_rate: 12 }] });
    expect(mine.status).toBe(201);
    const listed = async (merchant: TestMerchant | undefined) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const page = await as(merchant, 'GET', `/v1/payments?merchant_reference=${reference}`);
        expect(page.status).toBe(200);
        // Visibility is eventually consistent: wait for A's own list to show it before reading B's.
        if (merchant !== a || page.body.data.length > 0 || Date.now() > deadline) return page.body.data as Array<{ id: string; merchant: string | null }>;
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    expect((await listed(a)).map((p) => [p.id, p.merchant])).toEqual([[mine.body.id, a.id]]);
    expect(await listed(b)).toEqual([]);
    expect((await listed(undefined)).map((p) => p.id)).toEqual([mine.body.id]);
  });

  it("refuses an item naming another merchant (403 merchant_mismatch), creating nothing", async () => {
    const key = randomUUID();
    const body = bareLink();
    (body.items as Array<Record<string, unknown>>)[1]!.merchant_id = b.pingMerchantId;
    const refused = await as(a, 'POST', '/v1/payment-links', body, { 'Idempotency-Key': key });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'merchant_mismatch', param: 'items[1].merchant_id' });
    expect((await as(a, 'GET', `/v1/payments/payment-link-${a.id}.${key}`)).status).toBe(404);
  });

  it('creates for a merchant with a platform key and On-Behalf-Of, as that merchant would', async () => {
    const created = await stack.call('POST', '/v1/payment-links', bareLink(), { 'Idempotency-Key': 'obo-1', 'On-Behalf-Of': b.id });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: `payment-link-${b.id}.obo-1`, merchant: b.id });
    // B's own key finds it: it is B's payment.
    expect((await as(b, 'GET', `/v1/payments/${created.body.id}`)).status).toBe(200);
    expect((await as(a, 'GET', `/v1/payments/${created.body.id}`)).status).toBe(404);
  });

  it("delivers a merchant's events to its notify_url signed with its own secret, not the platform's", async () => {
    const created = await as(a, 'POST', '/v1/payment-links', bareLink());
    await stack.control('POST', `/payment-links/${created.body.ping_payment_link_id}/pay`, {});
    await stack.waitForPayment(created.body.id, (p) => p.status === 'completed');
    const deadline = Date.now() + 10_000;
    let paid;
    while (!(paid = stack.merchant.events.find((e) => e.event.data.id === created.body.id && e.event.type === 'payment.paid')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(paid).toBeDefined();
    expect(verifyNotification(a.signingSecret, paid!.signature, paid!.body)).toBe(true);
    expect(verifyNotification(b.signingSecret, paid!.signature, paid!.body)).toBe(false);
    expect(paid!.verified).toBe(false); // not the platform's secret
  });

  it('refuses payments for a merchant Ping has not approved (409 merchant_not_approved)', async () => {
    const c = await merchant('Cykel C', '5567890123');
    await stack.control('POST', `/merchants/${c.pingMerchantId}/pending`, {});
    // The status callback reaches the workflow; the key check's cache holds a view for at most 2 s.
    const deadline = Date.now() + 15_000;
    let answer;
    do {
      await new Promise((r) => setTimeout(r, 300));
      answer = await as(c, 'POST', '/v1/payment-links', bareLink());
    } while (answer.status === 201 && Date.now() < deadline);
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe('merchant_not_approved');
  });
});
