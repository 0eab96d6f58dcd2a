import { isValidLuhn } from '../../sandbox/references';
import {
  createLink,
  createOrder,
  linkBody,
  startCallbackReceiver,
  startSandbox,
  waitFor,
  type CallbackReceiver,
  type RunningSandbox,
} from '../helpers/sandbox';

const ZERO = '00000000-0000-0000-0000-000000000000';
const LINKS = '/payment_links/api/v1/payment_links';

describe('sandbox: Payment Links API', () => {
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

  const getLink = async (id: string) => (await sb.request('GET', `${LINKS}/${id}`)).json();
  const callbacksFor = (id: string) => receiver.received.filter((c) => c.body.payment_link_id === id);

  describe('create and read', () => {
    it('creates with 200 {id, checkout_url}, tolerating the SDK junk fields, and reads back payment_link_id', async () => {
      const orderId = await createOrder(sb);
      const res = await sb.request('POST', LINKS, { body: linkBody(orderId) });
      expect(res.status).toBe(200);
      const created = res.json();
      expect(Object.keys(created).sort()).toEqual(['checkout_url', 'id']);
      expect(created.checkout_url).toBe(`${sb.url}/checkout/payment-links/${created.id}`);

      const link = await getLink(created.id);
      expect(link).toEqual(
        expect.objectContaining({
          payment_link_id: created.id,
          tenant_id: sb.tenantId,
          payment_order_id: orderId,
          payment_id: null,
          status: 'CREATED',
          sms_status: 'NOT_CREATED',
          distributed_by_email: false,
          invoice_created: false,
          total_amount: 16500,
          locale: 'sv-SE',
          checkout_url: created.checkout_url,
          metadata: { reference: 'order-1' },
        }),
      );
      expect(link.id).toBeUndefined();
      expect(link.items[1]).toEqual(expect.objectContaining({ description: 'Läsk', vat: 12, quantity: 1 }));
      expect(link.customer).toEqual(expect.objectContaining({ first_name: 'Bertil', last_name: 'Jönsson', reference: 'cust-1' }));
    });

    it('accepts both address spellings and echoes both', async () => {
      const { id } = await createLink(sb, { invoice_address: { city: 'Örebro', street_addres: 'Storgatan 1', zip: '70225' }, delivery_address: { city: 'Oslo', street_address: 'Karl Johan 1', zip: '0154' } });
      const link = await getLink(id);
      expect(link.invoice_address).toEqual({ city: 'Örebro', street_addres: 'Storgatan 1', street_address: 'Storgatan 1', zip: '70225' });
      expect(link.delivery_address.street_addres).toBe('Karl Johan 1');
    });

    it('lists links as a bare array', async () => {
      const { id } = await createLink(sb);
      const res = await sb.request('GET', LINKS);
      expect(res.status).toBe(200);
      const list = res.json();
      expect(Array.isArray(list)).toBe(true);
      expect(list.map((l: { payment_link_id: string }) => l.payment_link_id)).toContain(id);
    });

    it('answers 404 for an unknown link (the zero UUID too), flat by default', async () => {
      const res = await sb.request('GET', `${LINKS}/${ZERO}`);
      expect(res.status).toBe(404);
      expect(res.json()).toEqual({ error: 'not_found', description: expect.any(String) });
    });

    it('refuses a total mismatch, an empty provider list and an unknown order with 403', async () => {
      const orderId = await createOrder(sb);
      const mismatch = await sb.request('POST', LINKS, { body: linkBody(orderId, { total_amount: 16000 }) });
      expect(mismatch.status).toBe(403);
      expect(mismatch.json()).toEqual(expect.objectContaining({ error: 'total_amount_mismatch', property: 'total_amount' }));
      expect((await sb.request('POST', LINKS, { body: linkBody(orderId, { payment_provider_methods: [] }) })).status).toBe(403);
      expect((await sb.request('POST', LINKS, { body: linkBody(ZERO) })).status).toBe(403);
    });

    it('answers 422 for missing fields, a currency unlike the order, a bad due date and unsupported methods', async () => {
      const orderId = await createOrder(sb);
      const { customer: _customer, ...noCustomer } = linkBody(orderId);
      const missing = await sb.request('POST', LINKS, { body: noCustomer });
      expect(missing.status).toBe(422);
      expect(missing.json()).toEqual(expect.objectContaining({ error: 'null_value', property: 'customer' }));
      const noName = await sb.request('POST', LINKS, { body: linkBody(orderId, { customer: { first_name: 'A' } }) });
      expect(noName.json().property).toBe('customer.last_name');
      expect((await sb.request('POST', LINKS, { body: linkBody(orderId, { currency: 'NOK' }) })).status).toBe(422);
      expect((await sb.request('POST', LINKS, { body: linkBody(orderId, { due_date: 'tomorrow' }) })).status).toBe(422);
      expect((await sb.request('POST', LINKS, { body: linkBody(orderId, { due_date: '2001-01-01' }) })).status).toBe(422);
      const pis = await sb.request('POST', LINKS, { body: linkBody(orderId, { payment_provider_methods: [{ provider: 'open_payments', method: 'pis' }] }) });
      expect(pis.status).toBe(422);
    });

    it('refuses a link for a closed order with 403', async () => {
      const orderId = await createOrder(sb);
      await sb.request('PUT', `/payments/api/v1/payment_orders/${orderId}/close`, { body: {} });
      expect((await sb.request('POST', LINKS, { body: linkBody(orderId) })).status).toBe(403);
    });

    it('can answer errors in the errors[] shape instead', async () => {
      const wrapped = await startSandbox({ linksErrorShape: 'errors' });
      try {
        const res = await wrapped.request('GET', `${LINKS}/${ZERO}`);
        expect(res.status).toBe(404);
        expect(res.json()).toEqual({ errors: [expect.objectContaining({ error: 'not_found' })] });
      } finally {
        await wrapped.stop();
      }
    });
  });

  describe('cancel', () => {
    it('cancels with 204 and a CANCELLED callback; a second cancel is 403', async () => {
      const { id } = await createLink(sb, { payment_link_status_callback_url: `${receiver.url}/links` });
      const first = await sb.request('PUT', `${LINKS}/${id}/cancel`, { body: {} });
      expect(first.status).toBe(204);
      expect(first.text).toBe('');
      expect((await getLink(id)).status).toBe('CANCELLED');
      const callback = await waitFor(() => callbacksFor(id)[0], 5000, 'the CANCELLED callback');
      expect(callback.body).toEqual({ payment_link_id: id, status: 'CANCELLED', occured_at: expect.any(String) });
      expect(callback.path).toBe('/links');
      const second = await sb.request('PUT', `${LINKS}/${id}/cancel`, { body: {} });
      expect(second.status).toBe(403);
      expect(second.json().error).toBe('already_cancelled');
      expect((await sb.request('PUT', `${LINKS}/${ZERO}/cancel`, { body: {} })).status).toBe(404);
    });
  });

  describe('distribute', () => {
    it('records SMS and e-mail in the outbox and updates sms_status and distributed_by_email', async () => {
      const { id, checkoutUrl } = await createLink(sb);
      const res = await sb.request('PUT', `${LINKS}/${id}/distribute`, { body: { methods: ['sms', 'email'], customer_phone: '0731231212' } });
      expect(res.status).toBe(204);
      const outbox = (await sb.request('GET', `/_sandbox/outbox?payment_link_id=${id}`)).json();
      expect(outbox).toEqual([
        expect.objectContaining({ channel: 'sms', to: '0731231212', checkout_url: checkoutUrl, body: expect.stringContaining(checkoutUrl) }),
        expect.objectContaining({ channel: 'email', to: 'bertil@example.com', subject: expect.stringContaining('Pizzeria AB') }),
      ]);
      const link = await getLink(id);
      expect(link.distributed_by_email).toBe(true);
      expect(['PENDING', 'DELIVERD']).toContain(link.sms_status);
      await waitFor(async () => (await getLink(id)).sms_status === 'DELIVERD', 5000, 'DELIVERD');
    });

    it('answers 422 for a null or empty body and 404 for an unknown link', async () => {
      const { id } = await createLink(sb);
      expect((await sb.request('PUT', `${LINKS}/${id}/distribute`, { rawBody: 'null' })).status).toBe(422);
      expect((await sb.request('PUT', `${LINKS}/${id}/distribute`, { body: {} })).status).toBe(422);
      expect((await sb.request('PUT', `${LINKS}/${ZERO}/distribute`, { body: { methods: ['sms'] } })).status).toBe(404);
      const { id: noPhone } = await createLink(sb, { customer: { first_name: 'A', last_name: 'B' } });
      const res = await sb.request('PUT', `${LINKS}/${noPhone}/distribute`, { body: { methods: ['sms'] } });
      expect(res.status).toBe(422);
      expect(res.json().property).toBe('customer_phone');
    });
  });

  describe('invoice and receipt', () => {
    it('creates an OCR invoice once (204, then 403) with a valid Luhn reference', async () => {
      const { id } = await createLink(sb);
      expect((await sb.request('GET', `${LINKS}/${id}/invoice`)).status).toBe(403);
      expect((await sb.request('PUT', `${LINKS}/${id}/invoice`, { rawBody: 'null' })).status).toBe(422);
      const created = await sb.request('PUT', `${LINKS}/${id}/invoice`, { body: { reference_type: 'OCR', document_name: 'Faktura 1' } });
      expect(created.status).toBe(204);
      expect(created.text).toBe('');
      const invoice = (await sb.request('GET', `${LINKS}/${id}/invoice`)).json();
      expect(invoice).toEqual({ url: `${sb.url}/documents/payment-links/${id}/invoice.pdf`, reference_type: 'OCR', reference: expect.stringMatching(/^\d{14}$/) });
      expect(isValidLuhn(invoice.reference)).toBe(true);
      // The length digit: the second-to-last digit is the total length mod 10.
      expect(Number(invoice.reference.at(-2))).toBe(invoice.reference.length % 10);
      expect((await getLink(id)).invoice_created).toBe(true);
      const again = await sb.request('PUT', `${LINKS}/${id}/invoice`, { body: { reference_type: 'OCR' } });
      expect(again.status).toBe(403);
      expect((await sb.request('PUT', `${LINKS}/${ZERO}/invoice`, { body: { reference_type: 'OCR' } })).status).toBe(404);
    });

    it('creates a KID invoice for NOK and refuses OCR there', async () => {
      const { id } = await createLink(sb, { locale: 'nb-NO' }, 'NOK');
      expect((await sb.request('PUT', `${LINKS}/${id}/invoice`, { body: { reference_type: 'OCR' } })).status).toBe(422);
      expect((await sb.request('PUT', `${LINKS}/${id}/invoice`, { body: { reference_type: 'KID' } })).status).toBe(204);
      const invoice = (await sb.request('GET', `${LINKS}/${id}/invoice`)).json();
      expect(invoice.reference_type).toBe('KID');
      expect(isValidLuhn(invoice.reference)).toBe(true);
    });

    it('answers the receipt with 403 until the link is paid, then with its URL', async () => {
      const { id, orderId } = await createLink(sb, { payment_link_status_callback_url: `${receiver.url}/links` });
      expect((await sb.request('GET', `${LINKS}/${id}/receipt`)).status).toBe(403);
      const paid = await sb.request('POST', `/_sandbox/payment-links/${id}/pay`, { body: {} });
      expect(paid.status).toBe(200);
      const receipt = await sb.request('GET', `${LINKS}/${id}/receipt`);
      expect(receipt.status).toBe(200);
      expect(receipt.json()).toEqual({ url: `${sb.url}/documents/payment-links/${id}/receipt.pdf` });

      const link = await getLink(id);
      expect(link.status).toBe('COMPLETED');
      const payment = (await sb.request('GET', `/payments/api/v1/payment_orders/${orderId}/payments/${link.payment_id}`)).json();
      expect(payment).toEqual(expect.objectContaining({ status: 'COMPLETED', total_amount: 16500, provider: 'swish', method: 'm_commerce' }));
      await waitFor(() => callbacksFor(id).find((c) => c.body.status === 'COMPLETED'), 5000, 'COMPLETED callback');
      // Paid links cannot be cancelled or invoiced any more.
      expect((await sb.request('PUT', `${LINKS}/${id}/cancel`, { body: {} })).status).toBe(403);
      expect((await sb.request('POST', `/_sandbox/payment-links/${id}/pay`, { body: {} })).status).toBe(409);
    });
  });

  describe('expiry', () => {
    it('expires an unpaid link at its due date-time by itself and sends the EXPIRED callback', async () => {
      // Far enough ahead that creating the link (two calls) cannot pass it on a busy machine.
      const due = new Date(Date.now() + 800).toISOString();
      const { id } = await createLink(sb, { due_date: due, payment_link_status_callback_url: `${receiver.url}/links` });
      expect((await getLink(id)).status).toBe('CREATED');
      const callback = await waitFor(() => callbacksFor(id).find((c) => c.body.status === 'EXPIRED'), 5000, 'EXPIRED callback');
      expect(callback.body.occured_at).toEqual(expect.any(String));
      expect((await getLink(id)).status).toBe('EXPIRED');
      expect((await sb.request('PUT', `${LINKS}/${id}/cancel`, { body: {} })).status).toBe(403);
    });

    it('expires a date-only due date at the end of that day once sandbox time passes it', async () => {
      const fresh = await startSandbox({ expirySweepMs: 60_000 });
      try {
        const tomorrow = new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 10);
        const { id } = await createLink(fresh, { due_date: tomorrow });
        expect((await fresh.request('GET', `${LINKS}/${id}`)).json()).toEqual(expect.objectContaining({ status: 'CREATED', due_date: tomorrow }));
        await fresh.request('POST', '/_sandbox/clock', { body: { advance_ms: 3 * 24 * 3600 * 1000 } });
        // Checked lazily on read, too.
        expect((await fresh.request('GET', `${LINKS}/${id}`)).json().status).toBe('EXPIRED');
      } finally {
        await fresh.stop();
      }
    });

    it('expires through the control API', async () => {
      const { id } = await createLink(sb);
      const res = await sb.request('POST', `/_sandbox/payment-links/${id}/expire`);
      expect(res.status).toBe(200);
      expect((await getLink(id)).status).toBe('EXPIRED');
      expect((await sb.request('POST', `/_sandbox/payment-links/${id}/expire`)).status).toBe(409);
    });
  });

  describe('control API', () => {
    it('pays with a corrected customer, fails an attempt, and sets payment statuses with callbacks', async () => {
      const { id, orderId } = await createLink(sb);
      const failed = await sb.request('POST', `/_sandbox/payment-links/${id}/fail`, { body: { status: 'DECLINED' } });
      expect(failed.status).toBe(200);
      expect(failed.json().payment.status).toBe('DECLINED');
      expect((await getLink(id)).status).toBe('CREATED');
      const paid = await sb.request('POST', `/_sandbox/payment-links/${id}/pay`, {
        body: { provider: 'payment_iq', method: 'card', customer: { email: 'new@example.com' } },
      });
      expect(paid.json().payment_link.customer.email).toBe('new@example.com');
      expect((await getLink(id)).customer.email).toBe('new@example.com');
      const order = (await sb.request('GET', `/payments/api/v1/payment_orders/${orderId}`)).json();
      expect(order.payments.map((p: { status: string }) => p.status)).toEqual(['DECLINED', 'COMPLETED']);
    });

    it('sets a payment status with POST /_sandbox/payments/:id/status and reports unchanged ones', async () => {
      const orderId = await createOrder(sb);
      const init = await sb.request('POST', `/payments/api/v1/payment_orders/${orderId}/payments`, {
        body: {
          currency: 'SEK',
          total_amount: 100,
          order_items: [{ amount: 100, name: 'x', vat_rate: 25, merchant_id: '0b0c5c1e-8f43-4a55-9d2f-6a1f3e2b7c90' }],
          provider: 'swish',
          method: 'e_commerce',
          provider_method_parameters: { phone_number: '0701234567', message: 'x' },
          status_callback_url: `${receiver.url}/p`,
        },
      });
      const { id } = init.json();
      const set = await sb.request('POST', `/_sandbox/payments/${id}/status`, { body: { status: 'COMPLETED' } });
      expect(set.json()).toEqual(expect.objectContaining({ changed: true, payment: expect.objectContaining({ status: 'COMPLETED' }) }));
      expect((await sb.request('POST', `/_sandbox/payments/${id}/status`, { body: { status: 'COMPLETED' } })).json().changed).toBe(false);
      expect((await sb.request('POST', `/_sandbox/payments/${id}/status`, { body: { status: 'DONE' } })).status).toBe(422);
      expect((await sb.request('POST', `/_sandbox/payments/${ZERO}/status`, { body: { status: 'COMPLETED' } })).status).toBe(404);
      await waitFor(() => receiver.received.find((c) => c.body.payment_id === id && c.body.status === 'COMPLETED'), 5000, 'callback');
      await sb.request('POST', `/_sandbox/payments/${id}/resend-callback`);
      await waitFor(() => receiver.received.filter((c) => c.body.payment_id === id).length === 2, 5000, 'the resent callback');
    });

    it('counts creates by metadata and customer reference', async () => {
      const fresh = await startSandbox();
      try {
        await createLink(fresh, { metadata: { reference: 'wf-7', attempt: 1 } });
        await createLink(fresh, { metadata: { reference: 'wf-7' } });
        const counters = (await fresh.request('GET', '/_sandbox/counters')).json();
        expect(counters.creates).toEqual({ payment_orders: 2, payment_links: 2 });
        expect(counters.creates_by_metadata.payment_links).toEqual({ 'reference=wf-7': 2, 'attempt=1': 1, 'customer.reference=cust-1': 2 });
        expect(counters.calls['POST /payment_links/api/v1/payment_links']).toBe(2);
        expect(counters.responses['POST /payment_links/api/v1/payment_links']).toEqual({ '200': 2 });
        expect((await fresh.request('POST', '/_sandbox/reset')).status).toBe(200);
        const after = (await fresh.request('GET', '/_sandbox/counters')).json();
        expect(after.creates).toEqual({});
        expect((await fresh.request('GET', LINKS)).json()).toEqual([]);
      } finally {
        await fresh.stop();
      }
    });
  });
});
