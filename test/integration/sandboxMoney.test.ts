import {
  createLink,
  createOrder,
  initiateBody,
  linkBody,
  MERCHANT_ID,
  pisParameters,
  startCallbackReceiver,
  startSandbox,
  waitFor,
  type CallbackReceiver,
  type RunningSandbox,
} from '../helpers/sandbox';

/**
 * The sandbox's money after the payment (docs/ping-contract.md §2.3, §2.4, §2.7, §7): split into
 * allocations, settle, disburse through Mimic, refunds, late payments, and the contract rules on
 * path ids, link totals and ping.
 */

const ZERO = '00000000-0000-0000-0000-000000000000';
const MERCHANT_B = '5e2f9a61-7c3d-4b8e-9f10-2a3b4c5d6e7f';
const ORDERS = '/payments/api/v1/payment_orders';
const LINKS = '/payment_links/api/v1/payment_links';
const REFUND_KEY = 'POST /payments/api/v1/payment_orders/:order_id/payments/:payment_id/refund';

interface Item {
  amount: number;
  merchant_id: string;
  metadata?: Record<string, unknown>;
}

const ALLOCATION_KEYS = [
  'allocated_at',
  'amount',
  'currency',
  'disbursed_at',
  'disbursement_id',
  'id',
  'label',
  'merchant_id',
  'metadata',
  'order_item_merchant_id',
  'payment_id',
  'payment_order_id',
  'recipient_bank_account',
  'recipient_name',
  'recipient_type',
  'reference',
  'settled_at',
];

