import { subscriptionPaymentId, type SubscriptionEventType } from '../../domain/subscription';
import { MERCHANT, SubscriptionHarness } from './subscriptionHarness';

/**
 * Issue 16's dunning over a long run: 24-period subscriptions with second-long periods, against
 * activity doubles, whose payers pay at once except in one period. The events the merchant gets are
 * checked exactly, in order: they are what a merchant's backend acts on.
 */
describe('subscription workflow over 24 periods: dunning', () => {
  let harness: SubscriptionHarness;
  beforeAll(async () => {
    harness = await SubscriptionHarness.start();
  });
  afterAll(() => harness?.stop());

  const paidPeriod: SubscriptionEventType[] = ['invoice.created', 'invoice.paid'];
  const paidPeriods = (n: number) => Array<SubscriptionEventType[]>(n).fill(paidPeriod).flat();

  it('takes the payment of the 12th invoice in its grace period: past due, then active again, and runs on to its end', async () => {
    // Due 1 s after each period start, payable for 2 s more; the 12th payer pays 1.5 s after the invoice.
    const s = await harness.startSubscription({
      interval: 'PT3S',
      dueAfter: 'PT1S',
      gracePeriod: 'PT2S',
      end: { after_periods: 24 },
      payer: (n) => (n === 11 ? { afterMs: 1500 } : 'at_once'),
    });
    const done = await s.finished(110_000);

    expect(done).toMatchObject({ status: 'ended', cancellation_reason: null });
    expect(s.double.creates().map((c) => c.period)).toEqual([...Array(24).keys()]);
    expect(done.invoices.map((i) => i.status)).toEqual(Array(24).fill('paid'));
    expect(s.double.notices()).toEqual([
      'subscription.created',
      ...paidPeriods(11),
      'invoice.created',
      'invoice.overdue',
      'subscription.past_due',
      'invoice.paid',
      'subscription.active',
      ...paidPeriods(12),
      'subscription.ended',
    ]);
    // The notice carries the subscription as it was then: past due with the 12th invoice overdue.
    const pastDue = s.double.noticeSnapshots().find((n) => n.type === 'subscription.past_due')!.subscription;
    expect(pastDue.status).toBe('past_due');
    expect(pastDue.invoices.find((i) => i.period === 11)?.status).toBe('overdue');
    expect(s.double.callsOf('cancelSubscriptionInvoice')).toHaveLength(0);
  }, 120_000);

  it('never paid in the 12th period: cancelled as unpaid at that grace end, with no 13th invoice and exactly these events', async () => {
    const s = await harness.startSubscription({ interval: 'PT2S', dueAfter: 'PT1S', gracePeriod: 'PT1S', end: { after_periods: 24 }, payer: (n) => (n === 11 ? 'never' : 'at_once') });
    const done = await s.finished(60_000);

    expect(done).toMatchObject({ status: 'cancelled', cancellation_reason: 'unpaid', next_invoice_at: null });
    expect(s.double.creates().map((c) => c.period)).toEqual([...Array(12).keys()]);
    expect(done.invoices.map((i) => i.status)).toEqual([...Array(11).fill('paid'), 'expired']);
    expect(s.double.notices()).toEqual(['subscription.created', ...paidPeriods(11), 'invoice.created', 'invoice.overdue', 'subscription.past_due', 'subscription.cancelled']);
    // The grace end and the 13th period start fall together: the cancel wins, nothing more is billed.
    const cancelledAt = s.double.callsOf('notifySubscriptionEvent').at(-1)!.atMs;
    expect(cancelledAt).toBeGreaterThanOrEqual(s.input.startAtMs + 12 * 2000 - 50);
    expect(done.invoices.at(-1)!.id).toBe(subscriptionPaymentId(MERCHANT, s.id, 11));
  }, 70_000);

  it('invoices the periods it missed while no worker ran, each due counted from when it was made if its grace had passed: none cancelled for it', async () => {
    // As after an outage: the first three periods started (and their grace periods ended) before any worker saw them; the fourth starts 5 s from now.
    const startAtMs = Date.now() - 25_000;
    const s = await harness.startSubscription({ startAtMs, interval: 'PT10S', dueAfter: 'PT1S', gracePeriod: 'PT1S', end: { after_periods: 4 }, autopay: true });
    const done = await s.finished(30_000);

    expect(done).toMatchObject({ status: 'ended', cancellation_reason: null });
    const calls = s.double.callsOf('createSubscriptionInvoice');
    const creates = s.double.creates();
    expect(creates.map((c) => c.period)).toEqual([0, 1, 2, 3]);
    creates.slice(0, 3).forEach((c, n) => {
      // Made after its scheduled grace end: due a whole due_after after the workflow made it (its
      // clock, between that grace end and the activity's call), not in the past.
      const madeAt = c.dueAtMs - 1000;
      expect(madeAt).toBeGreaterThanOrEqual(startAtMs + n * 10_000 + 2000);
      expect(madeAt).toBeLessThanOrEqual(calls[n]!.atMs);
      expect(c.expiresAtMs - c.dueAtMs).toBe(1000);
    });
    // Made on time: due as scheduled.
    expect(creates[3]!.dueAtMs).toBe(startAtMs + 3 * 10_000 + 1000);
    expect(done.invoices.map((i) => i.status)).toEqual(['paid', 'paid', 'paid', 'paid']);
  }, 40_000);
});
