import { randomUUID } from 'node:crypto';
import type { PaymentResource } from '../../domain/payment';
import type { SubscriptionResource } from '../../domain/subscription';
import { linkRequest, startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';
import { pollFor } from '../helpers/pollFor';

/** `pollFor` that says what it waited for, and what it last saw. */
const waitFor = <T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000) =>
  pollFor(read, done, (last) => `timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`, timeoutMs, 200);

/**
 * Issue 16 on the real stack: a subscription with 15-second periods (SUBSCRIPTIONS_ALLOW_SHORT_INTERVALS),
 * its invoices ordinary payment links distributed by Ping's SMS and e-mail, each reminded before and
 * after its due date. The first invoice is paid before it is due, the second in its grace period, the
 * third never: the subscription is then cancelled as unpaid, and the merchant's receiver has heard
 * every step, in order.
 *
 * Each period (offsets from its start): reminder at 3 s, due at 6 s, reminder at 9 s, grace ends at 12 s.
 */
const SCHEDULE = { interval: 'PT15S', due_after: 'PT6S', reminders: ['-PT3S', 'PT3S'], grace_period: 'PT6S' };

describe('subscription on the real stack', () => {
  let stack: PaymentsStack;
  let merchant: { id: string; key: string };

  const asMerchant = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    stack.call(method, path, body, { authorization: `Bearer ${merchant.key}`, ...headers });

  const readSubscription = async (id: string) => (await asMerchant('GET', `/v1/subscriptions/${id}`)).body as SubscriptionResource;
  const waitForSubscription = (id: string, what: string, done: (s: SubscriptionResource) => boolean, timeoutMs = 30_000) =>
    waitFor(what, () => readSubscription(id), done, timeoutMs);
  const readPayment = async (id: string) => (await asMerchant('GET', `/v1/payments/${id}`)).body as PaymentResource;
  const remindersOf = (payment: PaymentResource) => payment.events.filter((e) => e.type === 'reminder_sent').length;

  beforeAll(async () => {
    stack = await startPaymentsStack({ money: { settlementHoldMs: 60_000, latePaymentWindowMs: 1000 } });
    const created = await stack.call(
      'POST',
      '/v1/merchants',
      { name: 'Gym AB', email: 'gym@merchant.example', organization: { country: 'SE', se_organization_number: '5591235378' }, notify_url: stack.merchant.url, supplier: { name: 'Gym AB' } },
      { 'Idempotency-Key': randomUUID() },
    );
    expect(created.status).toBe(201);
    const key = await stack.call('POST', `/v1/merchants/${created.body.id}/api-keys`, {});
    await waitFor('the merchant approved', async () => (await stack.call('GET', `/v1/merchants/${created.body.id}`)).body, (m) => m.status === 'approved');
    merchant = { id: created.body.id, key: key.body.secret };
  }, 60_000);
  afterAll(() => stack?.stop());

  it('invoices each period, reminds, takes a payment before and one during grace, and cancels as unpaid when the third goes unpaid', async () => {
    const { items, customer, locale, currency, payment_methods } = linkRequest() as { items: Array<Record<string, unknown>>; customer: { email: string; phone: string }; [k: string]: unknown };
    const body = {
      ...SCHEDULE,
      customer,
      locale,
      currency,
      payment_methods,
      items: items.map(({ merchant_id: _m, ...item }) => item),
      distribution: { sms: true, email: true },
      merchant_reference: 'member-42',
    };
    const created = await asMerchant('POST', '/v1/subscriptions', body, { 'Idempotency-Key': randomUUID() });
    expect(created.status).toBe(201);
    const sub = created.body as SubscriptionResource;
    expect(sub).toMatchObject({ status: 'active', merchant: merchant.id, interval: 'PT15S', merchant_reference: 'member-42' });
    // The first period has begun: the answer waited for its invoice, whose link the payer can open at once.
    expect(sub.invoices).toEqual([expect.objectContaining({ period: 0, status: 'open', checkout_url: expect.stringMatching(/\/checkout\/payment-links\//) })]);

    const invoice = async (n: number) => {
      const s = await waitForSubscription(sub.id, `invoice ${n}`, (s) => s.invoices.some((i) => i.period === n));
      return s.invoices.find((i) => i.period === n)!;
    };
    const payWhen = async (n: number, ready: (p: PaymentResource) => boolean) => {
      const { id } = await invoice(n);
      const payment = await waitFor(`invoice ${n} ready to pay`, () => readPayment(id), ready);
      await stack.control('POST', `/payment-links/${payment.ping_payment_link_id}/pay`, {});
      await waitForSubscription(sub.id, `invoice ${n} paid`, (s) => s.invoices.find((i) => i.period === n)?.status === 'paid');
    };

    // Period 0: paid after the first reminder, before it is due.
    await payWhen(0, (p) => remindersOf(p) === 1);
    // Period 1: past due, reminded after the due date, then paid within the grace period.
    const second = await invoice(1);
    await waitForSubscription(sub.id, 'past due', (s) => s.status === 'past_due');
    await payWhen(1, (p) => remindersOf(p) === 2);
    await waitForSubscription(sub.id, 'active again', (s) => s.status === 'active');
    // Period 2: never paid.
    const third = await invoice(2);
    const cancelled = await waitForSubscription(sub.id, 'cancelled as unpaid', (s) => s.status === 'cancelled', 40_000);
    expect(cancelled).toMatchObject({ cancellation_reason: 'unpaid', next_invoice_at: null });
    expect(cancelled.invoices.map((i) => [i.period, i.status])).toEqual([
      [0, 'paid'],
      [1, 'paid'],
      [2, 'expired'],
    ]);

    // Each invoice is an ordinary payment of the merchant, marked with its subscription.
    const payments = await Promise.all(cancelled.invoices.map((i) => readPayment(i.id)));
    for (const p of payments) expect(p).toMatchObject({ subscription_id: sub.id, merchant: merchant.id, flow: 'link', amount: cancelled.invoices[0]!.amount });
    expect(payments.map((p) => p.status)).toEqual(['completed', 'completed', expect.stringMatching(/^(expired|awaiting_payment)$/)]);
    expect(second.due_at).toBe(new Date(Date.parse(sub.start_at) + 15_000 + 6_000).toISOString());

    // Ping sent each link by SMS and e-mail, and again for each reminder that came before the payment.
    const outbox = async (p: PaymentResource) => (await stack.control('GET', `/outbox?payment_link_id=${p.ping_payment_link_id}`)) as Array<{ channel: string; to: string }>;
    const sent = await Promise.all(payments.map(outbox));
    expect(sent.map((messages) => messages.length)).toEqual([4, 6, 6]);
    for (const messages of sent) {
      expect(messages.filter((m) => m.channel === 'sms').every((m) => m.to === customer.phone)).toBe(true);
      expect(messages.filter((m) => m.channel === 'email').every((m) => m.to === customer.email)).toBe(true);
    }
    expect(third.checkout_url).toEqual(payments[2]!.checkout_url);

    // The merchant's backend heard the subscription's story in order, signed with the merchant's own secret.
    const events = await waitFor(
      'subscription.cancelled at the merchant',
      async () => stack.merchant.events.map((e) => e.event as unknown as { type: string; data: { object: string; id: string } }).filter((e) => e.data.object === 'subscription' && e.data.id === sub.id),
      (list) => list.some((e) => e.type === 'subscription.cancelled'),
    );
    expect(events.map((e) => e.type)).toEqual([
      'subscription.created',
      'invoice.created',
      'invoice.paid',
      'invoice.created',
      'invoice.overdue',
      'subscription.past_due',
      'invoice.paid',
      'subscription.active',
      'invoice.created',
      'invoice.overdue',
      'subscription.past_due',
      'subscription.cancelled',
    ]);
    // Each invoice's payment told the merchant too, as any payment does.
    const paymentEvents = stack.merchant.events.filter((e) => payments.slice(0, 2).some((p) => p.id === e.event.data.id)).map((e) => e.event.type);
    expect(paymentEvents.filter((t) => t === 'payment.paid')).toHaveLength(2);

    // The cancelled subscription takes no more changes.
    const again = await asMerchant('POST', `/v1/subscriptions/${sub.id}/cancel`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('subscription_final');
  }, 120_000);
});