describe('sandbox: settlement, allocations, disbursements and refunds', () => {
  let sb: RunningSandbox;
  let receiver: CallbackReceiver;

  beforeAll(async () => {
    receiver = await startCallbackReceiver();
  });

  beforeEach(async () => {
    sb = await startSandbox({ refundDelayMs: 0 });
    receiver.received.length = 0;
  });

  afterEach(async () => {
    await sb?.stop();
  });

  afterAll(async () => {
    await receiver?.stop();
  });

  const orderWith = async (splitParameters: Record<string, unknown>): Promise<string> => {
    const res = await sb.request('POST', ORDERS, { body: { currency: 'SEK', split_parameters: splitParameters, split_tree_id: null } });
    expect(res.status).toBe(200);
    return res.json().id;
  };

  /** A PIS payment with these items, moved to `status` through the control API. */
  const payment = async (orderId: string, items: Item[], status = 'COMPLETED', extra: Record<string, unknown> = {}): Promise<string> => {
    const orderItems = items.map((i, n) => ({ name: `Item ${n + 1}`, vat_rate: 25, metadata: {}, tags: [], ...i }));
    const body = {
      ...initiateBody('open_payments', 'pis', pisParameters()),
      order_items: orderItems,
      total_amount: orderItems.reduce((s, i) => s + i.amount, 0),
      ...extra,
    };
    const res = await sb.request('POST', `${ORDERS}/${orderId}/payments`, { body });
    expect(res.status).toBe(200);
    const { id } = res.json();
    if (status !== 'INITIATED') expect((await sb.request('POST', `/_sandbox/payments/${id}/status`, { body: { status } })).status).toBe(200);
    return id;
  };

  const put = (orderId: string, step: string, body: unknown = {}) => sb.request('PUT', `${ORDERS}/${orderId}/${step}`, { body });
  const orderAllocations = (orderId: string) => sb.request('GET', `${ORDERS}/${orderId}/allocations`);
  const refund = (orderId: string, paymentId: string, amount = 10000) =>
    sb.request('POST', `${ORDERS}/${orderId}/payments/${paymentId}/refund`, { body: { amount, currency: 'SEK', reason: 'requested_by_customer', description: '' } });
  const getPayment = async (orderId: string, id: string) => (await sb.request('GET', `${ORDERS}/${orderId}/payments/${id}`)).json();
  const counters = async () => (await sb.request('GET', '/_sandbox/counters')).json();
  const disburse = (orders: unknown) => sb.request('POST', '/mimic/api/disbursements', { body: { payment_orders: orders } });

  describe('split and allocations', () => {
    it('allocates each merchant its items and the tenant its fee, taken from the merchants in proportion', async () => {
      const orderId = await orderWith({ tenant_fee: 2000 });
      const paid = await payment(orderId, [
        { amount: 6000, merchant_id: MERCHANT_ID, metadata: { sku: 'a' } },
        { amount: 4000, merchant_id: MERCHANT_B },
        { amount: 1000, merchant_id: MERCHANT_ID, metadata: { extra: true } },
      ]);
      await payment(orderId, [{ amount: 500, merchant_id: MERCHANT_B }], 'DECLINED');
      expect((await put(orderId, 'close')).status).toBe(204);
      expect((await put(orderId, 'split', { fast_forward: false })).status).toBe(204);

      const res = await orderAllocations(orderId);
      expect(res.status).toBe(200);
      const allocations = res.json();
      expect(Array.isArray(allocations)).toBe(true);
      for (const a of allocations) expect(Object.keys(a).sort()).toEqual(ALLOCATION_KEYS);
      // 2000 × 7000 / 11000 = 1272.7 and 2000 × 4000 / 11000 = 727.3: the larger remainder takes the last öre.
      expect(allocations.map((a: Record<string, unknown>) => [a.recipient_type, a.merchant_id, a.amount])).toEqual([
        ['merchant', MERCHANT_ID, 7000 - 1273],
        ['merchant', MERCHANT_B, 4000 - 727],
        ['tenant', null, 2000],
      ]);
      expect(allocations.reduce((s: number, a: { amount: number }) => s + a.amount, 0)).toBe(11000);
      const [first, , fee] = allocations;
      expect(first).toEqual(
        expect.objectContaining({
          payment_id: paid,
          payment_order_id: orderId,
          currency: 'SEK',
          order_item_merchant_id: MERCHANT_ID,
          metadata: { sku: 'a', extra: true },
          settled_at: null,
          disbursed_at: null,
          disbursement_id: null,
          allocated_at: expect.any(String),
          recipient_name: expect.any(String),
          reference: expect.any(String),
          recipient_bank_account: expect.objectContaining({ iban: expect.stringMatching(/^SE\d{22}$/), currency: 'SEK' }),
        }),
      );
      expect(fee).toEqual(expect.objectContaining({ recipient_type: 'tenant', order_item_merchant_id: null, payment_id: paid }));
    });

    it('caps the fee at what the payment brought in, and ignores a fee that is not a whole number', async () => {
      const capped = await orderWith({ tenant_fee: 999_999 });
      await payment(capped, [{ amount: 10000, merchant_id: MERCHANT_ID }]);
      expect((await put(capped, 'split', { fast_forward: true })).status).toBe(204);
      expect((await orderAllocations(capped)).json().map((a: Record<string, unknown>) => [a.recipient_type, a.amount])).toEqual([['tenant', 10000]]);

      const odd = await orderWith({ tenant_fee: '2000' });
      await payment(odd, [{ amount: 10000, merchant_id: MERCHANT_ID }]);
      expect((await put(odd, 'split', { fast_forward: true })).status).toBe(204);
      expect((await orderAllocations(odd)).json().map((a: Record<string, unknown>) => [a.recipient_type, a.amount])).toEqual([['merchant', 10000]]);
    });

    it('answers 403 before the split, both per order and in the list, and 404 for an unknown order', async () => {
      const orderId = await orderWith({});
      await payment(orderId, [{ amount: 10000, merchant_id: MERCHANT_ID }]);
      for (const step of ['', 'close']) {
        if (step) await put(orderId, step);
        const perOrder = await orderAllocations(orderId);
        expect(perOrder.status).toBe(403);
        expect(perOrder.json().errors[0].error).toBe('operation_forbidden');
        expect((await sb.request('GET', `/payments/api/v1/allocations?payment_order_id=${orderId}`)).status).toBe(403);
      }
      expect((await orderAllocations(ZERO)).status).toBe(404);
      expect((await sb.request('GET', `/payments/api/v1/allocations?payment_order_id=${ZERO}`)).status).toBe(404);
    });

    it('lists allocations as a page, filtered by order, payment and merchant; 422 for a bad limit or id', async () => {
      const orderId = await orderWith({ tenant_fee: 100 });
      const paid = await payment(orderId, [
        { amount: 6000, merchant_id: MERCHANT_ID },
        { amount: 4000, merchant_id: MERCHANT_B },
      ]);
      const other = await orderWith({});
      await payment(other, [{ amount: 10000, merchant_id: MERCHANT_B }]);
      await put(orderId, 'split', { fast_forward: true });
      await put(other, 'split', { fast_forward: true });

      const list = async (query: string) => {
        const res = await sb.request('GET', `/payments/api/v1/allocations?${query}`);
        expect(res.status).toBe(200);
        return res.json();
      };
      expect((await list('')).data).toHaveLength(4);
      expect((await list(`payment_order_id=${orderId}`)).data).toHaveLength(3);
      expect((await list(`payment_id=${paid}`)).data.map((a: { payment_id: string }) => a.payment_id)).toEqual([paid, paid, paid]);
      expect((await list(`merchant_id=${MERCHANT_B}`)).data.map((a: { amount: number }) => a.amount)).toEqual([4000 - 40, 10000]);
      expect((await list(`payout_id=${ZERO}`)).data).toEqual([]);
      const page = await list('limit=1');
      expect(page.data).toHaveLength(1);
      expect(page._links.next.href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/payments\/api\/v1\/allocations\?/);
      expect((await sb.request('GET', '/payments/api/v1/allocations?limit=-1')).status).toBe(422);
      const badId = await sb.request('GET', '/payments/api/v1/allocations?merchant_id=42');
      expect(badId.status).toBe(422);
      expect(badId.json().errors[0].property).toBe('merchant_id');
    });

    it("allocates a paid payment link's order from the link items' merchants", async () => {
      const { id, orderId } = await createLink(sb, {
        items: [
          { description: 'Pizza', merchant_id: MERCHANT_ID, price: 7000, quantity: 2, vat: 12 },
          { description: 'Läsk', merchant_id: MERCHANT_B, price: 2500, quantity: 1, vat: 12 },
        ],
      });
      expect((await sb.request('POST', `/_sandbox/payment-links/${id}/pay`, { body: {} })).status).toBe(200);
      await put(orderId, 'close');
      await put(orderId, 'split');
      const allocations = (await orderAllocations(orderId)).json();
      const link = (await sb.request('GET', `${LINKS}/${id}`)).json();
      expect(allocations.map((a: Record<string, unknown>) => [a.merchant_id, a.amount, a.payment_id])).toEqual([
        [MERCHANT_ID, 14000, link.payment_id],
        [MERCHANT_B, 2500, link.payment_id],
      ]);
    });

    it('settles: settled_at on every allocation; fast_forward from OPEN allocates too', async () => {
      const orderId = await orderWith({});
      await payment(orderId, [{ amount: 10000, merchant_id: MERCHANT_ID }]);
      await put(orderId, 'close');
      await put(orderId, 'split');
      expect((await orderAllocations(orderId)).json()[0].settled_at).toBeNull();
      expect((await put(orderId, 'settle')).status).toBe(204);
      const settled = (await orderAllocations(orderId)).json();
      expect(settled[0].settled_at).toEqual(expect.any(String));
      expect(Date.parse(settled[0].settled_at)).toBeGreaterThanOrEqual(Date.parse(settled[0].allocated_at));

      const forward = await orderWith({});
      await payment(forward, [{ amount: 3000, merchant_id: MERCHANT_B }]);
      expect((await put(forward, 'settle', { fast_forward: true })).status).toBe(204);
      const view = (await sb.request('GET', `/_sandbox/payment-orders/${forward}`)).json();
      expect(view.status).toBe('SETTLED');
      expect(view.allocations.map((a: Record<string, unknown>) => [a.amount, typeof a.settled_at])).toEqual([[3000, 'string']]);
    });
  });

  describe('disbursements (Mimic)', () => {
    it('disburses only SETTLED orders, once, and lists the disbursement with a settlement per allocation', async () => {
      const settled = await orderWith({ tenant_fee: 500 });
      await payment(settled, [{ amount: 10000, merchant_id: MERCHANT_ID }]);
      await put(settled, 'settle', { fast_forward: true });
      const splitOnly = await orderWith({});
      await payment(splitOnly, [{ amount: 2000, merchant_id: MERCHANT_ID }]);
      await put(splitOnly, 'split', { fast_forward: true });

      const res = await disburse([settled, splitOnly, ZERO]);
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({
        disbursed_payment_orders: [settled],
        failed_to_disburse: [
          { payment_order_id: splitOnly, reason: 'payment_order_not_settled', description: expect.any(String) },
          { payment_order_id: ZERO, reason: 'payment_order_not_found', description: expect.any(String) },
        ],
      });

      const list = await sb.request('GET', '/payments/api/v1/disbursements');
      expect(list.status).toBe(200);
      const disbursements = list.json();
      expect(disbursements).toHaveLength(1);
      const [d] = disbursements;
      expect(d).toEqual({ id: expect.any(String), amount: 10000, currency: 'SEK', disbursed_at: expect.any(String), manual_corrections: [], settlements: expect.any(Array) });
      const allocations = (await orderAllocations(settled)).json();
      expect(d.settlements.map((s: { allocation_id: string; amount: number }) => [s.allocation_id, s.amount])).toEqual(
        allocations.map((a: { id: string; amount: number }) => [a.id, a.amount]),
      );
      expect(d.settlements[0]).toEqual(expect.objectContaining({ payment_order_id: settled, recipient_type: 'merchant', label: expect.any(String) }));
      expect(allocations.every((a: Record<string, unknown>) => a.disbursement_id === d.id && typeof a.disbursed_at === 'string')).toBe(true);
      expect((await sb.request('GET', `/payments/api/v1/allocations?disbursement_id=${d.id}`)).json().data).toHaveLength(2);

      expect((await sb.request('GET', `/payments/api/v1/disbursements/${d.id}`)).json()).toEqual(d);
      expect((await sb.request('GET', `/payments/api/v1/disbursements/${ZERO}`)).status).toBe(404);
      const future = encodeURIComponent(new Date(Date.now() + 3600_000).toISOString());
      expect((await sb.request('GET', `/payments/api/v1/disbursements?from=${future}`)).json()).toEqual([]);
      expect((await sb.request('GET', `/payments/api/v1/disbursements?to=${future}`)).json()).toHaveLength(1);

      const again = (await disburse([settled])).json();
      expect(again).toEqual({ disbursed_payment_orders: [], failed_to_disburse: [expect.objectContaining({ payment_order_id: settled, reason: 'payment_order_already_disbursed' })] });
      expect((await sb.request('GET', '/payments/api/v1/disbursements')).json()).toHaveLength(1);
    });

    it('answers 422 for an empty list and 401 without a tenant_id, in the errors[] shape', async () => {
      const empty = await disburse([]);
      expect(empty.status).toBe(422);
      expect(empty.json().errors[0].property).toBe('payment_orders');
      expect((await disburse(['not-a-uuid'])).status).toBe(422);
      const bare = await sb.request('POST', '/mimic/api/disbursements', { body: { payment_orders: [ZERO] }, noTenant: true });
      expect(bare.status).toBe(401);
      expect(bare.json().errors[0].error).toBe('unauthorized');
      expect((await counters()).calls['POST /mimic/api/disbursements']).toBe(3);
    });
  });

  describe('refunds', () => {
    it('answers PENDING and shows the refund on the payment only after refundDelayMs', async () => {
      const slow = await startSandbox({ refundDelayMs: 1500 });
      try {
        const orderId = await createOrder(slow);
        const { id } = (await slow.request('POST', `${ORDERS}/${orderId}/payments`, { body: initiateBody('open_payments', 'pis', pisParameters()) })).json();
        await slow.request('POST', `/_sandbox/payments/${id}/status`, { body: { status: 'COMPLETED' } });
        const res = await slow.request('POST', `${ORDERS}/${orderId}/payments/${id}/refund`, { body: { amount: 10000, currency: 'SEK', reason: 'other' } });
        expect(res.status).toBe(200);
        expect(res.json()).toEqual({ amount: 10000, currency: 'SEK', provider: 'open_payments', status: 'PENDING' });
        const read = async () => (await slow.request('GET', `${ORDERS}/${orderId}/payments/${id}`)).json();
        expect(await read()).toEqual(expect.objectContaining({ status: 'COMPLETED', refund: null, refunds: null }));
        // Requested already, so the list's filter finds it.
        const requested = (await slow.request('GET', `/payments/api/v1/payments?payment_order_id=${orderId}&is_refund_requested=True`)).json();
        expect(requested.data.map((p: { id: string }) => p.id)).toEqual([id]);
        expect((await slow.request('GET', '/_sandbox/counters')).json().refunds).toEqual({ accepted: 1, completed: 0, refused_duplicate: 0, failed_injected: 0 });

        const done = await waitFor(async () => (await read()).refund ?? undefined, 5000, 'the refund to show');
        expect(done).toEqual({ amount: 10000, refunded_at: expect.any(String) });
        expect((await read()).refunds).toEqual([done]);
        const listed = (await slow.request('GET', `/payments/api/v1/payments?payment_order_id=${orderId}`)).json();
        expect(listed.data[0].refund).toEqual(done);
        expect((await slow.request('GET', '/_sandbox/counters')).json().refunds.completed).toBe(1);
      } finally {
        await slow.stop();
      }
    });

    it('refuses a second refund, pending or done, with 403 already_refunded and counts it', async () => {
      const orderId = await orderWith({});
      const id = await payment(orderId, [{ amount: 10000, merchant_id: MERCHANT_ID }]);
      expect((await refund(orderId, id)).status).toBe(200);
      const second = await refund(orderId, id);
      expect(second.status).toBe(403);
      expect(second.json().errors[0].error).toBe('already_refunded');
      await waitFor(async () => (await getPayment(orderId, id)).refund ?? undefined, 5000, 'the refund');
      expect((await refund(orderId, id)).json().errors[0].error).toBe('already_refunded');
      expect((await counters()).refunds).toEqual(expect.objectContaining({ accepted: 1, refused_duplicate: 2 }));
    });

    it('refuses a payment that is not COMPLETED, and one whose order is SPLIT or SETTLED', async () => {
      const orderId = await orderWith({});
      const pending = await payment(orderId, [{ amount: 10000, merchant_id: MERCHANT_ID }], 'PENDING');
      expect((await refund(orderId, pending)).status).toBe(403);
      for (const step of ['split', 'settle']) {
        const order = await orderWith({});
        const id = await payment(order, [{ amount: 10000, merchant_id: MERCHANT_ID }]);
        expect((await put(order, step, { fast_forward: true })).status).toBe(204);
        const res = await refund(order, id);
        expect(res.status).toBe(403);
        expect(res.json().errors[0].error).toBe('operation_forbidden');
        expect((await getPayment(order, id)).refund).toBeNull();
      }
      expect((await counters()).refunds.accepted).toBe(0);
    });

    it('does not allocate a refunded payment when its order is split later', async () => {
      const orderId = await orderWith({ tenant_fee: 100 });
      const refunded = await payment(orderId, [{ amount: 10000, merchant_id: MERCHANT_ID }]);
      await payment(orderId, [{ amount: 3000, merchant_id: MERCHANT_B }]);
      expect((await refund(orderId, refunded)).status).toBe(200);
      await put(orderId, 'close');
      await put(orderId, 'split');
      const allocations = (await orderAllocations(orderId)).json();
      expect(allocations.map((a: Record<string, unknown>) => [a.recipient_type, a.amount])).toEqual([
        ['merchant', 2900],
        ['tenant', 100],
      ]);
      expect(allocations.some((a: { payment_id: string }) => a.payment_id === refunded)).toBe(false);
    });

    it('fails the next refund calls of one payment as told by /_sandbox/payments/:id/fail-refund', async () => {
      const orderId = await orderWith({});
      const id = await payment(orderId, [{ amount: 10000, merchant_id: MERCHANT_ID }]);
      const armed = await sb.request('POST', `/_sandbox/payments/${id}/fail-refund`, { body: { status: 503, error: 'provider_unavailable', times: 2 } });
      expect(armed.status).toBe(200);
      expect(armed.json()).toEqual({ payment_id: id, remaining: 2 });
      for (let i = 0; i < 2; i++) {
        const res = await refund(orderId, id);
        expect(res.status).toBe(503);
        expect(res.json().errors[0].error).toBe('provider_unavailable');
      }
      expect((await getPayment(orderId, id)).refund).toBeNull();
      expect((await refund(orderId, id)).status).toBe(200);

      const other = await payment(orderId, [{ amount: 10000, merchant_id: MERCHANT_ID }]);
      await sb.request('POST', `/_sandbox/payments/${other}/fail-refund`);
      const declined = await refund(orderId, other);
      expect(declined.status).toBe(403);
      expect(declined.json().errors[0].error).toBe('refund_declined');
      expect((await refund(orderId, other)).status).toBe(200);
      expect((await counters()).refunds).toEqual(expect.objectContaining({ accepted: 2, failed_injected: 3 }));

      expect((await sb.request('POST', `/_sandbox/payments/${id}/fail-refund`, { body: { status: 200 } })).status).toBe(422);
      expect((await sb.request('POST', `/_sandbox/payments/${id}/fail-refund`, { body: { times: 0 } })).status).toBe(422);
      expect((await sb.request('POST', `/_sandbox/payments/${ZERO}/fail-refund`)).status).toBe(404);
    });

    it('applies the fault plan to the refund endpoint by its counter key', async () => {
      const orderId = await orderWith({});
      const id = await payment(orderId, [{ amount: 10000, merchant_id: MERCHANT_ID }]);
      await sb.request('PUT', '/_sandbox/faults', { body: { error_rate: 1, error_status: 503, endpoints: [REFUND_KEY] } });
      expect((await refund(orderId, id)).status).toBe(503);
      expect((await getPayment(orderId, id)).status).toBe('COMPLETED');
      expect((await counters()).refunds.accepted).toBe(0);

      // Processed, then the answer fails: the refund exists, and a retry learns it was done.
      await sb.request('PUT', '/_sandbox/faults', { body: { fail_after_processing_rate: 1, error_status: 502, endpoints: [REFUND_KEY] } });
      expect((await refund(orderId, id)).status).toBe(502);
      await sb.request('PUT', '/_sandbox/faults', { body: {} });
      expect((await refund(orderId, id)).json().errors[0].error).toBe('already_refunded');
      const c = await counters();
      expect(c.refunds).toEqual(expect.objectContaining({ accepted: 1, refused_duplicate: 1 }));
      expect(c.responses[REFUND_KEY]).toEqual({ '503': 1, '502': 1, '403': 1 });
    });
  });

  it('counts payment orders by status', async () => {
    const open = await orderWith({});
    const closed = await orderWith({});
    const split = await orderWith({});
    const settled = await orderWith({});
    await put(closed, 'close');
    await put(split, 'split', { fast_forward: true });
    await put(settled, 'settle', { fast_forward: true });
    expect(open).toEqual(expect.any(String));
    expect((await counters()).payment_orders_by_status).toEqual({ OPEN: 1, CLOSED: 1, SPLIT: 1, SETTLED: 1 });
  });

  describe('late payments', () => {
    it('completes a STOPPED payment through the control API and sends its callback', async () => {
      const orderId = await orderWith({});
      const id = await payment(orderId, [{ amount: 10000, merchant_id: MERCHANT_ID }], 'INITIATED', { status_callback_url: `${receiver.url}/late` });
      expect((await sb.request('PUT', `${ORDERS}/${orderId}/payments/${id}/stop`, { body: {} })).status).toBe(204);
      const late = await sb.request('POST', `/_sandbox/payments/${id}/status`, { body: { status: 'COMPLETED' } });
      expect(late.status).toBe(200);
      expect(late.json()).toEqual(expect.objectContaining({ changed: true, payment: expect.objectContaining({ status: 'COMPLETED' }) }));
      expect((await getPayment(orderId, id)).status_history.map((h: { status: string }) => h.status)).toEqual(['INITIATED', 'STOPPED', 'COMPLETED']);
      await waitFor(() => receiver.received.find((c) => c.body.payment_id === id && c.body.status === 'COMPLETED'), 5000, 'the late COMPLETED callback');
    });

    it('drops the late callback when the fault plan says so', async () => {
      const orderId = await orderWith({});
      const id = await payment(orderId, [{ amount: 10000, merchant_id: MERCHANT_ID }], 'INITIATED', { status_callback_url: `${receiver.url}/late` });
      await sb.request('PUT', `${ORDERS}/${orderId}/payments/${id}/stop`, { body: {} });
      await waitFor(() => receiver.received.find((c) => c.body.payment_id === id && c.body.status === 'STOPPED'), 5000, 'the STOPPED callback');
      await sb.request('PUT', '/_sandbox/faults', { body: { callbacks: { drop_rate: 1 } } });
      expect((await sb.request('POST', `/_sandbox/payments/${id}/status`, { body: { status: 'COMPLETED' } })).json().changed).toBe(true);
      await waitFor(async () => (await counters()).callbacks.dropped === 1, 5000, 'the dropped callback');
      expect(receiver.received.filter((c) => c.body.payment_id === id).map((c) => c.body.status)).toEqual(['STOPPED']);
    });

    it.each(['cancel', 'expire'])('pays a link late after %s, only when told it is late', async (how) => {
      const { id, orderId } = await createLink(sb, { payment_link_status_callback_url: `${receiver.url}/links` });
      expect((await sb.request('POST', `/_sandbox/payment-links/${id}/${how}`)).status).toBe(200);
      expect((await sb.request('POST', `/_sandbox/payment-links/${id}/pay`, { body: {} })).status).toBe(409);
      const paid = await sb.request('POST', `/_sandbox/payment-links/${id}/pay`, { body: { late: true } });
      expect(paid.status).toBe(200);
      expect(paid.json().payment_link.status).toBe('COMPLETED');
      expect(paid.json().payment.status).toBe('COMPLETED');
      const link = (await sb.request('GET', `${LINKS}/${id}`)).json();
      expect(link.status).toBe('COMPLETED');
      expect((await getPayment(orderId, link.payment_id)).status).toBe('COMPLETED');
      await waitFor(() => receiver.received.find((c) => c.body.payment_link_id === id && c.body.status === 'COMPLETED'), 5000, 'the late link callback');
      expect((await sb.request('POST', `/_sandbox/payment-links/${id}/pay`, { body: { late: true } })).status).toBe(409);
    });

    it('shows an order with its payments and allocations at GET /_sandbox/payment-orders/:id', async () => {
      const orderId = await orderWith({ tenant_fee: 1000 });
      const id = await payment(orderId, [{ amount: 10000, merchant_id: MERCHANT_ID }]);
      await put(orderId, 'split', { fast_forward: true });
      const res = await sb.request('GET', `/_sandbox/payment-orders/${orderId}`);
      expect(res.status).toBe(200);
      const view = res.json();
      expect(view).toEqual(expect.objectContaining({ id: orderId, status: 'SPLIT', tenant_id: sb.tenantId, disbursed_at: null }));
      expect(view.payments.map((p: { id: string }) => p.id)).toEqual([id]);
      expect(view.allocations.map((a: { amount: number }) => a.amount)).toEqual([9000, 1000]);
      expect((await sb.request('GET', `/_sandbox/payment-orders/${ZERO}`)).status).toBe(404);
    });
  });

  describe('contract fidelity', () => {
    it('answers 422 naming the path parameter for a non-UUID id on every endpoint with an id in its path', async () => {
      const orderId = await createOrder(sb);
      const payments: Array<[string, string, string]> = [
        ['GET', '/payments/api/v1/merchants/0', 'merchant_id'],
        ['GET', `${ORDERS}/0`, 'order_id'],
        ['PUT', `${ORDERS}/0`, 'order_id'],
        ['PUT', `${ORDERS}/0/close`, 'order_id'],
        ['PUT', `${ORDERS}/0/split`, 'order_id'],
        ['PUT', `${ORDERS}/0/settle`, 'order_id'],
        ['GET', `${ORDERS}/0/allocations`, 'order_id'],
        ['POST', `${ORDERS}/0/payments`, 'order_id'],
        ['GET', `${ORDERS}/${orderId}/payments/0`, 'payment_id'],
        ['PUT', `${ORDERS}/${orderId}/payments/0`, 'payment_id'],
        ['PUT', `${ORDERS}/${orderId}/payments/0/stop`, 'payment_id'],
        ['PUT', `${ORDERS}/${orderId}/payments/0/funding/reconcile`, 'payment_id'],
        ['POST', `${ORDERS}/${orderId}/payments/not-a-guid/refund`, 'payment_id'],
        ['GET', '/payments/api/v1/disbursements/0', 'disbursement_id'],
      ];
      for (const [method, path, property] of payments) {
        const res = await sb.request(method, path, method === 'GET' ? {} : { body: {} });
        expect([method, path, res.status]).toEqual([method, path, 422]);
        expect(res.json().errors[0]).toEqual(expect.objectContaining({ error: 'invalid_value', property }));
      }
      const links: Array<[string, string]> = [
        ['GET', `${LINKS}/0`],
        ['PUT', `${LINKS}/0/cancel`],
        ['PUT', `${LINKS}/0/distribute`],
        ['PUT', `${LINKS}/0/invoice`],
        ['GET', `${LINKS}/0/invoice`],
        ['GET', `${LINKS}/0/receipt`],
      ];
      for (const [method, path] of links) {
        const res = await sb.request(method, path, method === 'GET' ? {} : { body: {} });
        expect([method, path, res.status]).toEqual([method, path, 422]);
        // Flat by default (sandbox/README.md).
        expect(res.json()).toEqual(expect.objectContaining({ error: 'invalid_value', property: 'payment_link_id' }));
      }
    });

    it('keeps 404 for a well-formed unknown id, any 8-4-4-4-12 hex Guid included', async () => {
      for (const id of [ZERO, 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'ABCDEF01-2345-6789-ABCD-EF0123456789']) {
        expect((await sb.request('GET', `${ORDERS}/${id}`)).status).toBe(404);
        expect((await sb.request('GET', `${LINKS}/${id}`)).status).toBe(404);
        expect((await sb.request('GET', `/payments/api/v1/disbursements/${id}`)).status).toBe(404);
      }
    });

    it('answers a link total unlike Σ price × quantity with 403 even at 0, after the 422 for missing fields', async () => {
      const orderId = await createOrder(sb);
      const zero = await sb.request('POST', LINKS, { body: linkBody(orderId, { total_amount: 0 }) });
      expect(zero.status).toBe(403);
      expect(zero.json()).toEqual(expect.objectContaining({ error: 'total_amount_mismatch', property: 'total_amount' }));
      expect((await sb.request('POST', LINKS, { body: linkBody(orderId, { total_amount: -5 }) })).status).toBe(403);
      const { supplier: _supplier, ...noSupplier } = linkBody(orderId, { total_amount: 0 });
      const missing = await sb.request('POST', LINKS, { body: noSupplier });
      expect(missing.status).toBe(422);
      expect(missing.json().property).toBe('supplier');
      // Nothing to pay at all: the sum matches, and only then is the zero total refused.
      const free = await sb.request('POST', LINKS, {
        body: linkBody(orderId, { total_amount: 0, items: [{ description: 'Gratis', merchant_id: MERCHANT_ID, price: 0, quantity: 1, vat: 0 }] }),
      });
      expect(free.status).toBe(422);
      expect(free.json().property).toBe('total_amount');
    });

    it('answers ping with pong on both APIs without a tenant_id', async () => {
      for (const path of ['/payments/api/v1/ping', '/payment_links/api/v1/ping']) {
        const res = await sb.request('GET', path, { noTenant: true });
        expect([path, res.status, res.text]).toEqual([path, 200, 'pong']);
      }
      // Only liveness: everything else still wants the tenant.
      expect((await sb.request('GET', '/payments/api/v1/payments', { noTenant: true })).status).toBe(401);
    });
  });
});
