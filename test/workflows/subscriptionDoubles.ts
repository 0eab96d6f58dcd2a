import type { CreateSubscriptionInvoice, SubscriptionActivities, SubscriptionEventType, SubscriptionResource } from '../../domain/subscription';
import type { InvoiceChange } from '../../domain/subscriptionMessages';

/**
 * Test doubles for the subscription workflow's activities (their types in domain/subscription.ts):
 * one `SubscriptionDouble` per workflow, recording every call. With `autopay`, the double "pays"
 * each invoice as it is created, by the invoiceChanged signal a payment workflow would send, twice,
 * and before the create has answered: the workflow must take a duplicate and an early word alike.
 */
export type SubscriptionActivityName = keyof SubscriptionActivities;

export const SUBSCRIPTION_ACTIVITY_NAMES: readonly SubscriptionActivityName[] = [
  'createSubscriptionInvoice',
  'remindSubscriptionInvoice',
  'cancelSubscriptionInvoice',
  'notifySubscriptionEvent',
];

export interface SubscriptionCall {
  name: SubscriptionActivityName;
  args: unknown;
  /** When the double was called (ms), to check a call came at its time. */
  atMs: number;
}

/**
 * How the payer of one period's invoice behaves: pays at once (before the create has answered),
 * pays `afterMs` after the create (in the grace period, say), or never pays.
 */
export type PayerPlan = 'at_once' | { afterMs: number } | 'never';

export class SubscriptionDouble {
  readonly calls: SubscriptionCall[] = [];
  /** Signals the invoice's payment as paid right after each create. */
  autopay = false;
  /** Per period, overriding `autopay`. */
  payer?: (period: number) => PayerPlan;
  /** Calls of an activity wait for its promise here before they answer (a cancel held at Ping, say). */
  readonly holds = new Map<SubscriptionActivityName, Promise<void>>();

  constructor(private readonly signal: (change: InvoiceChange) => Promise<void>) {}

  async run(name: SubscriptionActivityName, args: unknown): Promise<unknown> {
    this.calls.push({ name, args, atMs: Date.now() });
    await this.holds.get(name);
    if (name === 'createSubscriptionInvoice') {
      const create = args as CreateSubscriptionInvoice;
      const plan = this.payer?.(create.period) ?? (this.autopay ? 'at_once' : 'never');
      const paid = (): InvoiceChange => ({ paymentId: create.paymentId, status: 'paid', at: new Date().toISOString() });
      if (plan === 'at_once') {
        await this.signal(paid());
        await this.signal(paid());
      } else if (plan !== 'never') {
        // The payer comes back later, as a payment workflow would report it.
        setTimeout(() => void this.signal(paid()).catch(() => undefined), plan.afterMs);
      }
      return { checkoutUrl: `https://checkout.ping.test/${create.paymentId}` };
    }
    return undefined;
  }

  creates(): CreateSubscriptionInvoice[] {
    return this.calls.filter((c) => c.name === 'createSubscriptionInvoice').map((c) => c.args as CreateSubscriptionInvoice);
  }

  callsOf(name: SubscriptionActivityName): SubscriptionCall[] {
    return this.calls.filter((c) => c.name === name);
  }

  /** The events the merchant was sent, in order. */
  notices(): SubscriptionEventType[] {
    return this.callsOf('notifySubscriptionEvent').map((c) => (c.args as { type: SubscriptionEventType }).type);
  }

  noticeSnapshots(): Array<{ type: SubscriptionEventType; subscription: SubscriptionResource }> {
    return this.callsOf('notifySubscriptionEvent').map((c) => c.args as { type: SubscriptionEventType; subscription: SubscriptionResource });
  }

  async waitForCalls(name: SubscriptionActivityName, count: number, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.callsOf(name).length < count) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${count} × ${name}; calls so far: ${this.calls.map((c) => c.name).join(', ') || 'none'}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
