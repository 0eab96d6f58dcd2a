import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createPingClient,
  PingApiError,
  paymentLinkStatusCallbackSchema,
  paymentStatusCallbackSchema,
  type CreatePaymentLinkInput,
  type PingClient,
} from '../../ping';
import { startSandbox, type RunningSandbox } from '../helpers/sandbox';

/**
 * The client (ping/) against the emulator (sandbox/) over HTTP. Both were written from
 * docs/ping-contract.md by different hands, so agreement here is evidence that each follows the
 * contract, not that one copies the other.
 */

const MERCHANT = '3f1d2c4b-5a69-4e7f-8a1b-2c3d4e5f6a7b';
const ZERO = '00000000-0000-0000-0000-000000000000';

/** A real HTTP receiver for Ping's callbacks. */
async function callbackReceiver() {
  const bodies: unknown[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      bodies.push(JSON.parse(raw));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`,
    bodies,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function pingError(promise: Promise<unknown>): Promise<PingApiError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(PingApiError);
    return err as PingApiError;
  }
  throw new Error('expected a PingApiError');
}

describe('Ping client against the sandbox', () => {
  let sandbox: RunningSandbox;
  let client: PingClient;
  let receiver: Awaited<ReturnType<typeof callbackReceiver>>;

  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.url}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status).toBeLessThan(300);
    return res.json() as Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  const counters = async () => (await control('GET', '/counters')) as { calls?: Record<string, number> } & Record<string, unknown>;

  beforeAll(async () => {
    sandbox = await startSandbox();
    receiver = await callbackReceiver();
    client = createPingClient({
      paymentsApiUrl: sandbox.paymentsApiUrl,
      paymentLinksApiUrl: sandbox.paymentLinksApiUrl,
      tenantId: sandbox.tenantId,
      timeoutMs: 2000,
    });
  });
  afterAll(async () => {
    await client?.close();
    await receiver?.close();
    await sandbox?.stop();
  });
  afterEach(() => control('PUT', '/faults', {}));

  const newOrder = async (currency: 'SEK' | 'NOK' = 'SEK') => (await client.createPaymentOrder({ currency })).id;

  function linkBody(orderId: string, extra: Partial<CreatePaymentLinkInput> = {}): CreatePaymentLinkInput {
    return {
      payment_order_id: orderId,
      currency: 'SEK',
      total_amount: 14000,
      locale: 'sv-SE',
      customer: { first_name: 'Bertil', last_name: 'Jönsson', email: 'bertil@example.com', phone: '0700000000' },
      supplier: { name: 'Pizzeria AB', city: 'Örebro' },
      items: [{ description: 'Hawaii Pizza', merchant_id: MERCHANT, price: 7000, quantity: 2, vat: 12 }],
      payment_provider_methods: [{ provider: 'swish', method: 'm_commerce', parameters: { swish_message: 'Tack' } }],
      payment_link_status_callback_url: receiver.url,
      checkout_success_url: 'https://shop.example/ok',
      checkout_cancel_url: 'https://shop.example/cancel',
      ...extra,
    };
  }

  describe('Payments API', () => {
    it('answers ping with pong', async () => {
      expect(await client.pingPayments()).toBe('pong');
    });

    it('creates, reads and closes a payment order; a closed order refuses payments with 403', async () => {
      const orderId = await newOrder();
      const order = await client.getPaymentOrder(orderId);
      expect(order).toMatchObject({ id: orderId, status: 'OPEN', currency: 'SEK', payments: [] });

      await client.closePaymentOrder(orderId);
      expect((await client.getPaymentOrder(orderId)).status).toBe('CLOSED');

      const err = await pingError(
        client.initiatePayment(orderId, {
          currency: 'SEK',
          total_amount: 100,
          order_items: [{ amount: 100, name: 'x', vat_rate: 25, merchant_id: MERCHANT }],
          provider: 'dummy',
          method: 'dummy',
          provider_method_parameters: {},
        }),
      );
      expect(err).toMatchObject({ status: 403, retryable: false });
      expect(err.code).toMatch(/closed|forbidden/);
    });

    it('gives 404 for unknown ids, as a non-retryable error', async () => {
      const order = await pingError(client.getPaymentOrder(ZERO));
      expect(order).toMatchObject({ status: 404, retryable: false, endpoint: expect.any(String) });
      const orderId = await newOrder();
      expect(await pingError(client.getPayment(orderId, ZERO))).toMatchObject({ status: 404, retryable: false });
      expect(await pingError(client.stopPayment(orderId, ZERO))).toMatchObject({ status: 404 });
    });

    it('initiates an open_payments/pis payment whose bank checkout URL the client finds', async () => {
      const orderId = await newOrder();
      const payment = await client.initiatePayment(orderId, {
        currency: 'SEK',
        total_amount: 25000,
        order_items: [
          { amount: 20000, name: 'Chair', vat_rate: 25, merchant_id: MERCHANT },
          { amount: 5000, name: 'Delivery', vat_rate: 25, merchant_id: MERCHANT },
        ],
        provider: 'open_payments',
        method: 'pis',
        provider_method_parameters: {
          success_url: 'https://shop.example/ok',
          error_url: 'https://shop.example/error',
          cancel_url: 'https://shop.example/cancel',
          reference: 'order-77',
        },
        status_callback_url: receiver.url,
      });
      expect(payment.checkoutUrl).toMatch(new RegExp(`^${sandbox.url}/checkout/payments/${payment.id}`));
      const page = await fetch(payment.checkoutUrl!);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);

      const read = await client.getPayment(orderId, payment.id);
      expect(read).toMatchObject({ id: payment.id, provider: 'open_payments', method: 'pis', total_amount: 25000, currency: 'SEK' });
      expect(((await client.getPaymentOrder(orderId)).payments ?? []).map((p) => p.id)).toEqual([payment.id]);

      // The payment's status callback, as the sandbox sends it, is readable by the client's schema.
      await control('POST', `/payments/${payment.id}/status`, { status: 'COMPLETED' });
      const callback = await until('payment callback', async () =>
        receiver.bodies.find((b) => paymentStatusCallbackSchema.safeParse(b).data?.paymentId === payment.id),
      );
      expect(paymentStatusCallbackSchema.parse(callback)).toMatchObject({ paymentId: payment.id, status: 'COMPLETED' });
      const completed = await client.getPayment(orderId, payment.id);
      expect(completed.status).toBe('COMPLETED');
      expect(completed.status_history?.map((h) => h.status)).toContain('COMPLETED');
    });

    it('settles a dummy payment to its desired status, and stops a pending one', async () => {
      const orderId = await newOrder();
      const item = { amount: 500, name: 'Coffee', vat_rate: 12, merchant_id: MERCHANT };
      const declined = await client.initiatePayment(orderId, {
        currency: 'SEK',
        total_amount: 500,
        order_items: [item],
        provider: 'dummy',
        method: 'dummy',
        provider_method_parameters: { desired_payment_status: 'DECLINED' },
      });
      expect(declined.checkoutUrl).toBeUndefined();
      await until('DECLINED', async () => ((await client.getPayment(orderId, declined.id)).status === 'DECLINED' ? true : undefined));

      const pis = await client.initiatePayment(orderId, {
        currency: 'SEK',
        total_amount: 500,
        order_items: [item],
        provider: 'open_payments',
        method: 'pis',
        provider_method_parameters: { success_url: 'https://a.example/s', error_url: 'https://a.example/e', cancel_url: 'https://a.example/c', reference: 'r1' },
      });
      await client.stopPayment(orderId, pis.id);
      expect((await client.getPayment(orderId, pis.id)).status).toBe('STOPPED');
    });

    it('refuses a total that does not add up before sending anything', async () => {
      const orderId = await newOrder();
      const before = JSON.stringify(await counters());
      const err = await pingError(
        client.initiatePayment(orderId, {
          currency: 'SEK',
          total_amount: 999,
          order_items: [{ amount: 100, name: 'x', vat_rate: 25, merchant_id: MERCHANT }],
          provider: 'dummy',
          method: 'dummy',
          provider_method_parameters: {},
        }),
      );
      expect(err).toMatchObject({ code: 'invalid_request', retryable: false, status: undefined });
      expect(err.message).toContain('total_amount');
      expect(JSON.stringify(await counters())).toBe(before);
    });
  });

  describe('Payment Links API', () => {
    it('answers ping with pong', async () => {
      expect(await client.pingPaymentLinks()).toBe('pong');
    });

    it('creates a link (checkout_url on create, payment_link_id on read) and lists it', async () => {
      const orderId = await newOrder();
      const created = await client.createPaymentLink(linkBody(orderId));
      expect(created.checkout_url).toMatch(new RegExp(`^${sandbox.url}/checkout/payment-links/${created.id}`));

      const link = await client.getPaymentLink(created.id);
      expect(link).toMatchObject({
        payment_link_id: created.id,
        payment_order_id: orderId,
        status: 'CREATED',
        total_amount: 14000,
        customer: { first_name: 'Bertil', last_name: 'Jönsson' },
      });
      expect(link.items).toHaveLength(1);
      expect((await client.listPaymentLinks()).map((l) => l.payment_link_id)).toContain(created.id);
      expect((await fetch(created.checkout_url!)).status).toBe(200);
    });

    it('gives 404 for an unknown link, and 403 for a link on an unknown order (a body field, not the path)', async () => {
      expect(await pingError(client.getPaymentLink(ZERO))).toMatchObject({ status: 404, retryable: false });
      expect(await pingError(client.createPaymentLink(linkBody(ZERO)))).toMatchObject({ status: 403, retryable: false, code: 'payment_order_not_found' });
    });

    it('rejects a link currency that differs from its order with 422 naming the field', async () => {
      const err = await pingError(client.createPaymentLink(linkBody(await newOrder('NOK'))));
      expect(err).toMatchObject({ status: 422, retryable: false, property: 'currency' });
    });

    it('distributes by SMS and e-mail into the outbox and reports it on the link', async () => {
      const created = await client.createPaymentLink(linkBody(await newOrder()));
      await client.distributePaymentLink(created.id, { methods: ['sms', 'email'], customer_phone: '0701231212', customer_email: 'payer@example.com' });
      const outbox = (await control('GET', `/outbox?payment_link_id=${created.id}`)) as unknown as Array<{ channel: string; to: string }>;
      expect(outbox.map((m) => [m.channel, m.to]).sort()).toEqual([
        ['email', 'payer@example.com'],
        ['sms', '0701231212'],
      ]);
      const link = await client.getPaymentLink(created.id);
      expect(link.distributed_by_email).toBe(true);
      expect(link.sms_status).toMatch(/DELIVERD|PENDING|CREATED/);
    });

    it('makes an invoice PDF with an OCR reference once, and a receipt only after payment', async () => {
      const created = await client.createPaymentLink(linkBody(await newOrder()));
      await client.createPaymentLinkInvoice(created.id, { reference_type: 'OCR' });
      expect(await pingError(client.createPaymentLinkInvoice(created.id, { reference_type: 'OCR' }))).toMatchObject({ status: 403, retryable: false });
      const invoice = await client.getPaymentLinkInvoice(created.id);
      expect(invoice.reference_type).toBe('OCR');
      expect(invoice.reference).toMatch(/^\d+$/);
      const pdf = Buffer.from(await (await fetch(invoice.url)).arrayBuffer());
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');

      expect(await pingError(client.getPaymentLinkReceipt(created.id))).toMatchObject({ status: 403, retryable: false });
      await control('POST', `/payment-links/${created.id}/pay`, {});
      const receipt = await client.getPaymentLinkReceipt(created.id);
      expect(Buffer.from(await (await fetch(receipt.url!)).arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    });

    it('sends the documented link callback on payment, which the client reads', async () => {
      const created = await client.createPaymentLink(linkBody(await newOrder()));
      await control('POST', `/payment-links/${created.id}/pay`, {});
      const body = await until('link callback', async () =>
        receiver.bodies.find((b) => (b as { payment_link_id?: string }).payment_link_id === created.id),
      );
      expect(Object.keys(body as object).sort()).toEqual(['occured_at', 'payment_link_id', 'status']);
      expect(paymentLinkStatusCallbackSchema.parse(body)).toMatchObject({ paymentLinkId: created.id, status: 'COMPLETED' });
      const link = await client.getPaymentLink(created.id);
      expect(link.status).toBe('COMPLETED');
      expect(link.payment_id).toEqual(expect.any(String));
    });

    it('cancels with 204 once, then 403', async () => {
      const created = await client.createPaymentLink(linkBody(await newOrder()));
      await client.cancelPaymentLink(created.id);
      expect((await client.getPaymentLink(created.id)).status).toBe('CANCELLED');
      expect(await pingError(client.cancelPaymentLink(created.id))).toMatchObject({ status: 403, retryable: false });
    });
  });

  describe('faults and credentials', () => {
    it('turns injected 5xx into retryable errors', async () => {
      await control('PUT', '/faults', { error_rate: 1, error_status: 503 });
      expect(await pingError(client.createPaymentOrder({ currency: 'SEK' }))).toMatchObject({ status: 503, retryable: true });
    });

    it('turns injected latency beyond the timeout into a retryable timeout', async () => {
      await control('PUT', '/faults', { latency_ms: 3000 });
      expect(await pingError(client.getPaymentOrder(ZERO))).toMatchObject({ code: 'timeout', retryable: true });
    });

    it('is refused without the right API secret or tenant', async () => {
      const guarded = await startSandbox({ apiSecret: 'the-right-secret' });
      const options = { paymentsApiUrl: guarded.paymentsApiUrl, paymentLinksApiUrl: guarded.paymentLinksApiUrl };
      const wrong = createPingClient({ ...options, tenantId: guarded.tenantId, apiSecret: 'a-wrong-secret' });
      const right = createPingClient({ ...options, tenantId: guarded.tenantId, apiSecret: 'the-right-secret' });
      try {
        const err = await pingError(wrong.createPaymentOrder({ currency: 'SEK' }));
        expect([401, 403]).toContain(err.status);
        expect(err.retryable).toBe(false);
        expect((await right.createPaymentOrder({ currency: 'SEK' })).id).toEqual(expect.any(String));
        // The client always sends tenant_id; a bare request without it is refused.
        const bare = await guarded.request('POST', '/payments/api/v1/payment_orders', { body: { currency: 'SEK' }, noTenant: true });
        expect([401, 403]).toContain(bare.status);
      } finally {
        await wrong.close();
        await right.close();
        await guarded.stop();
      }
    });
  });
});
