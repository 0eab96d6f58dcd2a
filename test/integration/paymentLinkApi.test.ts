import { randomUUID } from 'node:crypto';
import { linkRequest, MERCHANT_ID, startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

describe('payment link API', () => {
  let stack: PaymentsStack;
  beforeAll(async () => {
    stack = await startPaymentsStack();
  });
  afterAll(() => stack?.stop());

  const createCount = async () => (await stack.control('GET', '/counters')).calls['POST /payment_links/api/v1/payment_links'] ?? 0;

  describe('idempotency', () => {
    it('returns the same payment for the same key and body, and 409 for a different body', async () => {
      const key = randomUUID();
      const body = linkRequest();
      const lists = async () => (await stack.control('GET', '/counters')).calls['GET /payment_links/api/v1/payment_links'] ?? 0;
      const listsBefore = await lists();
      const first = await stack.call('POST', '/v1/payment-links', body, { 'Idempotency-Key': key });
      expect(first.status).toBe(201);
      const links = await createCount();
      // A first run makes the link without looking for an earlier one (workflows/paymentCore.ts, mayHaveRunBefore).
      expect(await lists()).toBe(listsBefore);

      // Same body, keys in another order: the same request.
      const reordered = Object.fromEntries(Object.entries(body).reverse());
      const second = await stack.call('POST', '/v1/payment-links', reordered, { 'Idempotency-Key': key });
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ id: first.body.id, checkout_url: first.body.checkout_url, ping_payment_link_id: first.body.ping_payment_link_id });

      const different = await stack.call('POST', '/v1/payment-links', { ...body, merchant_reference: 'something-else' }, { 'Idempotency-Key': key });
      expect(different.status).toBe(409);
      expect(different.body.error).toMatchObject({ type: 'idempotency_error', code: 'idempotency_key_reused' });
      expect(await createCount()).toBe(links);
    });

    it('still answers the same after the payment has finished', async () => {
      const key = randomUUID();
      const body = linkRequest();
      const first = await stack.call('POST', '/v1/payment-links', body, { 'Idempotency-Key': key });
      await stack.call('POST', `/v1/payments/${first.body.id}/cancel`);
      await stack.waitForPayment(first.body.id, (p) => p.status === 'cancelled');
      const links = await createCount();

      const again = await stack.call('POST', '/v1/payment-links', body, { 'Idempotency-Key': key });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id: first.body.id, status: 'cancelled' });
      const different = await stack.call('POST', '/v1/payment-links', linkRequest(), { 'Idempotency-Key': key });
      expect(different.status).toBe(409);
      expect(await createCount()).toBe(links);
    });

    it('answers a retry after the due date has passed with the payment, not a 400', async () => {
      const key = randomUUID();
      const dueAt = Date.now() + 2000;
      const body = linkRequest({ due_at: new Date(dueAt).toISOString() });
      const first = await stack.call('POST', '/v1/payment-links', body, { 'Idempotency-Key': key });
      expect(first.status).toBe(201);
      const links = await createCount();
      // A slow cancel at Ping keeps the expiring workflow running, so the first retries find it open.
      await stack.control('PUT', '/faults', { latency_ms: 3000, endpoints: ['PUT /payment_links/api/v1/payment_links/:payment_link_id/cancel'] });
      try {
        await new Promise((r) => setTimeout(r, Math.max(0, dueAt - Date.now()) + 200));
        const again = await stack.call('POST', '/v1/payment-links', body, { 'Idempotency-Key': key });
        expect(again.status).toBe(200);
        expect(again.body).toMatchObject({ id: first.body.id, ping_payment_link_id: first.body.ping_payment_link_id });
        const different = await stack.call('POST', '/v1/payment-links', { ...body, merchant_reference: 'something-else' }, { 'Idempotency-Key': key });
        expect(different.status).toBe(409);
        expect(different.body.error).toMatchObject({ type: 'idempotency_error', code: 'idempotency_key_reused' });
        const fresh = await stack.call('POST', '/v1/payment-links', body, { 'Idempotency-Key': randomUUID() });
        expect(fresh.status).toBe(400);
        expect(fresh.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param: 'due_at', message: 'Invalid due_at: must be in the future' });
      } finally {
        await stack.control('PUT', '/faults', {});
      }

      // Once the workflow has closed, the same answers come from its queries instead of the update.
      await stack.client.workflow.getHandle(first.body.id).result();
      const afterClose = await stack.call('POST', '/v1/payment-links', body, { 'Idempotency-Key': key });
      expect(afterClose.status).toBe(200);
      expect(afterClose.body).toMatchObject({ id: first.body.id, status: 'expired' });
      expect((await stack.call('POST', '/v1/payment-links', linkRequest({ due_at: body.due_at }), { 'Idempotency-Key': key })).status).toBe(409);
      expect(await createCount()).toBe(links);
    });

    it('makes concurrent identical requests into one payment', async () => {
      const key = randomUUID();
      const body = linkRequest();
      const before = await createCount();
      const answers = await Promise.all(Array.from({ length: 5 }, () => stack.call('POST', '/v1/payment-links', body, { 'Idempotency-Key': key })));
      expect(new Set(answers.map((a) => a.body.id))).toEqual(new Set([`payment-link-${key}`]));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 201]);
      expect(await createCount()).toBe(before + 1);
      // The retries joined by queries: the workflow got one update, the one sent with its start (api/routes/createPayment.ts says why).
      const history = await stack.client.workflow.getHandle(`payment-link-${key}`).fetchHistory();
      expect(history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).map((e) => e.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.name)).toEqual(['created']);
    });

    it('rejects a malformed Idempotency-Key', async () => {
      const res = await stack.call('POST', '/v1/payment-links', linkRequest(), { 'Idempotency-Key': 'has spaces and / slashes' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('idempotency_key_invalid');
    });
  });

  describe('distribution', () => {
    it.each([
      ['sms', { sms: true }, ['sms']],
      ['email', { email: true }, ['email']],
      ['sms and email', { sms: true, email: true }, ['email', 'sms']],
    ])('sends the link by %s through Ping', async (_name, distribution, channels) => {
      const created = await stack.call('POST', '/v1/payment-links', linkRequest({ distribution }));
      expect(created.status).toBe(201);
      const payment = await stack.waitForPayment(created.body.id, (p) => p.events.some((e) => e.type === 'link_distributed'));
      expect(payment.distribution).toMatchObject({ sms: channels.includes('sms'), email: channels.includes('email'), invoice: false });
      const outbox = (await stack.control('GET', `/outbox?payment_link_id=${created.body.ping_payment_link_id}`)) as Array<{ channel: string; to: string }>;
      expect(outbox.map((m) => m.channel).sort()).toEqual(channels);
      for (const m of outbox) expect(m.to).toBe(m.channel === 'sms' ? '0701234567' : 'bertil@example.com');
    });

    it('makes a PDF invoice with an OCR reference, served at the invoice URL', async () => {
      const created = await stack.call('POST', '/v1/payment-links', linkRequest({ distribution: { invoice: { reference_type: 'OCR' } } }));
      await stack.waitForPayment(created.body.id, (p) => p.invoice !== null);
      const invoice = await stack.call('GET', `/v1/payments/${created.body.id}/invoice`);
      expect(invoice.status).toBe(200);
      expect(invoice.body).toMatchObject({ object: 'invoice', payment_id: created.body.id, reference_type: 'OCR', reference: expect.stringMatching(/^\d+$/) });
      const pdf = Buffer.from(await (await fetch(invoice.body.url)).arrayBuffer());
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      const details = await stack.call('GET', `/v1/payments/${created.body.id}`);
      expect(details.body.events.find((e: { type: string }) => e.type === 'invoice_created').detail).toBe(`OCR ${invoice.body.reference}`);
    });

    it('makes a KID invoice for a NOK payment', async () => {
      const created = await stack.call('POST', '/v1/payment-links', linkRequest({ currency: 'NOK', locale: 'nb-NO', distribution: { invoice: { reference_type: 'KID' } } }));
      const payment = await stack.waitForPayment(created.body.id, (p) => p.invoice !== null);
      expect(payment.invoice).toMatchObject({ reference_type: 'KID' });
    });

    it('answers 404 for the invoice or receipt of a payment that has none', async () => {
      const created = await stack.call('POST', '/v1/payment-links', linkRequest());
      expect((await stack.call('GET', `/v1/payments/${created.body.id}/invoice`)).body.error.code).toBe('invoice_not_found');
      const receipt = await stack.call('GET', `/v1/payments/${created.body.id}/receipt`);
      expect(receipt.status).toBe(404);
      expect(receipt.body.error.code).toBe('receipt_not_available');
    });
  });

  describe('listing', () => {
    it('lists payments by status and merchant reference from Temporal visibility, page by page', async () => {
      const reference = `list-${randomUUID()}`;
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await stack.call('POST', '/v1/payment-links', linkRequest({ merchant_reference: reference }))).body.id);
      await stack.control('POST', `/payment-links/${(await stack.call('GET', `/v1/payments/${ids[0]}`)).body.ping_payment_link_id}/pay`, {});
      await stack.waitForPayment(ids[0]!, (p) => p.status === 'completed');

      let completed: { body: { data: Array<{ id: string; status: string; amount: number }> } } | undefined;
      for (let i = 0; i < 50; i++) {
        completed = await stack.call('GET', `/v1/payments?merchant_reference=${reference}&status=completed`);
        if (completed.body.data.length === 1) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(completed!.body.data).toEqual([expect.objectContaining({ id: ids[0], status: 'completed', amount: 16500, merchant_reference: reference, flow: 'link' })]);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { body: { data: Array<{ id: string }>; has_more: boolean; next_cursor: string | null } } = await stack.call(
          'GET',
          `/v1/payments?merchant_reference=${reference}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...page.body.data.map((p) => p.id));
        cursor = page.body.next_cursor;
        pages++;
      } while (cursor && pages < 5);
      expect(seen.sort()).toEqual([...ids].sort());
      expect(pages).toBe(2);
    });

    it('rejects unknown filters and bad values', async () => {
      expect((await stack.call('GET', '/v1/payments?status=lost')).body.error).toMatchObject({ code: 'parameter_invalid', param: 'status' });
      expect((await stack.call('GET', '/v1/payments?limit=1000')).body.error).toMatchObject({ code: 'parameter_invalid', param: 'limit' });
      expect((await stack.call('GET', '/v1/payments?colour=red')).body.error).toMatchObject({ code: 'parameter_unknown' });
    });
  });

  describe('validation', () => {
    it.each([
      ['a missing currency', { currency: undefined }, 'parameter_missing', 'currency'],
      ['an unknown currency', { currency: 'USD' }, 'parameter_invalid', 'currency'],
      ['a fractional price', { items: [{ description: 'x', merchant_id: MERCHANT_ID, price: 10.5, quantity: 1, vat: 25 }] }, 'parameter_invalid', 'items[0].price'],
      ['a zero price', { items: [{ description: 'x', merchant_id: MERCHANT_ID, price: 0, quantity: 1, vat: 25 }] }, 'parameter_invalid', 'items[0].price'],
      ['no items', { items: [] }, 'parameter_invalid', 'items'],
      ['an unknown method', { payment_methods: [{ provider: 'swish', method: 'teleport' }] }, 'parameter_invalid', 'payment_methods[0].method'],
      ['a past due date', { due_at: '2020-01-01T00:00:00Z' }, 'parameter_invalid', 'due_at'],
      ['SMS without a phone', { customer: { first_name: 'A', last_name: 'B' }, distribution: { sms: true } }, 'parameter_invalid', 'customer.phone'],
      ['an OCR invoice in NOK', { currency: 'NOK', distribution: { invoice: { reference_type: 'OCR' } } }, 'parameter_invalid', 'distribution.invoice.reference_type'],
      ['a bad notify URL', { notify_url: 'javascript:alert(1)' }, 'parameter_invalid', 'notify_url'],
      ['an unknown field', { colour: 'red' }, 'parameter_unknown', 'colour'],
    ])('rejects %s with a 400 naming the parameter, and starts nothing', async (_name, overrides, code, param) => {
      const before = await createCount();
      const res = await stack.call('POST', '/v1/payment-links', linkRequest(overrides));
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code, param });
      expect(await createCount()).toBe(before);
    });
  });
});
