import { formatDuration } from '../domain/isoDuration';
import type { SubscriptionInput, SubscriptionInvoice, SubscriptionResource, SubscriptionState } from '../domain/subscription';
import type { DurationInput } from '../domain/subscriptionSchedule';

export const iso = (ms: number) => new Date(ms).toISOString();

/** An invoice still followed: open, or overdue within its grace period. */
export const unsettled = (invoice: SubscriptionInvoice) => invoice.status === 'open' || invoice.status === 'overdue';

const text = (d: DurationInput) => (typeof d === 'string' ? d : formatDuration(d));

/** The state of the first run: the subscription as the API first shows it. */
export function firstState(input: SubscriptionInput): SubscriptionState {
  return {
    subscription: {
      id: input.id,
      object: 'subscription',
      merchant: input.merchant,
      status: 'active',
      current_period: null,
      next_invoice_at: iso(input.startAtMs),
      invoices: [],
      cancel_at_period_end: false,
      cancellation_reason: null,
      interval: text(input.interval),
      start_at: iso(input.startAtMs),
      due_after: text(input.dueAfter),
      grace_period: text(input.gracePeriod),
      reminders: input.reminders.map(text),
      end: input.end === null ? null : input.end.at !== undefined ? { at: iso(input.end.at) } : { after_periods: input.end.after_periods },
      merchant_reference: input.merchantReference ?? null,
      metadata: input.metadata ?? {},
      items: input.items,
      currency: input.currency,
      created_at: iso(Date.now()),
      history: [],
    },
    answers: [],
    nextPeriod: 0,
    remindersSent: {},
    closing: null,
    resumedAtMs: null,
    eventCount: 0,
  };
}

export interface InvoiceSchedule {
  due: number;
  graceEnd: number;
  reminders: number[];
}

/** The earliest instant the workflow has something to do at; undefined when only a signal can move it. */
export function nextWakeUp(
  sub: SubscriptionResource,
  state: SubscriptionState,
  scheduleOf: (invoice: SubscriptionInvoice) => InvoiceSchedule,
  nextPeriodStartMs: number,
): number | undefined {
  const times: number[] = [];
  for (const invoice of sub.invoices.filter(unsettled)) {
    const { due, graceEnd, reminders } = scheduleOf(invoice);
    times.push(graceEnd);
    if (invoice.status === 'open') times.push(due);
    const sent = state.remindersSent[invoice.id] ?? 0;
    if (sent < reminders.length) times.push(reminders[sent]!);
  }
  if (sub.status !== 'paused' && !state.closing) times.push(nextPeriodStartMs);
  return times.length === 0 ? undefined : Math.min(...times);
}
