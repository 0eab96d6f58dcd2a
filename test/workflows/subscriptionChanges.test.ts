import { randomUUID } from 'node:crypto';
import { PIZZA, SubscriptionHarness } from './subscriptionHarness';

/**
 * Issue 16's merchant changes over a long run: 24-period subscriptions with two-second periods,
 * paid at once by activity doubles, paused and resumed, and given new items then cancelled at the
 * end of their 24th period.
 */
describe('subscription workflow over 24 periods: the merchant changes it', () => {
  let harness: SubscriptionHarness;
  beforeAll(async () => {
    harness = await SubscriptionHarness.start();
  });
  afterAll(() => harness?.stop());

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const PERIOD_MS = 2000;

  it('paused after the 6th invoice and resumed 5 s later: no invoice while paused, the periods from the resume on, ended after period 24', async () => {
    const s = await harness.startSubscription({ interval: 'PT2S', autopay: true, end: { after_periods: 24 } });
    await s.waitFor('six invoices', (x) => x.invoices.length === 6);
    expect(await s.change({ kind: 'pause' })).toEqual({ outcome: 'accepted' });
    const pausedAt = Date.now();
    const before = (await s.current()).invoices.map((i) => i.period);
    await pause(5_000);
    const resumedAt = Date.now();
    expect(await s.change({ kind: 'resume' })).toEqual({ outcome: 'accepted' });
    const done = await s.finished(70_000);

    expect(done.status).toBe('ended');
    const periods = s.double.creates().map((c) => c.period);
    const k = periods[before.length]!;
    // Resumed at the first period boundary at or after the resume; the periods while paused are skipped.
    expect(s.input.startAtMs + k * PERIOD_MS).toBeGreaterThanOrEqual(resumedAt - 50);
    expect(s.input.startAtMs + (k - 1) * PERIOD_MS).toBeLessThan(resumedAt + 1000);
    expect(periods).toEqual([...before, ...Array.from({ length: 24 - k }, (_, i) => k + i)]);
    expect(s.double.callsOf('createSubscriptionInvoice').filter((c) => c.atMs > pausedAt + 100 && c.atMs < resumedAt)).toHaveLength(0);
    expect(done.invoices.every((i) => i.status === 'paid')).toBe(true);
    expect(s.double.notices().filter((t) => t.startsWith('subscription.'))).toEqual(['subscription.created', 'subscription.paused', 'subscription.resumed', 'subscription.ended']);
  }, 90_000);

  it('bills new items from the invoice after the change, and cancelled at period end in its 24th period bills nothing more', async () => {
    const s = await harness.startSubscription({ interval: 'PT2S', autopay: true });
    await s.waitFor('the 12th invoice', (x) => x.invoices.some((i) => i.period === 11), 40_000);
    const premium = [{ description: 'Pizza club premium', merchant_id: 'merchant-1', price: 15_000, quantity: 2, vat: 12 }];
    expect(await s.change({ kind: 'update_items', items: premium })).toEqual({ outcome: 'accepted' });
    const changedAt = Date.now();
    await s.waitFor('the 24th invoice', (x) => x.invoices.some((i) => i.period === 23), 40_000);
    const cancelId = randomUUID();
    expect(await s.change({ kind: 'cancel', atPeriodEnd: true }, cancelId)).toEqual({ outcome: 'accepted' });
    const last = Math.max(...(await s.current()).invoices.map((i) => i.period));
    const done = await s.finished(20_000);

    expect(done).toMatchObject({ status: 'cancelled', cancellation_reason: 'requested', cancel_at_period_end: true });
    const creates = s.double.creates();
    expect(creates.map((c) => c.period)).toEqual([...Array(last + 1).keys()]);
    // Items switch once, at the first invoice created after the change was answered.
    const switchAt = creates.findIndex((c) => c.items[0]!.description !== PIZZA[0]!.description);
    expect(switchAt).toBeGreaterThanOrEqual(12);
    expect(creates.slice(0, switchAt).every((c) => c.items[0]!.description === PIZZA[0]!.description)).toBe(true);
    expect(creates.slice(switchAt).every((c) => c.items[0]!.description === 'Pizza club premium')).toBe(true);
    expect(s.double.callsOf('createSubscriptionInvoice')[switchAt - 1]!.atMs).toBeLessThanOrEqual(changedAt);
    expect(s.double.callsOf('createSubscriptionInvoice')[switchAt]!.atMs).toBeGreaterThanOrEqual(changedAt - PERIOD_MS);
    expect(done.invoices.filter((i) => i.period >= switchAt).every((i) => i.amount === 30_000)).toBe(true);
    // Cancelled when the last billed period ended, not before.
    expect(s.double.callsOf('notifySubscriptionEvent').at(-1)!.atMs).toBeGreaterThanOrEqual(s.input.startAtMs + (last + 1) * PERIOD_MS - 50);
    expect(s.double.notices().filter((t) => t.startsWith('subscription.'))).toEqual(['subscription.created', 'subscription.updated', 'subscription.updated', 'subscription.cancelled']);
    expect(await s.answerTo(cancelId)).toEqual({ outcome: 'accepted' });
  }, 90_000);
});
