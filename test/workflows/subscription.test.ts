import { randomUUID } from 'node:crypto';
import { subscriptionPaymentId, type SubscriptionResource } from '../../domain/subscription';
import { SUBSCRIPTION_FINAL, SUBSCRIPTION_NOT_PAUSED } from '../../domain/subscriptionMessages';
import { pollFor } from '../helpers/pollFor';
import { MERCHANT, PIZZA, SubscriptionHarness } from './subscriptionHarness';

/**
 * The subscription workflow (workflows/subscription.ts) against activity doubles, with second-long
 * periods: invoices per period, dunning, the merchant's changes, its end and continue-as-new.
 */
describe('subscription workflow', () => {
  let harness: SubscriptionHarness;
  beforeAll(async () => {
    harness = await SubscriptionHarness.start();
  });
  afterAll(() => harness?.stop());

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const historyTypes = (s: SubscriptionResource) => s.history.map((e) => e.type);
  /** Timers fire on the server's clock, the same machine's: a few ms of rounding at most. */
  const SLACK_MS = 50;

  it('bills 24 periods, each invoice created once under its own id and paid, continuing as new at each period, then ends', async () => {
    // A grace period of 3 s: a create delayed past its grace end (a loaded machine) would be due counted from then.
    const s = await harness.startSubscription({ interval: 'PT1S', dueAfter: 'PT1S', gracePeriod: 'PT3S', end: { after_periods: 24 }, autopay: true });
    const done = await s.finished(80_000);

    expect(done).toMatchObject({ status: 'ended', cancellation_reason: null, next_invoice_at: null, current_period: { index: 23 } });
    const creates = s.double.creates();
    expect(creates.map((c) => c.period)).toEqual([...Array(24).keys()]);
    const ids = creates.map((c) => c.paymentId);
    expect(new Set(ids).size).toBe(24);
    expect(ids).toEqual([...Array(24).keys()].map((n) => subscriptionPaymentId(MERCHANT, s.id, n)));
    creates.forEach((c, n) => {
      const start = s.input.startAtMs + n * 1000;
      expect([c.dueAtMs, c.expiresAtMs]).toEqual([start + 1000, start + 4000]);
      // Not before its period: the timer held it.
      expect(s.double.callsOf('createSubscriptionInvoice')[n]!.atMs).toBeGreaterThanOrEqual(start - SLACK_MS);
    });
    expect(done.invoices.map((i) => [i.id, i.status])).toEqual(ids.map((id) => [id, 'paid']));
    // The paid signal came twice, and before the create answered: one invoice.paid each, after its invoice.created.
    expect(s.double.notices()).toEqual(['subscription.created', ...Array(24).fill(['invoice.created', 'invoice.paid']).flat(), 'subscription.ended']);
    expect(s.double.callsOf('remindSubscriptionInvoice')).toHaveLength(0);
    expect(s.double.callsOf('cancelSubscriptionInvoice')).toHaveLength(0);

    const runs = await s.runs();
    expect(runs.map((r) => r.status)).toEqual([...Array(23).fill('CONTINUED_AS_NEW'), 'COMPLETED']);
    // One period per run: its history stays short however long the subscription runs.
    expect(Math.max(...runs.map((r) => r.events))).toBeLessThan(60);
    await s.replay(runs[0]!.runId);
    await s.replay(runs.at(-1)!.runId);
    expect(await s.currentDetails()).toBe('ended, invoice 24 of 24 paid');
  }, 100_000);

  it('goes past due at the due date, reminds, and is active again when paid in the grace period; a late or repeated word changes nothing', async () => {
    const s = await harness.startSubscription({ interval: 'PT6S', dueAfter: 'PT1S', gracePeriod: 'PT3S', reminders: ['PT1S'], end: { after_periods: 1 } });
    await s.waitFor('past due', (x) => x.status === 'past_due');
    await s.double.waitForCalls('remindSubscriptionInvoice', 1);
    const paymentId = subscriptionPaymentId(MERCHANT, s.id, 0);
    await s.waitFor('reminder recorded', (x) => x.history.some((e) => e.type === 'invoice.reminder_sent'));
    expect(await s.currentDetails()).toMatch(/^past due, invoice 1 of 1 due \d{4}-\d\d-\d\d, reminder sent$/);

    const at = new Date().toISOString();
    await s.invoiceChanged({ paymentId, status: 'paid', at });
    const active = await s.waitFor('active', (x) => x.status === 'active');
    expect(active.invoices.map((i) => i.status)).toEqual(['paid']);
    await s.invoiceChanged({ paymentId, status: 'paid', at });
    await s.invoiceChanged({ paymentId, status: 'expired', at });

    const done = await s.finished();
    expect(done.status).toBe('ended');
    expect(done.invoices.map((i) => i.status)).toEqual(['paid']);
    expect(s.double.notices()).toEqual(['subscription.created', 'invoice.created', 'invoice.overdue', 'subscription.past_due', 'invoice.paid', 'subscription.active', 'subscription.ended']);
    expect(s.double.callsOf('remindSubscriptionInvoice').map((c) => c.args)).toEqual([{ paymentId }]);
    expect(s.double.creates()).toHaveLength(1);
  });

  it('never paid: reminds before and after the due date, goes past due, and is cancelled as unpaid when the grace period ends', async () => {
    const s = await harness.startSubscription({ interval: 'PT10S', dueAfter: 'PT2S', gracePeriod: 'PT2S', reminders: ['-PT1S', 'PT1S'] });
    const done = await s.finished();
    const paymentId = subscriptionPaymentId(MERCHANT, s.id, 0);
    const start = s.input.startAtMs;

    expect(done).toMatchObject({ status: 'cancelled', cancellation_reason: 'unpaid', next_invoice_at: null });
    expect(done.invoices.map((i) => [i.id, i.status])).toEqual([[paymentId, 'expired']]);
    expect(s.double.notices()).toEqual(['subscription.created', 'invoice.created', 'invoice.overdue', 'subscription.past_due', 'subscription.cancelled']);
    expect(historyTypes(done)).toEqual([
      'subscription.created',
      'invoice.created',
      'invoice.reminder_sent',
      'invoice.overdue',
      'subscription.past_due',
      'invoice.reminder_sent',
      'subscription.cancelled',
    ]);
    const reminders = s.double.callsOf('remindSubscriptionInvoice');
    expect(reminders.map((c) => c.args)).toEqual([{ paymentId }, { paymentId }]);
    expect(reminders[0]!.atMs).toBeGreaterThanOrEqual(start + 1000 - SLACK_MS);
    expect(reminders[1]!.atMs).toBeGreaterThanOrEqual(start + 3000 - SLACK_MS);
    expect(s.double.callsOf('notifySubscriptionEvent').at(-1)!.atMs).toBeGreaterThanOrEqual(start + 4000 - SLACK_MS);
    // Ping expires the link itself at the grace end (its due date): nothing to cancel.
    expect(s.double.callsOf('cancelSubscriptionInvoice')).toHaveLength(0);
    expect(s.double.creates()).toHaveLength(1);
    expect((await s.handle.describe()).status.name).toBe('COMPLETED');
    expect(await s.currentDetails()).toBe('cancelled, invoice 1 of ∞ expired, unpaid');
  });

  it('is cancelled as unpaid at once when the invoice expires at Ping, and ignores news of payments it does not know', async () => {
    const s = await harness.startSubscription({ interval: 'PT30S', dueAfter: 'PT20S', gracePeriod: 'PT5S' });
    await s.double.waitForCalls('createSubscriptionInvoice', 1);
    await s.waitFor('invoice', (x) => x.invoices.length === 1);
    await s.invoiceChanged({ paymentId: 'payment-link-someone-else', status: 'paid', at: new Date().toISOString() });
    await s.invoiceChanged({ paymentId: subscriptionPaymentId(MERCHANT, s.id, 0), status: 'expired', at: new Date().toISOString() });
    const done = await s.finished(10_000);
    expect(done).toMatchObject({ status: 'cancelled', cancellation_reason: 'unpaid' });
    expect(done.invoices.map((i) => i.status)).toEqual(['expired']);
    expect(s.double.notices()).toEqual(['subscription.created', 'invoice.created', 'subscription.cancelled']);
  });

  it('bills nothing while paused, and restarts at the first period boundary after the resume', async () => {
    const s = await harness.startSubscription({ interval: 'PT2S', autopay: true });
    await s.waitFor('first invoice paid', (x) => x.invoices[0]?.status === 'paid');
    const pauseId = randomUUID();
    expect(await s.change({ kind: 'pause' }, pauseId)).toEqual({ outcome: 'accepted' });
    expect(await s.change({ kind: 'pause' })).toEqual({ outcome: 'repeat' });
    // The same request again (a signal delivered twice) keeps its first answer.
    expect(await s.change({ kind: 'pause' }, pauseId)).toEqual({ outcome: 'accepted' });
    expect((await s.current()).next_invoice_at).toBeNull();
    await pause(5_000);
    expect(s.double.creates()).toHaveLength(1);
    expect((await s.current()).status).toBe('paused');

    const before = Date.now();
    expect(await s.change({ kind: 'resume' })).toEqual({ outcome: 'accepted' });
    const after = Date.now();
    expect(await s.change({ kind: 'resume' })).toMatchObject({ outcome: 'refused', type: SUBSCRIPTION_NOT_PAUSED });
    await s.double.waitForCalls('createSubscriptionInvoice', 2);
    const k = s.double.creates()[1]!.period;
    const startOf = (n: number) => s.input.startAtMs + n * 2000;
    expect(k).toBeGreaterThanOrEqual(3);
    expect(startOf(k)).toBeGreaterThanOrEqual(before - SLACK_MS);
    expect(startOf(k - 1)).toBeLessThan(after + SLACK_MS);
    // The resumed period is the next run's: the answers came along.
    await pollFor(() => s.runs(), (runs) => runs.length === 2, (runs) => `runs: ${runs.length}`, 5_000, 100);
    expect(await s.answerTo(pauseId)).toEqual({ outcome: 'accepted' });

    expect(await s.change({ kind: 'cancel', atPeriodEnd: false })).toEqual({ outcome: 'accepted' });
    const done = await s.finished(10_000);
    expect(done).toMatchObject({ status: 'cancelled', cancellation_reason: 'requested' });
    expect(s.double.creates().map((c) => c.period)).toEqual([0, k]);
    // Timers, signals and activities of both runs replay as they ran.
    for (const run of await s.runs()) await s.replay(run.runId);
    expect(s.double.notices().filter((t) => t.startsWith('subscription.'))).toEqual([
      'subscription.created',
      'subscription.paused',
      'subscription.resumed',
      'subscription.cancelled',
    ]);
  });

  it('pausing cancels the open invoice at Ping', async () => {
    const s = await harness.startSubscription({ interval: 'PT20S', dueAfter: 'PT10S' });
    await s.waitFor('invoice', (x) => x.invoices.length === 1);
    expect(await s.change({ kind: 'pause' })).toEqual({ outcome: 'accepted' });
    const paused = await s.waitFor('invoice cancelled', (x) => x.invoices[0]?.status === 'cancelled');
    expect(paused.status).toBe('paused');
    expect(s.double.callsOf('cancelSubscriptionInvoice').map((c) => c.args)).toEqual([{ paymentId: subscriptionPaymentId(MERCHANT, s.id, 0) }]);
    // Ping's echo of the cancel is no news.
    await s.invoiceChanged({ paymentId: subscriptionPaymentId(MERCHANT, s.id, 0), status: 'cancelled', at: new Date().toISOString() });
    expect(await s.change({ kind: 'cancel', atPeriodEnd: false })).toEqual({ outcome: 'accepted' });
    const done = await s.finished(10_000);
    expect(done).toMatchObject({ status: 'cancelled', cancellation_reason: 'requested' });
    expect(s.double.callsOf('cancelSubscriptionInvoice')).toHaveLength(1);
  });

  it('cancelled now: the open invoice is cancelled at Ping, the workflow ends, and a second cancel is refused', async () => {
    const s = await harness.startSubscription({ interval: 'PT20S', dueAfter: 'PT10S' });
    await s.waitFor('invoice', (x) => x.invoices.length === 1);
    let release!: () => void;
    s.double.holds.set('cancelSubscriptionInvoice', new Promise<void>((resolve) => (release = resolve)));
    expect(await s.change({ kind: 'cancel', atPeriodEnd: false })).toEqual({ outcome: 'accepted' });
    expect(await s.change({ kind: 'cancel', atPeriodEnd: true })).toMatchObject({ outcome: 'refused', type: SUBSCRIPTION_FINAL });
    expect(await s.change({ kind: 'pause' })).toMatchObject({ outcome: 'refused', type: SUBSCRIPTION_FINAL });
    release();
    const done = await s.finished(10_000);
    expect(done).toMatchObject({ status: 'cancelled', cancellation_reason: 'requested' });
    expect(done.invoices.map((i) => i.status)).toEqual(['cancelled']);
    expect(s.double.callsOf('cancelSubscriptionInvoice').map((c) => c.args)).toEqual([{ paymentId: subscriptionPaymentId(MERCHANT, s.id, 0) }]);
    expect(s.double.notices()).toEqual(['subscription.created', 'invoice.created', 'invoice.cancelled', 'subscription.cancelled']);
  });

  it('cancelled at period end: no further invoice, cancelled when the period ends', async () => {
    const s = await harness.startSubscription({ interval: 'PT3S', autopay: true });
    await s.waitFor('first invoice paid', (x) => x.invoices[0]?.status === 'paid');
    expect(await s.change({ kind: 'cancel', atPeriodEnd: true })).toEqual({ outcome: 'accepted' });
    expect(await s.change({ kind: 'cancel', atPeriodEnd: true })).toEqual({ outcome: 'repeat' });
    expect((await s.current()).cancel_at_period_end).toBe(true);
    const done = await s.finished(10_000);
    expect(done).toMatchObject({ status: 'cancelled', cancellation_reason: 'requested', cancel_at_period_end: true });
    expect(s.double.creates()).toHaveLength(1);
    expect(s.double.callsOf('cancelSubscriptionInvoice')).toHaveLength(0);
    expect(s.double.callsOf('notifySubscriptionEvent').at(-1)!.atMs).toBeGreaterThanOrEqual(s.input.startAtMs + 3000 - SLACK_MS);
    expect(s.double.notices().at(-1)).toBe('subscription.cancelled');
  });

  it('bills new items from the next period, and ends after the last period before end.at', async () => {
    const s = await harness.startSubscription({ interval: 'PT2S', autopay: true, end: { at: Date.now() + 6_000 } });
    await s.double.waitForCalls('createSubscriptionInvoice', 1);
    const premium = [{ description: 'Pizza club premium', merchant_id: 'merchant-1', price: 15_000, quantity: 2, vat: 12 }];
    expect(await s.change({ kind: 'update_items', items: premium })).toEqual({ outcome: 'accepted' });
    const done = await s.finished(20_000);
    expect(done.status).toBe('ended');
    expect(s.double.creates().map((c) => c.items)).toEqual([PIZZA, premium, premium]);
    expect(done.invoices.map((i) => i.amount)).toEqual([19_900, 30_000, 30_000]);
    expect(done.items).toEqual(premium);
    expect(s.double.notices().at(-1)).toBe('subscription.ended');
    expect((await s.runs()).map((r) => r.status)).toEqual(['CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'COMPLETED']);
  });
});
