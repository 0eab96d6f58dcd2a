import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SubscriptionInput, SubscriptionResource, SubscriptionState } from '../domain/subscription';
import { periodBounds } from '../domain/subscriptionSchedule';
import { SubscriptionStatus } from '../domain/searchAttributes';
import { unsettled } from './subscriptionState';

/**
 * What support staff see of a subscription in the Web UI: "active, invoice 7 of ∞ due 2027-06-14,
 * reminder sent" as its current details, and its status in visibility (`SubscriptionStatus`, which
 * the API's list filters on), written only when it changed: continue-as-new carries it over.
 */
export function showSubscription(input: SubscriptionInput, sub: SubscriptionResource, state: SubscriptionState): void {
  if (workflowInfo().typedSearchAttributes.get(SubscriptionStatus)?.[0] !== sub.status) {
    upsertSearchAttributes([{ key: SubscriptionStatus, value: [sub.status] }]);
  }
  const parts: string[] = [sub.status.replace('_', ' ')];
  const invoice = sub.invoices.at(-1);
  if (invoice) {
    const where = unsettled(invoice) ? `due ${invoice.due_at.slice(0, 10)}` : invoice.status;
    parts.push(`invoice ${invoice.period + 1} of ${periodCount(input)} ${where}`);
    const reminders = state.remindersSent[invoice.id] ?? 0;
    if (unsettled(invoice) && reminders > 0) parts.push(reminders === 1 ? 'reminder sent' : `${reminders} reminders sent`);
  }
  if (sub.cancel_at_period_end && sub.status !== 'cancelled') parts.push('cancels at period end');
  if (sub.cancellation_reason) parts.push(sub.cancellation_reason);
  setCurrentDetails(parts.join(', '));
}

/** How many periods the subscription bills, "∞" without an end (or one too far to count). */
function periodCount(input: SubscriptionInput): string {
  const end = input.end;
  if (end?.after_periods !== undefined) return String(end.after_periods);
  if (end?.at === undefined) return '∞';
  for (let n = 0; n < 10_000; n += 1) {
    if (periodBounds(input.startAtMs, input.interval, n).startMs >= end.at) return String(n);
  }
  return '∞';
}
