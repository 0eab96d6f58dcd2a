import type { RequestAnswer } from '../domain/messages';
import type { SubscriptionEventType, SubscriptionResource, SubscriptionState } from '../domain/subscription';
import { SUBSCRIPTION_FINAL, SUBSCRIPTION_NOT_PAUSED, type SubscriptionChange } from '../domain/subscriptionMessages';

export interface ChangeContext {
  sub: SubscriptionResource;
  state: SubscriptionState;
  /** Set by a cancel now; the main loop carries it out (the open invoices are cancelled at Ping). */
  wake: { cancelNow: boolean };
  record(type: SubscriptionEventType, detail?: string): void;
}

/**
 * The merchant's change, checked as an update's validator would check it and applied at once where
 * no activity is needed; the answer goes back to the API under the request's id.
 */
export function decideChange(change: SubscriptionChange, { sub, state, wake, record }: ChangeContext): RequestAnswer {
  if (sub.status === 'cancelled' || sub.status === 'ended' || wake.cancelNow) {
    return { outcome: 'refused', type: SUBSCRIPTION_FINAL, message: `The subscription is already ${wake.cancelNow ? 'cancelled' : sub.status}` };
  }
  const noFurtherPeriod = { outcome: 'refused', type: SUBSCRIPTION_FINAL, message: 'The subscription has had its last period' } as const;
  switch (change.kind) {
    case 'cancel':
      if (!change.atPeriodEnd) {
        wake.cancelNow = true;
        return { outcome: 'accepted' };
      }
      if (sub.cancel_at_period_end) return { outcome: 'repeat' };
      if (state.closing) return noFurtherPeriod;
      sub.cancel_at_period_end = true;
      record('subscription.updated', 'cancel_at_period_end');
      return { outcome: 'accepted' };
    case 'pause':
      if (state.closing) return noFurtherPeriod;
      if (sub.status === 'paused') return { outcome: 'repeat' };
      sub.status = 'paused';
      state.resumedAtMs = null;
      record('subscription.paused');
      return { outcome: 'accepted' };
    case 'resume':
      if (sub.status !== 'paused') return { outcome: 'refused', type: SUBSCRIPTION_NOT_PAUSED, message: `The subscription is ${sub.status}, not paused` };
      // Pausing cancelled every unsettled invoice: nothing is owed.
      sub.status = 'active';
      state.resumedAtMs = Date.now();
      record('subscription.resumed');
      return { outcome: 'accepted' };
    case 'update_items':
      if (state.closing) return noFurtherPeriod;
      sub.items = change.items;
      record('subscription.updated', 'items');
      return { outcome: 'accepted' };
  }
}
