import { allHandlersFinished, condition, continueAsNew, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { paymentLinkAmount } from '../domain/amount';
import type { RequestAnswer } from '../domain/messages';
import {
  HISTORY_KEPT,
  INVOICES_KEPT,
  subscriptionPaymentId,
  type SubscriptionEventType,
  type SubscriptionInput,
  type SubscriptionInvoice,
  type SubscriptionResource,
  type SubscriptionState,
} from '../domain/subscription';
import { invoiceChangedSignal, subscriptionAnswerQuery, subscriptionChangeSignal, subscriptionFingerprintQuery, subscriptionQuery, type InvoiceChange } from '../domain/subscriptionMessages';
import { dueAt, graceEnds, periodBounds, reminderTimes } from '../domain/subscriptionSchedule';
import { bestEffort, creates, musts } from './subscriptionActivityOptions';
import { decideChange } from './subscriptionChanges';
import { applyInvoiceChange } from './subscriptionInvoiceNews';
import { showSubscription } from './subscriptionDetails';
import { firstState, iso, nextWakeUp, unsettled } from './subscriptionState';

/** Answers kept for the API to read back, as for payments (workflows/messageHandlers.ts). */
const ANSWERS_KEPT = 50;

/**
 * One subscription (issue 16), for as long as it runs: a period at a time, on workflow timers.
 *
 * At each period start it creates the period's invoice (a payment link, through an activity), then,
 * while the invoice is unpaid, sends its reminders at their offsets from the due date, marks it
 * overdue at the due date (the subscription `past_due`) and, when the grace period ends unpaid, or
 * the invoice's payment ends without the money (expired, cancelled at Ping, failed), cancels the
 * subscription as `unpaid`. A payment during grace brings it back to `active`. Invoices may overlap
 * (a grace period longer than the rest of its period), so every unsettled invoice is followed.
 *
 * The events of one invoice always come in this order, each sent to the merchant as it happens:
 * `invoice.created`, then `invoice.paid` (and `subscription.active` when it was past due), or
 * `invoice.overdue`, `subscription.past_due` and, unpaid at the grace end, `subscription.cancelled`.
 * Reminders go into the history only (`invoice.reminder_sent`).
 *
 * The merchant's changes: cancel now (the unsettled invoices are cancelled at Ping), cancel at period
 * end and the configured end (the subscription closes at the next period boundary, once the last
 * invoice is settled: paid, or unpaid past its grace, which cancels it as `unpaid` instead), pause
 * (unsettled invoices are cancelled at Ping, none are created; resume restarts at the first period
 * boundary at or after the resume) and new items (the next invoice bills them). The workflow
 * continues as new at every period boundary, so a run's history holds one period.
 */
export async function subscription(input: SubscriptionInput): Promise<void> {
  const state: SubscriptionState = input.state ?? firstState(input);
  const sub = state.subscription;
  const answers = new Map<string, RequestAnswer>(state.answers);
  const inbox: InvoiceChange[] = [];
  const outbox: Array<{ eventId: string; type: SubscriptionEventType; subscription: SubscriptionResource }> = [];
  const wake = { signalled: false, cancelNow: false };

  const record = (type: SubscriptionEventType, detail?: string) => {
    sub.history.push({ type, at: iso(Date.now()), ...(detail === undefined ? {} : { detail }) });
    if (sub.history.length > HISTORY_KEPT) sub.history.splice(0, sub.history.length - HISTORY_KEPT);
    // The notice carries the subscription as it was when the event happened, not when it is sent.
    state.eventCount += 1;
    if (type !== 'invoice.reminder_sent') outbox.push({ eventId: `evt_${sub.id}_${state.eventCount}`, type, subscription: JSON.parse(JSON.stringify(sub)) as SubscriptionResource });
  };
  const answer = (requestId: string, outcome: RequestAnswer) => {
    answers.set(requestId, outcome);
    if (answers.size > ANSWERS_KEPT) answers.delete(answers.keys().next().value!);
  };
  if (!input.state) record('subscription.created');

  setHandler(subscriptionQuery, () => sub);
  setHandler(subscriptionFingerprintQuery, () => input.fingerprint);
  setHandler(subscriptionAnswerQuery, (requestId) => answers.get(requestId) ?? null);
  setHandler(invoiceChangedSignal, (change) => {
    // Applied by the main loop, never while a create is in flight: its invoice.created comes first.
    inbox.push(change);
    wake.signalled = true;
  });
  setHandler(subscriptionChangeSignal, (change) => {
    wake.signalled = true;
    // A signal delivered twice keeps its first answer.
    if (answers.has(change.requestId)) return;
    answer(change.requestId, decideChange(change, { sub, state, wake, record }));
  });

  const bounds = (n: number) => periodBounds(input.startAtMs, input.interval, n);
  const scheduleOf = (invoice: SubscriptionInvoice) => {
    const due = Date.parse(invoice.due_at);
    return { due, graceEnd: graceEnds(due, input.gracePeriod), reminders: reminderTimes(due, input.reminders) };
  };
  const isLastPeriodOver = (n: number) => {
    const end = input.end;
    if (end?.after_periods !== undefined) return n >= end.after_periods;
    if (end?.at !== undefined) return bounds(n).startMs >= end.at;
    return false;
  };

  const flush = async () => {
    const notifyUrl = input.notifyUrl;
    if (notifyUrl === undefined) return void outbox.splice(0);
    while (outbox.length > 0) {
      const notice = outbox.shift()!;
      try {
        await bestEffort.notifySubscriptionEvent({ url: notifyUrl, ...notice });
      } catch (err) {
        log.warn('subscription event not delivered', { subscriptionId: sub.id, type: notice.type, error: String(err) });
      }
    }
  };

  /** True when an invoice can no longer be paid (expired, or its payment ended without the money). */
  let lost = false;

  const cancelUnsettled = async () => {
    for (const invoice of sub.invoices.filter(unsettled)) {
      await musts.cancelSubscriptionInvoice({ paymentId: invoice.id });
      // Paid while the cancel was on its way: the payment's news, read next, wins.
      if (!unsettled(invoice)) continue;
      invoice.status = 'cancelled';
      delete state.remindersSent[invoice.id];
      record('invoice.cancelled', invoice.id);
    }
  };

  const close = async (status: 'cancelled' | 'ended', reason: 'unpaid' | 'requested' | null) => {
    sub.status = status;
    sub.cancellation_reason = reason;
    sub.next_invoice_at = null;
    record(status === 'ended' ? 'subscription.ended' : 'subscription.cancelled', reason ?? undefined);
    showSubscription(input, sub, state);
    await flush();
  };

  const createInvoice = async (n: number) => {
    const { startMs, endMs } = bounds(n);
    // An invoice made so late (the subscription's workers were down) that its grace period is over
    // already is due counted from now: a payer is never cancelled for an invoice they never had.
    const scheduledDueMs = dueAt(startMs, input.dueAfter);
    const dueMs = graceEnds(scheduledDueMs, input.gracePeriod) > Date.now() ? scheduledDueMs : dueAt(Date.now(), input.dueAfter);
    const paymentId = subscriptionPaymentId(input.merchant, input.id, n);
    const items = sub.items;
    const { checkoutUrl } = await creates.createSubscriptionInvoice({
      subscriptionId: input.id,
      merchant: input.merchant,
      period: n,
      paymentId,
      items,
      currency: input.currency,
      dueAtMs: dueMs,
      expiresAtMs: graceEnds(dueMs, input.gracePeriod),
      template: input.invoiceTemplate,
    });
    sub.invoices.push({ id: paymentId, period: n, amount: paymentLinkAmount({ items }), currency: input.currency, status: 'open', due_at: iso(dueMs), checkout_url: checkoutUrl });
    // Only settled invoices are forgotten: the unsettled ones are still followed.
    while (sub.invoices.length > INVOICES_KEPT) {
      const index = sub.invoices.findIndex((i) => !unsettled(i));
      if (index < 0) break;
      sub.invoices.splice(index, 1);
    }
    state.remindersSent[paymentId] = 0;
    sub.current_period = { index: n, start: iso(startMs), end: iso(endMs) };
    state.nextPeriod = n + 1;
    record('invoice.created', paymentId);
  };

  let boundariesThisRun = 0;
  for (;;) {
    wake.signalled = false;
    await flush();
    if (wake.cancelNow) {
      await cancelUnsettled();
      return await close('cancelled', 'requested');
    }
    for (const change of inbox.splice(0)) if (applyInvoiceChange(change, { sub, state, record })) lost = true;

    const now = Date.now();
    for (const invoice of sub.invoices.filter(unsettled)) {
      const { due, graceEnd, reminders } = scheduleOf(invoice);
      if (now >= graceEnd) {
        invoice.status = 'expired';
        delete state.remindersSent[invoice.id];
        lost = true;
        continue;
      }
      // Reminders before the due date first, then the due date, then the reminders after it.
      while (unsettled(invoice) && (state.remindersSent[invoice.id] ?? 0) < reminders.length && reminders[state.remindersSent[invoice.id] ?? 0]! <= now) {
        const at = reminders[state.remindersSent[invoice.id] ?? 0]!;
        if (invoice.status === 'open' && at >= due) markOverdue(invoice);
        try {
          await bestEffort.remindSubscriptionInvoice({ paymentId: invoice.id });
          record('invoice.reminder_sent', invoice.id);
        } catch (err) {
          log.warn('subscription reminder not sent', { paymentId: invoice.id, error: String(err) });
        }
        state.remindersSent[invoice.id] = (state.remindersSent[invoice.id] ?? 0) + 1;
      }
      if (invoice.status === 'open' && now >= due) markOverdue(invoice);
    }
    if (lost) {
      // Nothing else of the subscription may be billed once it is over.
      await cancelUnsettled();
      return await close('cancelled', 'unpaid');
    }
    if (wake.signalled) continue;

    if (sub.status === 'paused') {
      if (sub.invoices.some(unsettled)) {
        await cancelUnsettled();
        continue;
      }
      // No period runs while paused: its end has come.
      if (sub.cancel_at_period_end) return await close('cancelled', 'requested');
    } else if (!state.closing) {
      if (state.resumedAtMs !== null) {
        while (bounds(state.nextPeriod).startMs < state.resumedAtMs) state.nextPeriod += 1;
        state.resumedAtMs = null;
      }
      if (now >= bounds(state.nextPeriod).startMs) {
        if (sub.cancel_at_period_end) state.closing = 'cancelled';
        else if (isLastPeriodOver(state.nextPeriod)) state.closing = 'ended';
        else if (boundariesThisRun > 0 || workflowInfo().continueAsNewSuggested) {
          await condition(allHandlersFinished);
          // News that came in meanwhile is read first: the next run would not hear of it.
          if (inbox.length > 0 || outbox.length > 0 || wake.cancelNow) continue;
          showSubscription(input, sub, state);
          return await continueAsNew<typeof subscription>({ ...input, state: { ...state, answers: [...answers] } });
        } else {
          await createInvoice(state.nextPeriod);
          boundariesThisRun += 1;
          continue;
        }
      }
    }
    if (state.closing && !sub.invoices.some(unsettled)) {
      return await close(state.closing, state.closing === 'cancelled' ? 'requested' : null);
    }

    sub.next_invoice_at = sub.status === 'paused' || state.closing ? null : iso(bounds(state.nextPeriod).startMs);
    showSubscription(input, sub, state);
    const next = nextWakeUp(sub, state, scheduleOf, bounds(state.nextPeriod).startMs);
    if (next === undefined) await condition(() => wake.signalled);
    else await condition(() => wake.signalled, Math.max(1, next - Date.now()));
  }

  function markOverdue(invoice: SubscriptionInvoice) {
    invoice.status = 'overdue';
    record('invoice.overdue', invoice.id);
    if (sub.status === 'active') {
      sub.status = 'past_due';
      record('subscription.past_due');
    }
  }
}
