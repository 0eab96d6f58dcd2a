import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import Ajv2020 from 'ajv/dist/2020';
import { z } from 'zod';
import { createApp } from '../../api/app';
import { openApiDocument } from '../../api/openapi';
import { subscriptionListSchema, subscriptionSchema } from '../../api/schemas/subscription';
import { subscriptionIdFor } from '../../api/subscriptions';
import { MerchantId, MerchantReference, SubscriptionId, SubscriptionStatus } from '../../domain/searchAttributes';
import { subscriptionWorkflowId, type SubscriptionResource } from '../../domain/subscription';
import { harnessEnv } from '../harnessEnv';
import { TEST_API_KEY, TEST_NOTIFICATION_SECRET, TEST_OUTBOUND_URLS, TEST_WEBHOOK_SECRET } from '../helpers/api';
import { testDataConverter } from '../helpers/encryption';
import { heldLogger } from '../helpers/heldLogs';
import { startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

/**
 * Issue 16, the subscription API on the real stack (API, worker, sandbox, Temporal): create with an
 * Idempotency-Key, read, list, the merchant's changes, and what is refused. Every subscription here
 * starts a day from now, so none makes an invoice: these tests are about the API and the workflow's
 * answers to it, not about billing. The merchants have no notify_url, so no event is sent either.
 */
describe('subscriptions API', () => {
  let stack: PaymentsStack;
  interface TestMerchant {
    id: string;
    pingMerchantId: string;
    key: string;
  }
  let a: TestMerchant;
  let b: TestMerchant;

  type Call = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const as = (merchant: TestMerchant, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Call> =>
    stack.call(method, path, body, { authorization: `Bearer ${merchant.key}`, ...headers });

  async function merchant(name: string, orgNumber: string): Promise<TestMerchant> {
    const created = await stack.call(
      'POST',
      '/v1/merchants',
      {
        name,
        organization: { country: 'SE', se_organization_number: orgNumber },
        supplier: { name },
        locale: 'sv-SE',
        payment_methods: [{ provider: 'swish', method: 'm_commerce' }],
      },
      { 'Idempotency-Key': randomUUID() },
    );
    expect(created.status).toBe(201);
    const key = await stack.call('POST', `/v1/merchants/${created.body.id}/api-keys`, {});
    expect(key.status).toBe(201);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const read = await stack.call('GET', `/v1/merchants/${created.body.id}`);
      if (read.body.status === 'approved') return { id: created.body.id, pingMerchantId: read.body.ping_merchant_id, key: key.body.secret };
      if (Date.now() > deadline) throw new Error(`merchant ${created.body.id} not approved: ${JSON.stringify(read.body)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const DAY_MS = 86_400_000;
  const inADay = () => new Date(Date.now() + DAY_MS).toISOString();
  /** A valid create body without any merchant field: the key's merchant fills them in. */
  const subscriptionBody = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    currency: 'SEK',
    items: [{ description: 'Gym membership', price: 19900, quantity: 1, vat: 25 }],
    customer: { first_name: 'Bertil', last_name: 'Jönsson', email: 'bertil@example.com', phone: '0701234567', reference: 'cust-1042' },
    interval: 'P1M',
    start_at: inADay(),
    reminders: ['-P3D', 'P1D'],
    distribution: { email: true },
    merchant_reference: `sub-${randomUUID().slice(0, 8)}`,
    metadata: { plan: 'gold' },
    ...overrides,
  });

  /** Creates for A (201) and checks the answer against the exact response schema. */
  async function created(body = subscriptionBody(), key: string = randomUUID()): Promise<SubscriptionResource> {
    const res = await as(a, 'POST', '/v1/subscriptions', body, { 'Idempotency-Key': key });
    expect({ status: res.status, error: res.body?.error }).toEqual({ status: 201, error: undefined });
    return subscriptionSchema.parse(res.body);
  }

  /** A page of a list (the merchant's, or the platform's), once visibility shows `expected` rows (it lags a second or so). */
  async function listed(path: string, expected: number, who?: TestMerchant): Promise<SubscriptionResource[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = who ? await as(who, 'GET', path) : await stack.call('GET', path);
      expect(res.status).toBe(200);
      const page = subscriptionListSchema.parse(res.body);
      if (page.data.length === expected || Date.now() > deadline) return page.data;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const exists = async (id: string) => {
    try {
      await stack.client.workflow.getHandle(subscriptionWorkflowId(id)).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  };
  const countSubscriptions = async () => Number((await stack.client.workflow.count(`WorkflowType = 'subscription' AND TaskQueue = '${stack.worker.taskQueue}'`)).count);
  /** The count once visibility has caught up with the creates before it: the same twice in a row. */
  const settledCount = async () => {
    let last = await countSubscriptions();
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const next = await countSubscriptions();
      if (next === last) return next;
      last = next;
    }
    return last;
  };

  beforeAll(async () => {
    stack = await startPaymentsStack();
    [a, b] = await Promise.all([merchant('Gymmet A', '5591235378'), merchant('Yoga B', '5560360793')]);
  }, 60_000);
  afterAll(() => stack?.stop());

  it('creates a subscription: 201 with the schedule, no invoice before its start, and its search attributes and summary', async () => {
    const body = subscriptionBody();
    const sub = await created(body);
    expect(sub.id).toMatch(/^sub_[a-z2-7]{20}$/);
    expect(sub).toMatchObject({
      object: 'subscription',
      merchant: a.id,
      status: 'active',
      current_period: null,
      next_invoice_at: body.start_at,
      start_at: body.start_at,
      invoices: [],
      cancel_at_period_end: false,
      cancellation_reason: null,
      interval: 'P1M',
      due_after: 'P14D',
      grace_period: 'P3D',
      reminders: ['-P3D', 'P1D'],
      end: null,
      merchant_reference: body.merchant_reference,
      metadata: { plan: 'gold' },
      currency: 'SEK',
    });
    // The items pay the key's merchant at Ping.
    expect(sub.items).toEqual([{ description: 'Gym membership', price: 19900, quantity: 1, vat: 25, merchant_id: a.pingMerchantId }]);
    expect(sub.history.map((e) => e.type)).toEqual(['subscription.created']);

    const description = await stack.client.workflow.getHandle(subscriptionWorkflowId(sub.id)).describe();
    expect(description.type).toBe('subscription');
    expect(description.typedSearchAttributes.get(SubscriptionId)).toEqual([sub.id]);
    expect(description.typedSearchAttributes.get(SubscriptionStatus)).toEqual(['active']);
    expect(description.typedSearchAttributes.get(MerchantId)).toBe(a.id);
    expect(description.typedSearchAttributes.get(MerchantReference)).toBe(body.merchant_reference);
    // The locale is the merchant's (sv-SE); the summary names no payer.
    expect(await description.staticSummary()).toBe(`Subscription · 199.00 SEK / month · ${String(body.merchant_reference)}`);
    const details = String(await description.staticDetails());
    expect(details).toContain('P1M');
    for (const pii of ['Bertil', 'Jönsson', 'bertil@example.com', '0701234567']) expect(details).not.toContain(pii);
  });

  it('ends after N periods or at an instant, as asked', async () => {
    const after = await created(subscriptionBody({ end: { after_periods: 12 }, due_after: 'P10D', grace_period: 'P5D', reminders: [] }));
    expect(after).toMatchObject({ end: { after_periods: 12 }, due_after: 'P10D', grace_period: 'P5D', reminders: [] });
    const at = new Date(Date.now() + 400 * DAY_MS).toISOString();
    expect((await created(subscriptionBody({ end: { at } }))).end).toEqual({ at });
  });

  it('answers a retry with the same key and body 200 with the same subscription, and the same key with another body 409', async () => {
    const key = randomUUID();
    const body = subscriptionBody();
    const first = await created(body, key);
    const again = await as(a, 'POST', '/v1/subscriptions', body, { 'Idempotency-Key': key });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.id);
    const other = await as(a, 'POST', '/v1/subscriptions', { ...body, interval: 'P1W' }, { 'Idempotency-Key': key });
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({ type: 'idempotency_error', code: 'idempotency_key_reused' });
    // The same key from another merchant is that merchant's own subscription.
    const theirs = await as(b, 'POST', '/v1/subscriptions', body, { 'Idempotency-Key': key });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(first.id);
    expect(theirs.body.merchant).toBe(b.id);
    // Without a key, every request is a new subscription.
    const [x, y] = [await as(a, 'POST', '/v1/subscriptions', body), await as(a, 'POST', '/v1/subscriptions', body)];
    expect([x.status, y.status]).toEqual([201, 201]);
    expect(new Set([first.id, x.body.id, y.body.id]).size).toBe(3);
  });

  it('reads one by id, and lists them by status and merchant reference, page by page', async () => {
    const reference = `list-${randomUUID().slice(0, 8)}`;
    const [one, two] = [await created(subscriptionBody({ merchant_reference: reference })), await created(subscriptionBody({ merchant_reference: reference }))];
    const read = await as(a, 'GET', `/v1/subscriptions/${one.id}`);
    expect(read.status).toBe(200);
    expect(subscriptionSchema.parse(read.body)).toEqual(one);

    const rows = await listed(`/v1/subscriptions?merchant_reference=${reference}`, 2, a);
    // Newest first.
    expect(rows.map((s) => s.id)).toEqual([two.id, one.id]);
    expect(rows[0]).toEqual(two);

    const page = await as(a, 'GET', `/v1/subscriptions?merchant_reference=${reference}&limit=1`);
    expect(page.body).toMatchObject({ object: 'list', has_more: true });
    expect(page.body.data.map((s: SubscriptionResource) => s.id)).toEqual([two.id]);
    const next = await as(a, 'GET', `/v1/subscriptions?merchant_reference=${reference}&limit=1&cursor=${page.body.next_cursor}`);
    expect(next.status).toBe(200);
    expect(next.body.data.map((s: SubscriptionResource) => s.id)).toEqual([one.id]);
    // A cursor pages only the query it came from.
    const elsewhere = await as(a, 'GET', `/v1/subscriptions?limit=1&cursor=${page.body.next_cursor}`);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error).toMatchObject({ code: 'parameter_invalid', param: 'cursor' });

    // By status: pause one, and only it is listed as paused.
    expect((await as(a, 'POST', `/v1/subscriptions/${one.id}/pause`)).status).toBe(200);
    const paused = await listed(`/v1/subscriptions?merchant_reference=${reference}&status=paused`, 1, a);
    expect(paused.map((s) => [s.id, s.status])).toEqual([[one.id, 'paused']]);
    expect((await listed(`/v1/subscriptions?merchant_reference=${reference}&status=active`, 1, a)).map((s) => s.id)).toEqual([two.id]);

    for (const [query, param] of [
      ['status=lost', 'status'],
      ['limit=0', 'limit'],
      ['colour=red', 'colour'],
    ] as const) {
      const bad = await as(a, 'GET', `/v1/subscriptions?${query}`);
      expect([query, bad.status, bad.body.error.param]).toEqual([query, 400, param]);
    }
  });

  it("answers another merchant's subscription exactly as an unknown id on every route, and leaves it as it was", async () => {
    const reference = `iso-${randomUUID().slice(0, 8)}`;
    const mine = await created(subscriptionBody({ merchant_reference: reference }));
    const unknown = `sub_${'a'.repeat(20)}`;
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/v1/subscriptions/{id}'],
      ['PATCH', '/v1/subscriptions/{id}', { items: [{ description: 'Taken over', price: 1, quantity: 1, vat: 25 }] }],
      ['POST', '/v1/subscriptions/{id}/cancel', {}],
      ['POST', '/v1/subscriptions/{id}/pause'],
      ['POST', '/v1/subscriptions/{id}/resume'],
    ];
    // Word for word the answer for an id that does not exist, but for the id itself and the request id.
    const shape = (e: { error: Record<string, unknown> }) => ({ ...e.error, message: String(e.error.message).replace(/sub_\S+/, '<id>'), request_id: undefined });
    for (const [method, path, body] of routes) {
      const theirs = await as(b, method, path.replace('{id}', mine.id), body);
      const none = await as(b, method, path.replace('{id}', unknown), body);
      const malformed = await as(b, method, path.replace('{id}', 'sub_NOT-AN-ID'), body);
      expect({ route: `${method} ${path}`, status: theirs.status, error: theirs.body.error }).toEqual({
        route: `${method} ${path}`,
        status: 404,
        error: expect.objectContaining({ code: 'resource_missing', param: 'id' }),
      });
      expect(shape(theirs.body)).toEqual(shape(none.body));
      expect(shape(malformed.body)).toEqual(shape(none.body));
    }
    // A platform key acting for B sees the same; acting for A, or for no one, sees it.
    expect((await stack.call('GET', `/v1/subscriptions/${mine.id}`, undefined, { 'On-Behalf-Of': b.id })).status).toBe(404);
    expect((await stack.call('GET', `/v1/subscriptions/${mine.id}`, undefined, { 'On-Behalf-Of': a.id })).status).toBe(200);
    expect((await stack.call('GET', `/v1/subscriptions/${mine.id}`)).body.id).toBe(mine.id);

    // Listed for A and for the platform, never for B.
    expect((await listed(`/v1/subscriptions?merchant_reference=${reference}`, 1, a)).map((s) => s.id)).toEqual([mine.id]);
    expect((await listed(`/v1/subscriptions?merchant_reference=${reference}`, 1)).map((s) => s.id)).toEqual([mine.id]);
    expect(await listed(`/v1/subscriptions?merchant_reference=${reference}`, 0, b)).toEqual([]);
    expect((await stack.call('GET', `/v1/subscriptions?merchant_reference=${reference}`, undefined, { 'On-Behalf-Of': b.id })).body.data).toEqual([]);

    // None of B's calls changed it.
    const after = (await as(a, 'GET', `/v1/subscriptions/${mine.id}`)).body as SubscriptionResource;
    expect(after.status).toBe('active');
    expect(after.items).toEqual(mine.items);
    expect(after.history).toEqual(mine.history);
  });

  it('needs a merchant to create: a platform key without On-Behalf-Of is a 400, with it the merchant gets the subscription', async () => {
    const key = randomUUID();
    const refused = await stack.call('POST', '/v1/subscriptions', subscriptionBody(), { 'Idempotency-Key': key });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ type: 'invalid_request_error', code: 'merchant_required', param: 'On-Behalf-Of' });
    const patch = await stack.call('PATCH', `/v1/subscriptions/sub_${'a'.repeat(20)}`, { items: [{ description: 'X', price: 100, quantity: 1, vat: 25 }] });
    expect(patch.body.error).toMatchObject({ code: 'merchant_required' });

    const onBehalf = await stack.call('POST', '/v1/subscriptions', subscriptionBody(), { 'Idempotency-Key': key, 'On-Behalf-Of': b.id });
    expect(onBehalf.status).toBe(201);
    expect(onBehalf.body.merchant).toBe(b.id);
    expect(onBehalf.body.id).toBe(subscriptionIdFor(b.id, key));
    expect((await as(b, 'GET', `/v1/subscriptions/${onBehalf.body.id}`)).status).toBe(200);
  });

  it('refuses bad input with a 400 naming the parameter, and starts nothing', async () => {
    const countBefore = await settledCount();
    const past = new Date(Date.now() - DAY_MS).toISOString();
    const cases: Array<[string, Record<string, unknown>, string, string, RegExp?]> = [
      ['an interval that is not a duration', { interval: 'P1X' }, 'parameter_invalid', 'interval', /ISO 8601 duration/],
      ['a zero interval', { interval: 'P0D' }, 'parameter_invalid', 'interval'],
      ['no interval', { interval: undefined }, 'parameter_missing', 'interval'],
      ['a reminder after the grace period', { reminders: ['-P3D', 'P5D'], grace_period: 'P3D' }, 'parameter_invalid', 'reminders[1]', /grace period/],
      ['a reminder before the period start', { reminders: ['-P20D'] }, 'parameter_invalid', 'reminders[0]'],
      ['a negative due_after', { due_after: '-P1D' }, 'parameter_invalid', 'due_after'],
      ['end.at in the past', { end: { at: past } }, 'parameter_invalid', 'end.at', /past/],
      ['end.at before the first period ends', { end: { at: new Date(Date.now() + 2 * DAY_MS).toISOString() } }, 'parameter_invalid', 'end.at'],
      ['both end.at and end.after_periods', { end: { at: new Date(Date.now() + 400 * DAY_MS).toISOString(), after_periods: 2 } }, 'parameter_invalid', 'end'],
      ['an empty end', { end: {} }, 'parameter_invalid', 'end'],
      ['zero periods', { end: { after_periods: 0 } }, 'parameter_invalid', 'end.after_periods'],
      ['start_at long in the past', { start_at: '2020-01-01T00:00:00Z' }, 'parameter_invalid', 'start_at', /past/],
      ['start_at that is no instant', { start_at: 'tomorrow' }, 'parameter_invalid', 'start_at'],
      ['a due_at (each invoice gets its own)', { due_at: inADay() }, 'parameter_unknown', 'due_at'],
      ['an unknown field', { colour: 'blue' }, 'parameter_unknown', 'colour'],
      ['an unknown currency', { currency: 'USD' }, 'parameter_invalid', 'currency'],
      ['no items', { items: [] }, 'parameter_invalid', 'items'],
      ['items over the maximum total', { items: [{ description: 'Car', price: 600_000_000, quantity: 2, vat: 25 }] }, 'parameter_invalid', 'items'],
      ['SMS without a phone (as a link refuses it)', { customer: { first_name: 'A', last_name: 'B', email: 'a@example.com' }, distribution: { sms: true } }, 'parameter_invalid', 'customer.phone'],
      ['a KID invoice in SEK (as a link refuses it)', { distribution: { invoice: { reference_type: 'KID' } } }, 'parameter_invalid', 'distribution.invoice.reference_type'],
      ['a quote in the merchant reference', { merchant_reference: 'x"y' }, 'parameter_invalid', 'merchant_reference'],
    ];
    for (const [name, overrides, code, param, message] of cases) {
      const key = randomUUID();
      const res = await as(a, 'POST', '/v1/subscriptions', subscriptionBody(overrides), { 'Idempotency-Key': key });
      expect({ name, status: res.status, code: res.body.error?.code, param: res.body.error?.param }).toEqual({ name, status: 400, code, param });
      if (message) expect(res.body.error.message).toMatch(message);
      expect([name, await exists(subscriptionIdFor(a.id, key))]).toEqual([name, false]);
    }
    // An item naming another merchant is refused before anything is started (as for a link).
    const key = randomUUID();
    const mismatch = await as(a, 'POST', '/v1/subscriptions', subscriptionBody({ items: [{ description: 'X', price: 100, quantity: 1, vat: 25, merchant_id: b.pingMerchantId }] }), { 'Idempotency-Key': key });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body.error).toMatchObject({ code: 'merchant_mismatch', param: 'items[0].merchant_id' });
    expect(await exists(subscriptionIdFor(a.id, key))).toBe(false);
    // Visibility lags a little: give it time to show anything that might have been started.
    expect(await settledCount()).toBe(countBefore);
  });

  it('pauses, resumes, changes items, cancels at period end, cancels now, and refuses changes once cancelled', async () => {
    const sub = await created();
    const path = `/v1/subscriptions/${sub.id}`;

    const paused = await as(a, 'POST', `${path}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: 'paused', next_invoice_at: null });
    // Pausing again is the same request's answer, not an error.
    expect((await as(a, 'POST', `${path}/pause`, {})).body.status).toBe('paused');
    expect((await as(a, 'POST', `${path}/pause`, { now: true })).body.error).toMatchObject({ code: 'parameter_unknown', param: 'now' });

    const resumed = await as(a, 'POST', `${path}/resume`);
    expect(resumed.status).toBe(200);
    // The first period has not begun: it is still the next invoice.
    expect(resumed.body).toMatchObject({ status: 'active', next_invoice_at: sub.start_at });
    const again = await as(a, 'POST', `${path}/resume`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'subscription_not_paused' });

    const items = [
      { description: 'Gym membership', price: 24900, quantity: 1, vat: 25 },
      { description: 'Towel service', price: 2500, quantity: 2, vat: 25, unit: 'st' },
    ];
    const patched = await as(a, 'PATCH', path, { items });
    expect(patched.status).toBe(200);
    expect(patched.body.items).toEqual(items.map((i) => ({ ...i, merchant_id: a.pingMerchantId })));
    expect((await as(a, 'GET', path)).body.items).toEqual(patched.body.items);
    for (const [body, status, code, param] of [
      [{ items: [] }, 400, 'parameter_invalid', 'items'],
      [{ items, currency: 'NOK' }, 400, 'parameter_unknown', 'currency'],
      [{ items: [{ ...items[0], merchant_id: b.pingMerchantId }] }, 403, 'merchant_mismatch', 'items[0].merchant_id'],
    ] as const) {
      const refused = await as(a, 'PATCH', path, body);
      expect([status, code, param]).toEqual([refused.status, refused.body.error.code, refused.body.error.param]);
    }

    const atEnd = await as(a, 'POST', `${path}/cancel`, { at_period_end: true });
    expect(atEnd.status).toBe(200);
    expect(atEnd.body).toMatchObject({ status: 'active', cancel_at_period_end: true, cancellation_reason: null });
    expect((await as(a, 'POST', `${path}/cancel`, { at_period_end: 'yes' })).body.error).toMatchObject({ code: 'parameter_invalid', param: 'at_period_end' });

    const cancelled = await as(a, 'POST', `${path}/cancel`);
    expect(cancelled.status).toBe(200);
    const final = subscriptionSchema.parse(cancelled.body);
    expect(final).toMatchObject({ status: 'cancelled', cancellation_reason: 'requested', next_invoice_at: null });
    expect(final.history.map((e) => e.type)).toEqual(['subscription.created', 'subscription.paused', 'subscription.resumed', 'subscription.updated', 'subscription.updated', 'subscription.cancelled']);

    // Over: every change is refused, and it still reads (and lists) as cancelled.
    for (const [method, route, body] of [
      ['POST', `${path}/cancel`, {}],
      ['POST', `${path}/cancel`, { at_period_end: true }],
      ['POST', `${path}/pause`, undefined],
      ['POST', `${path}/resume`, undefined],
      ['PATCH', path, { items }],
    ] as const) {
      const refused = await as(a, method, route, body);
      expect([method, route, refused.status, refused.body.error?.code]).toEqual([method, route, 409, 'subscription_final']);
    }
    expect((await as(a, 'GET', path)).body).toEqual(cancelled.body);
    const listedCancelled = await listed(`/v1/subscriptions?merchant_reference=${sub.merchant_reference}&status=cancelled`, 1, a);
    expect(listedCancelled.map((s) => s.id)).toEqual([sub.id]);
  });

  it('is documented: the OpenAPI document takes the create body it accepts and describes its answers', async () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>>; components: object };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/v1/subscriptions')).sort()).toEqual(
      ['/v1/subscriptions', '/v1/subscriptions/{id}', '/v1/subscriptions/{id}/cancel', '/v1/subscriptions/{id}/pause', '/v1/subscriptions/{id}/resume'].sort(),
    );
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    ajv.addKeyword('components');
    ajv.addFormat('date-time', (v: string) => z.iso.datetime({ offset: true }).safeParse(v).success);
    ajv.addFormat('uri', (v: string) => URL.canParse(v));
    ajv.addFormat('email', (v: string) => z.email().safeParse(v).success);
    ajv.addSchema({ $id: 'doc', components: doc.components });
    const check = (name: string, value: unknown) => {
      const validate = ajv.compile({ $ref: `doc#/components/schemas/${name}` });
      if (!validate(value)) throw new Error(`${name}: ${JSON.stringify(validate.errors)}`);
    };
    // Whole, as the document has it (as for a payment link, it does not say what a merchant's defaults fill in).
    const body = subscriptionBody({
      end: { after_periods: 3 },
      items: [{ description: 'Gym membership', price: 19900, quantity: 1, vat: 25, merchant_id: a.pingMerchantId }],
      supplier: { name: 'Gymmet A' },
      locale: 'sv-SE',
      payment_methods: [{ provider: 'swish', method: 'm_commerce' }],
    });
    check('SubscriptionCreateRequest', body);
    const sub = await created(body);
    check('Subscription', sub);
    check('SubscriptionList', (await as(a, 'GET', '/v1/subscriptions?limit=2')).body);
    check('SubscriptionUpdateRequest', { items: sub.items });
    check('SubscriptionCancelRequest', { at_period_end: true });
    // What the API refuses as unknown, the document refuses too.
    expect(() => check('SubscriptionCreateRequest', { ...body, due_at: inADay() })).toThrow(/additional/);
  });

  it('answers other methods 405 with Allow', async () => {
    for (const [method, path, allow] of [
      ['DELETE', `/v1/subscriptions/sub_${'a'.repeat(20)}`, 'GET, PATCH, HEAD'],
      ['PUT', '/v1/subscriptions', 'GET, POST, HEAD'],
      ['GET', `/v1/subscriptions/sub_${'a'.repeat(20)}/cancel`, 'POST'],
    ] as const) {
      const res = await fetch(`${stack.api.url}${path}`, { method, headers: { authorization: `Bearer ${a.key}` } });
      await res.text();
      expect([method, path, res.status, res.headers.get('allow')]).toEqual([method, path, 405, allow]);
    }
  });

  describe('SUBSCRIPTIONS_ALLOW_SHORT_INTERVALS', () => {
    /** An API process of its own on the stack's task queue, with the flag as given (whatever the test helpers' default is). */
    async function startApiWith(allowShortIntervals: boolean) {
      const { temporalAddress, namespace } = harnessEnv();
      const connection = Connection.lazy({ address: temporalAddress });
      const app = createApp({
        logger: heldLogger(`test-api-short-${allowShortIntervals}`),
        apiKeys: [TEST_API_KEY],
        client: new Client({ connection, namespace, dataConverter: testDataConverter() }),
        taskQueue: stack.worker.taskQueue,
        webhookSecret: TEST_WEBHOOK_SECRET,
        timing: { pollInitialMs: 30_000, pollMaxMs: 600_000 },
        money: { settlementHoldMs: 0, latePaymentWindowMs: 1000 },
        outboundUrls: TEST_OUTBOUND_URLS,
        notificationSigningSecret: TEST_NOTIFICATION_SECRET,
        subscriptions: { allowShortIntervals },
      });
      const server = http.createServer(app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return {
        post: async (body: unknown, headers: Record<string, string> = {}): Promise<Call> => {
          const res = await fetch(`${url}/v1/subscriptions`, { method: 'POST', headers: { authorization: `Bearer ${a.key}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
          return { status: res.status, body: await res.json() };
        },
        async stop() {
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
          await connection.close();
        },
      };
    }
    let on: Awaited<ReturnType<typeof startApiWith>>;
    let off: Awaited<ReturnType<typeof startApiWith>>;
    beforeAll(async () => {
      [on, off] = await Promise.all([startApiWith(true), startApiWith(false)]);
    });
    afterAll(async () => {
      await on?.stop();
      await off?.stop();
    });

    it('off (the default): refuses durations under a day, each naming its parameter, and starts nothing', async () => {
      for (const [overrides, param] of [
        [{ interval: 'PT1H' }, 'interval'],
        [{ interval: 'P1M', due_after: 'PT12H' }, 'due_after'],
        [{ grace_period: 'PT30M' }, 'grace_period'],
        [{ reminders: ['-P1D', 'PT2H'] }, 'reminders[1]'],
      ] as const) {
        const key = randomUUID();
        const res = await off.post(subscriptionBody(overrides), { 'idempotency-key': key });
        expect([param, res.status, res.body.error?.code, res.body.error?.param]).toEqual([param, 400, 'parameter_invalid', param]);
        expect(res.body.error.message).toMatch(/SUBSCRIPTIONS_ALLOW_SHORT_INTERVALS=true/);
        expect(await exists(subscriptionIdFor(a.id, key))).toBe(false);
      }
      // A zero offset is no short duration: a reminder on the due date itself is fine.
      expect((await off.post(subscriptionBody({ reminders: ['P0D'] }))).status).toBe(201);
    });

    it('on: accepts second-long intervals, due dates, reminders and grace periods, and still checks the schedule', async () => {
      const body = subscriptionBody({ interval: 'PT5S', due_after: 'PT2S', reminders: ['-PT1S', 'PT1S'], grace_period: 'PT2S' });
      expect((await off.post(body)).body.error).toMatchObject({ code: 'parameter_invalid', param: 'interval' });
      const res = await on.post(body);
      expect(res.status).toBe(201);
      expect(subscriptionSchema.parse(res.body)).toMatchObject({ interval: 'PT5S', due_after: 'PT2S', reminders: ['-PT1S', 'PT1S'], grace_period: 'PT2S', status: 'active' });
      // A reminder after the (short) grace period is still refused.
      const late = await on.post({ ...body, reminders: ['PT3S'] });
      expect([late.status, late.body.error?.param]).toEqual([400, 'reminders[0]']);
    });

    it('answers a retry under the same key with its subscription even once its end has passed, and another body 409', async () => {
      const post = (body: Record<string, unknown>, key: string) => on.post(body, { 'idempotency-key': key });
      const t = Date.now();
      const body = subscriptionBody({ interval: 'PT1S', start_at: new Date(t + 3000).toISOString(), end: { at: new Date(t + 4000).toISOString() } });
      const key = randomUUID();
      const first = await post(body, key);
      expect(first.status).toBe(201);
      // Paused before it starts, so it never invoices: this is about the answer to the retry.
      expect((await as(a, 'POST', `/v1/subscriptions/${first.body.id}/pause`)).body.status).toBe('paused');
      await new Promise((r) => setTimeout(r, Math.max(0, t + 4500 - Date.now())));
      const retried = await post(body, key);
      expect([retried.status, retried.body.id]).toEqual([200, first.body.id]);
      const other = await post({ ...body, metadata: { plan: 'silver' } }, key);
      expect([other.status, other.body.error?.code]).toEqual([409, 'idempotency_key_reused']);
      // The same request under a new key is a new subscription, refused now that its end has passed.
      const fresh = await post(body, randomUUID());
      expect([fresh.status, fresh.body.error?.param]).toEqual([400, 'end.at']);
    });
  });
});
