import {
  createOrder,
  initiateBody,
  orderItems,
  pisParameters,
  startCallbackReceiver,
  startSandbox,
  waitFor,
  type CallbackReceiver,
  type RunningSandbox,
} from '../helpers/sandbox';

const ZERO = '00000000-0000-0000-0000-000000000000';

describe('sandbox: Payments API', () => {
  let sb: RunningSandbox;
  let receiver: CallbackReceiver;

  beforeAll(async () => {
    sb = await startSandbox();
    receiver = await startCallbackReceiver();
  });

  afterAll(async () => {
    await sb?.stop();
    await receiver?.stop();
  });

  const initiate = (orderId: string, body: unknown) => sb.request('POST', `/payments/api/v1/payment_orders/${orderId}/payments`, { body });
  const getPayment = async (orderId: string, id: string) => (await sb.request('GET', `/payments/api/v1/payment_orders/${orderId}/payments/${id}`)).json();

  describe('authentication and health', () => {
    it('answers GET api/v1/ping with plain-text pong on both APIs, with or without a tenant_id', async () => {
      for (const path of ['/payments/api/v1/ping', '/payment_links/api/v1/ping']) {
        for (const noTenant of [false, true]) {
          const res = await sb.request('GET', path, { noTenant });
          expect(res.status).toBe(200);
          expect(res.text).toBe('pong');
          expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
        }
      }
    });

    it('refuses every call without a tenant_id header with 401 in the API error shape', async () => {
      const res = await sb.request('POST', '/payments/api/v1/payment_orders', { body: { currency: 'SEK' }, noTenant: true });
      expect(res.status).toBe(401);
      expect(res.json()).toEqual({ errors: [expect.objectContaining({ error: 'unauthorized' })] });
      const links = await sb.request('GET', '/payment_links/api/v1/payment_links', { noTenant: true });
      expect(links.status).toBe(401);
      expect(links.json()).toEqual(expect.objectContaining({ error: 'unauthorized' }));
      // A hyphenated header is a different header: Ping's really has an underscore.
      const hyphen = await sb.request('GET', '/payments/api/v1/payment_orders', { noTenant: true, headers: { 'tenant-id': sb.tenantId } });
      expect(hyphen.status).toBe(401);
    });

    it('keeps tenants apart: another tenant gets 404 for an existing order', async () => {
      const orderId = await createOrder(sb);
      const other = await sb.request('GET', `/payments/api/v1/payment_orders/${orderId}`, {
        headers: { tenant_id: '11111111-2222-4333-8444-555555555555' },
      });
      expect(other.status).toBe(404);
    });

    it('checks x-api-secret when configured', async () => {
      const secured = await startSandbox({ apiSecret: 's3cret-value' });
      try {
        expect((await secured.request('GET', '/payments/api/v1/ping')).status).toBe(401);
        expect((await secured.request('GET', '/payments/api/v1/ping', { headers: { 'x-api-secret': 'wrong' } })).status).toBe(401);
        const ok = await secured.request('GET', '/payments/api/v1/ping', { headers: { 'x-api-secret': 's3cret-value' } });
        expect(ok.status).toBe(200);
      } finally {
        await secured.stop();
      }
    });
  });

  describe('payment orders', () => {
    it('creates with 200 and {id}, reads it back with its payments', async () => {
      const res = await sb.request('POST', '/payments/api/v1/payment_orders', { body: { currency: 'NOK', split_parameters: null, split_tree_id: null, junk: 1 } });
      expect(res.status).toBe(200);
      const { id } = res.json();
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const read = await sb.request('GET', `/payments/api/v1/payment_orders/${id}`);
      expect(read.status).toBe(200);
      expect(read.json()).toEqual(expect.objectContaining({ id, status: 'OPEN', currency: 'NOK', split_tree_id: null, payments: [] }));
    });

    it('answers 422 for a missing or unknown currency, naming the property', async () => {
      const missing = await sb.request('POST', '/payments/api/v1/payment_orders', { body: {} });
      expect(missing.status).toBe(422);
      expect(missing.json().errors[0]).toEqual(expect.objectContaining({ error: 'null_value', property: 'currency' }));
      const bad = await sb.request('POST', '/payments/api/v1/payment_orders', { body: { currency: 'USD' } });
      expect(bad.status).toBe(422);
    });

    it('answers 404 for an unknown order and the zero UUID, 422 for a non-UUID', async () => {
      for (const id of [ZERO, 'd3b07384-d9a0-4c9b-8a0d-4f2f3b1e0c11']) {
        const res = await sb.request('GET', `/payments/api/v1/payment_orders/${id}`);
        expect(res.status).toBe(404);
        expect(res.json().errors[0].error).toBe('not_found');
      }
      const malformed = await sb.request('GET', '/payments/api/v1/payment_orders/0');
      expect(malformed.status).toBe(422);
      expect(malformed.json().errors[0]).toEqual(expect.objectContaining({ property: 'order_id' }));
    });

    it('walks close → split → settle with 204s and refuses out-of-order steps with 403', async () => {
      const id = await createOrder(sb);
      const put = (path: string, body: unknown = {}) => sb.request('PUT', `/payments/api/v1/payment_orders/${id}${path}`, { body });
      expect((await put('/split', { fast_forward: false })).status).toBe(403);
      expect((await put('/settle', { fast_forward: false })).status).toBe(403);
      const close = await put('/close');
      expect(close.status).toBe(204);
      expect(close.text).toBe('');
      expect((await put('/close')).status).toBe(403);
      expect((await put('/settle', { fast_forward: false })).status).toBe(403);
      expect((await put('/split', { fast_forward: false })).status).toBe(204);
      expect((await put('/settle', { fast_forward: false })).status).toBe(204);
      const order = (await sb.request('GET', `/payments/api/v1/payment_orders/${id}`)).json();
      expect(order.status).toBe('SETTLED');
    });

    it('fast-forwards split and settle on an OPEN order', async () => {
      const id = await createOrder(sb);
      expect((await sb.request('PUT', `/payments/api/v1/payment_orders/${id}/settle`, { body: { fast_forward: true } })).status).toBe(204);
      expect((await sb.request('GET', `/payments/api/v1/payment_orders/${id}`)).json().status).toBe('SETTLED');
    });

    it('updates split parameters with 204', async () => {
      const id = await createOrder(sb);
      const res = await sb.request('PUT', `/payments/api/v1/payment_orders/${id}`, { body: { split_parameters: { tenant_fee: 2000 } } });
      expect(res.status).toBe(204);
      expect((await sb.request('GET', `/payments/api/v1/payment_orders/${id}`)).json().split_parameters).toEqual({ tenant_fee: 2000 });
    });

    it('lists orders as a page with absolute _links and a working next link', async () => {
      const fresh = await startSandbox();
      try {
        const ids = [await createOrder(fresh), await createOrder(fresh), await createOrder(fresh)];
        const first = await fresh.request('GET', '/payments/api/v1/payment_orders?limit=2');
        expect(first.status).toBe(200);
        const page1 = first.json();
        expect(page1.data.map((o: { id: string }) => o.id)).toEqual(ids.slice(0, 2));
        expect(page1._links.current.href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/payments\/api\/v1\/payment_orders/);
        const next = new URL(page1._links.next.href);
        const page2 = (await fresh.request('GET', `${next.pathname}${next.search}`)).json();
        expect(page2.data.map((o: { id: string }) => o.id)).toEqual(ids.slice(2));
        expect(page2._links.next).toBeUndefined();
        expect((await fresh.request('GET', '/payments/api/v1/payment_orders?limit=-1')).status).toBe(422);
        expect((await fresh.request('GET', '/payments/api/v1/payment_orders?status=NOPE')).status).toBe(422);
        const closedOnly = await fresh.request('GET', '/payments/api/v1/payment_orders?status=CLOSED');
        expect(closedOnly.json().data).toEqual([]);
        const from = encodeURIComponent('2000-01-01T00:00:00.0000000+00:00');
        expect((await fresh.request('GET', `/payments/api/v1/payment_orders?created_at_from=${from}`)).json().data).toHaveLength(3);
      } finally {
        await fresh.stop();
      }
    });
  });

  describe('initiate payment', () => {
    it('initiates a dummy payment that settles asynchronously to the desired status and calls back', async () => {
      // A provider delay long enough that the first read surely comes before the settlement.
      const slow = await startSandbox({ providerDelayMs: 1000 });
      try {
        const orderId = await createOrder(slow);
        const res = await slow.request('POST', `/payments/api/v1/payment_orders/${orderId}/payments`, {
          body: initiateBody('dummy', 'dummy', { desired_payment_status: 'DECLINED' }, { status_callback_url: `${receiver.url}/payments` }),
        });
        expect(res.status).toBe(200);
        const { id, provider_method_response } = res.json();
        expect(provider_method_response).toEqual({});
        const read = async () => (await slow.request('GET', `/payments/api/v1/payment_orders/${orderId}/payments/${id}`)).json();
        expect((await read()).status).toBe('INITIATED');
        const callback = await waitFor(() => receiver.received.find((c) => c.body.payment_id === id), 5000, 'the payment callback');
        expect(callback.body).toEqual({ payment_id: id, payment_order_id: orderId, status: 'DECLINED', occurred_at: expect.any(String) });
        const payment = await read();
        expect(payment.status).toBe('DECLINED');
        expect(payment.status_history.map((h: { status: string }) => h.status)).toEqual(['INITIATED', 'DECLINED']);
        expect(payment.status_history[1].occurred_at).toEqual(callback.body.occurred_at);
      } finally {
        await slow.stop();
      }
    });

    it('defaults a dummy payment to COMPLETED and shows it in the order', async () => {
      const orderId = await createOrder(sb);
      const { id } = (await initiate(orderId, initiateBody('dummy', 'dummy', { desired_payment_status: null }))).json();
      await waitFor(async () => (await getPayment(orderId, id)).status === 'COMPLETED', 5000, 'COMPLETED');
      const order = (await sb.request('GET', `/payments/api/v1/payment_orders/${orderId}`)).json();
      expect(order.payments.map((p: { id: string }) => p.id)).toEqual([id]);
    });

    it('answers a PIS initiate with a bank checkout URL under the sandbox public URL', async () => {
      const orderId = await createOrder(sb);
      const res = await initiate(orderId, initiateBody('open_payments', 'pis', pisParameters()));
      expect(res.status).toBe(200);
      const { id, provider_method_response } = res.json();
      expect(provider_method_response).toEqual({ url: `${sb.url}/checkout/payments/${id}` });
      const page = await fetch(provider_method_response.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Choose your bank');
    });

    it.each([
      ['swish', 'e_commerce', { message: 'Hej', phone_number: '0701234567' }, {}],
      ['swish', 'm_commerce', { message: 'Hej', use_qr_code: true, qr_format: 'transparent_svg', qr_size: 300, qr_border: 1 }, { url: expect.stringMatching(/^swish:\/\/paymentrequest\?token=[0-9a-f]{32}&callbackurl=/), payment_request_token: expect.any(String), qr_code: expect.stringContaining('<svg') }],
      ['swish', 'recurring', { consent_id: 'c-1', message: 'x' }, {}],
      ['payment_iq', 'card', { success_url: 'https://a/s', error_url: 'https://a/e', locale: 'sv-SE', cashier: null }, { pay_url: expect.stringContaining('/checkout/payments/') }],
      ['billmate', 'invoice', { first_name: 'A', last_name: 'B', is_company_customer: false }, { invoice_url: expect.any(String) }],
      ['fortus', 'invoice', { invoice: { invoice_type: 1 }, bankid: { method: 'other_device', qr_code_size: 200 } }, { bankid: { app_launch_url: null, qr_code: expect.stringContaining('<svg') }, instruction: expect.any(String) }],
      ['ping', 'deposit', { complete_when_funded: true, reference_type: 'OCR', reference: null, desired_date_of_payment: null, invoice: null }, { reference: expect.stringMatching(/^\d+$/), bank_account: expect.objectContaining({ iban: expect.any(String) }), invoice: { display_url: expect.any(String), download_url: expect.any(String) }, deposit_account: expect.any(Object) }],
      ['ping', 'credit', { liquidity_account_id: 'la-1' }, {}],
      ['baase', 'bank_loan', {}, { qr_code: expect.stringContaining('<svg'), redirect_url: expect.any(String), reference: expect.any(String) }],
      ['bankgirot', 'autogiro', { consent_id: 'm-1' }, {}],
      ['vipps_mobilepay', 'checkout', { payment_description: 'x', return_url: 'https://a/r' }, { checkout_url: expect.any(String) }],
      ['quickpay', 'vipps', { redirect_url: 'https://a/r', framed: false, designated_merchant_id: '0b0c5c1e-8f43-4a55-9d2f-6a1f3e2b7c90' }, { payment_link_url: expect.any(String) }],
      ['klarna', 'hpp', { redirect_urls: { success: 'https://a/s', cancel: 'https://a/c' }, locale: 'sv-SE' }, { redirect_url: expect.any(String) }],
    ])('initiates %s/%s with its provider_method_response', async (provider, method, parameters, expected) => {
      const orderId = await createOrder(sb);
      const res = await initiate(orderId, initiateBody(provider, method, parameters));
      expect(res.status).toBe(200);
      expect(res.json().provider_method_response).toEqual(expected);
    });

    it('accepts VAT as a numeric string, explicit nulls and unknown fields', async () => {
      const orderId = await createOrder(sb);
      const body = initiateBody('dummy', 'dummy', {}, { payer: null, status_callback_url: null, whatever: { nested: true } });
      body.order_items[0] = { ...body.order_items[0]!, vat_rate: '12.00' as unknown as number, metadata: null as unknown as object, tags: null as unknown as [] };
      const res = await initiate(orderId, body);
      expect(res.status).toBe(200);
      const payment = await getPayment(orderId, res.json().id);
      expect(payment.order_items[0]).toEqual(expect.objectContaining({ vat_rate: 12, metadata: {}, tags: [] }));
    });

    it('refuses a total that is not the sum of the items with 422', async () => {
      const orderId = await createOrder(sb);
      const res = await initiate(orderId, { ...initiateBody('dummy', 'dummy', {}), total_amount: 9999 });
      expect(res.status).toBe(422);
      expect(res.json().errors).toEqual([expect.objectContaining({ error: 'total_amount_mismatch', property: 'total_amount' })]);
    });

    it('answers 422 for missing fields, empty items, a currency unlike the order, unknown pairs and missing PIS parameters', async () => {
      const orderId = await createOrder(sb);
      const noItems = await initiate(orderId, { ...initiateBody('dummy', 'dummy', {}), order_items: [], total_amount: 1 });
      expect(noItems.status).toBe(422);
      const missing = await initiate(orderId, { currency: 'SEK' });
      expect(missing.status).toBe(422);
      expect(missing.json().errors.map((e: { property: string }) => e.property)).toEqual(
        expect.arrayContaining(['total_amount', 'order_items', 'provider', 'method', 'provider_method_parameters']),
      );
      const currency = await initiate(orderId, { ...initiateBody('dummy', 'dummy', {}), currency: 'NOK' });
      expect(currency.status).toBe(422);
      expect(currency.json().errors[0].property).toBe('currency');
      const pair = await initiate(orderId, initiateBody('swish', 'pis', {}));
      expect(pair.status).toBe(422);
      const pis = await initiate(orderId, initiateBody('open_payments', 'pis', { ...pisParameters(), success_url: null }));
      expect(pis.status).toBe(422);
      expect(pis.json().errors).toEqual([expect.objectContaining({ error: 'null_value', property: 'open_payments.success_url' })]);
      const swishNok = await initiate(await createOrder(sb, 'NOK'), { ...initiateBody('swish', 'e_commerce', { phone_number: '07' }), currency: 'NOK' });
      expect(swishNok.status).toBe(422);
      const badMerchant = await initiate(orderId, { ...initiateBody('dummy', 'dummy', {}), order_items: [{ amount: 10000, name: 'x', vat_rate: 25 }] });
      expect(badMerchant.status).toBe(422);
    });

    it('answers 404 for an unknown order and 403 on a closed order', async () => {
      expect((await initiate(ZERO, initiateBody('dummy', 'dummy', {}))).status).toBe(404);
      const orderId = await createOrder(sb);
      await sb.request('PUT', `/payments/api/v1/payment_orders/${orderId}/close`, { body: {} });
      const res = await initiate(orderId, initiateBody('dummy', 'dummy', {}));
      expect(res.status).toBe(403);
      expect(res.json().errors[0].error).toBe('payment_order_closed');
    });
  });

  describe('payments', () => {
    it('answers 404 for an unknown payment and for a payment read through another order', async () => {
      const orderA = await createOrder(sb);
      const orderB = await createOrder(sb);
      const { id } = (await initiate(orderA, initiateBody('open_payments', 'pis', pisParameters()))).json();
      expect((await sb.request('GET', `/payments/api/v1/payment_orders/${orderA}/payments/${ZERO}`)).status).toBe(404);
      expect((await sb.request('GET', `/payments/api/v1/payment_orders/${orderB}/payments/${id}`)).status).toBe(404);
    });

    it('stops a payment (204, STOPPED, callback) and refuses to stop it again', async () => {
      const orderId = await createOrder(sb);
      const { id } = (await initiate(orderId, initiateBody('open_payments', 'pis', pisParameters(), { status_callback_url: `${receiver.url}/stop` }))).json();
      const stop = await sb.request('PUT', `/payments/api/v1/payment_orders/${orderId}/payments/${id}/stop`, { body: {} });
      expect(stop.status).toBe(204);
      expect(stop.text).toBe('');
      expect((await getPayment(orderId, id)).status).toBe('STOPPED');
      await waitFor(() => receiver.received.find((c) => c.body.payment_id === id && c.body.status === 'STOPPED'), 5000, 'STOPPED callback');
      expect((await sb.request('PUT', `/payments/api/v1/payment_orders/${orderId}/payments/${id}/stop`, { body: {} })).status).toBe(403);
      expect((await sb.request('PUT', `/payments/api/v1/payment_orders/${orderId}/payments/${ZERO}/stop`, { body: {} })).status).toBe(404);
    });

    it('updates order items with 204, validating before looking the payment up', async () => {
      const orderId = await createOrder(sb);
      const { id } = (await initiate(orderId, initiateBody('open_payments', 'pis', pisParameters()))).json();
      expect((await sb.request('PUT', `/payments/api/v1/payment_orders/${orderId}/payments/${ZERO}`, { body: { order_items: [] } })).status).toBe(422);
      expect((await sb.request('PUT', `/payments/api/v1/payment_orders/${orderId}/payments/${ZERO}`, { body: { order_items: orderItems([5]) } })).status).toBe(404);
      const items = orderItems([3000]).map((i) => ({ ...i, liquidity_account_id: null }));
      expect((await sb.request('PUT', `/payments/api/v1/payment_orders/${orderId}/payments/${id}`, { body: { order_items: items } })).status).toBe(204);
      const payment = await getPayment(orderId, id);
      expect(payment.total_amount).toBe(3000);
    });

    it('lists payments filtered by order, status and provider, with the SDK boolean spelling', async () => {
      const orderId = await createOrder(sb);
      const { id } = (await initiate(orderId, initiateBody('open_payments', 'pis', pisParameters()))).json();
      const res = await sb.request('GET', `/payments/api/v1/payments?payment_order_id=${orderId}&status=INITIATED&provider=open_payments&method=pis&is_refund_requested=False&limit=200`);
      expect(res.status).toBe(200);
      expect(res.json().data.map((p: { id: string }) => p.id)).toEqual([id]);
      const none = await sb.request('GET', `/payments/api/v1/payments?payment_order_id=${orderId}&status=COMPLETED`);
      expect(none.json().data).toEqual([]);
    });

    it('refunds a completed payment in full once, PENDING until the refund is done', async () => {
      const orderId = await createOrder(sb);
      const { id } = (await initiate(orderId, initiateBody('open_payments', 'pis', pisParameters()))).json();
      const refund = (body: unknown) => sb.request('POST', `/payments/api/v1/payment_orders/${orderId}/payments/${id}/refund`, { body });
      expect((await refund({ amount: 10000, currency: 'SEK', reason: 'other' })).status).toBe(403);
      await sb.request('POST', `/_sandbox/payments/${id}/status`, { body: { status: 'COMPLETED' } });
      expect((await refund({ amount: 1, currency: 'SEK', reason: 'other' })).status).toBe(422);
      const ok = await refund({ amount: 10000, currency: 'SEK', reason: 'requested_by_customer', description: '' });
      expect(ok.status).toBe(200);
      expect(ok.json()).toEqual({ amount: 10000, currency: 'SEK', provider: 'open_payments', status: 'PENDING' });
      await waitFor(async () => (await getPayment(orderId, id)).refund ?? undefined, 5000, 'the refund to show');
      expect((await getPayment(orderId, id)).refund).toEqual({ amount: 10000, refunded_at: expect.any(String) });
      expect((await refund({ amount: 10000, currency: 'SEK', reason: 'other' })).status).toBe(403);
    });

    it('reconciles an underfunded deposit to COMPLETED only with items matching the funds', async () => {
      const orderId = await createOrder(sb);
      const { id } = (await initiate(orderId, initiateBody('ping', 'deposit', { reference_type: 'OCR' }))).json();
      const funded = await sb.request('POST', `/_sandbox/payments/${id}/status`, { body: { status: 'UNDERFUNDED', funds: { received: 7000 } } });
      expect(funded.status).toBe(200);
      const reconcile = (items: unknown) => sb.request('PUT', `/payments/api/v1/payment_orders/${orderId}/payments/${id}/funding/reconcile`, { body: { order_items: items } });
      expect((await reconcile(orderItems([5000]))).status).toBe(403);
      expect((await reconcile(orderItems([4000, 3000]))).status).toBe(204);
      const payment = await getPayment(orderId, id);
      expect(payment.status).toBe('COMPLETED');
      expect(payment.total_amount).toBe(7000);
      expect(payment.status_history.find((h: { status: string }) => h.status === 'UNDERFUNDED').funds).toEqual({ received: 7000, received_total: 7000 });
    });
  });

  describe('merchants and tenant', () => {
    it('creates and reads a merchant; 404 for an unknown one', async () => {
      const res = await sb.request('POST', '/payments/api/v1/merchants', { body: { name: 'Test merchant AB', organization: { country: 'SE', se_organization_number: '5591235378' } } });
      expect(res.status).toBe(200);
      const read = async () => (await sb.request('GET', `/payments/api/v1/merchants/${res.json().id}`)).json();
      expect(await read()).toEqual(expect.objectContaining({ name: 'Test merchant AB', status: 'CREATED' }));
      // Approved after the sandbox's short delay (sandbox/merchants.ts).
      await waitFor(async () => (await read()).status === 'APPROVED', 5000, 'the merchant approved');
      expect((await sb.request('GET', `/payments/api/v1/merchants/${ZERO}`)).status).toBe(404);
      expect((await sb.request('GET', '/payments/api/v1/merchants')).json().data.length).toBeGreaterThan(0);
    });

    it('stores tenant callback URLs with 204', async () => {
      const put = await sb.request('PUT', '/payments/api/v1/tenant', {
        body: { credit_account_top_up_callback_url: 'https://a.example/top-up', merchant_status_callback_url: 'https://a.example/m', disbursement_callback_url: null },
      });
      expect(put.status).toBe(204);
      expect((await sb.request('GET', '/payments/api/v1/tenant')).json()).toEqual(
        expect.objectContaining({ id: sb.tenantId, merchant_status_callback_url: 'https://a.example/m', disbursement_callback_url: null }),
      );
    });
  });

  it('answers malformed JSON with 400 and unknown routes with 404, both in the API shape', async () => {
    const bad = await sb.request('POST', '/payments/api/v1/payment_orders', { rawBody: '{"currency":' });
    expect(bad.status).toBe(400);
    expect(bad.json().errors[0].error).toBe('invalid_json');
    const unknown = await sb.request('GET', '/payments/api/v1/nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.json().errors[0].error).toBe('route_not_found');
  });

  it('keeps every concurrent create (no lost updates)', async () => {
    const fresh = await startSandbox();
    try {
      const orderId = await createOrder(fresh);
      const results = await Promise.all(
        Array.from({ length: 40 }, () => fresh.request('POST', `/payments/api/v1/payment_orders/${orderId}/payments`, { body: initiateBody('open_payments', 'pis', pisParameters()) })),
      );
      expect(results.every((r) => r.status === 200)).toBe(true);
      const order = (await fresh.request('GET', `/payments/api/v1/payment_orders/${orderId}`)).json();
      expect(order.payments).toHaveLength(40);
      expect((await fresh.request('GET', '/_sandbox/counters')).json().calls['POST /payments/api/v1/payment_orders/:order_id/payments']).toBe(40);
    } finally {
      await fresh.stop();
    }
  });
});
