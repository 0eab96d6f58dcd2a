import type { RequestAnswer } from './messages';
import type { Currency } from './payment';
import type { LinkItem } from './requests';
import type { DurationInput } from './subscriptionSchedule';

// A subscription (issue 16): the resource the API shows and the subscription workflow holds, its
// input, and the activities the workflow calls. Types only, so the API, the activities and the
// workflow share one contract.

export type SubscriptionStatus = 'active' | 'past_due' | 'paused' | 'cancelled' | 'ended';

/**
 * `open` until paid or due, `overdue` past its due date, then `paid`, `expired` (the grace period
 * ended unpaid), `cancelled` (by the subscription, or at Ping) or `failed` (its payment failed).
 */
export type InvoiceStatus = 'open' | 'overdue' | 'paid' | 'expired' | 'cancelled' | 'failed';

export interface SubscriptionInvoice {
  /** The payment id of the invoice's payment link (`GET /v1/payments/:id`). */
  id: string;
  period: number;
  /** Minor units. */
  amount: number;
  currency: Currency;
  status: InvoiceStatus;
  due_at: string;
  checkout_url: string | null;
}

/** The history's events; every type but `invoice.reminder_sent` is also sent to the merchant. */
export type SubscriptionEventType =
  | 'subscription.created'
  | 'invoice.created'
  | 'invoice.reminder_sent'
  | 'invoice.paid'
  | 'invoice.overdue'
  | 'invoice.cancelled'
  | 'subscription.past_due'
  | 'subscription.active'
  | 'subscription.updated'
  | 'subscription.paused'
  | 'subscription.resumed'
  | 'subscription.cancelled'
  | 'subscription.ended';

export interface SubscriptionEvent {
  type: SubscriptionEventType;
  at: string;
  detail?: string;
}

export interface SubscriptionResource {
  id: string;
  object: 'subscription';
  merchant: string;
  status: SubscriptionStatus;
  /** The last period invoiced; null before the first period starts. */
  current_period: { index: number; start: string; end: string } | null;
  /** Null while paused, once closing (end reached, cancel at period end) and once final. */
  next_invoice_at: string | null;
  /** The latest invoices, oldest first (at most `INVOICES_KEPT`). */
  invoices: SubscriptionInvoice[];
  cancel_at_period_end: boolean;
  cancellation_reason: 'unpaid' | 'requested' | null;
  /** The schedule as asked for (ISO 8601 durations; `end.at` an instant). */
  interval: string;
  start_at: string;
  due_after: string;
  grace_period: string;
  reminders: string[];
  end: { after_periods?: number; at?: string } | null;
  merchant_reference: string | null;
  metadata: Record<string, string>;
  /** What the next invoice bills: a change applies from the next period on. */
  items: LinkItem[];
  currency: Currency;
  created_at: string;
  /** The latest events, oldest first (at most `HISTORY_KEPT`). */
  history: SubscriptionEvent[];
}

/** Enough to show a year of monthly invoices; older ones are settled and live on as their payments. */
export const INVOICES_KEPT = 24;
/** A bound on the state continue-as-new carries; the merchant's receiver has had every event. */
export const HISTORY_KEPT = 100;

export interface SubscriptionInput {
  /** `sub_…`. */
  id: string;
  merchant: string;
  /** Hash of the create request: a retry with the same Idempotency-Key must carry the same body. */
  fingerprint: string;
  /** Where the subscription's events go (and each invoice's payment events: it is in the template too). */
  notifyUrl?: string;
  merchantReference?: string;
  metadata?: Record<string, string>;
  interval: DurationInput;
  startAtMs: number;
  dueAfter: DurationInput;
  /** Offsets from the due date (`-P3D`, `P1D`). */
  reminders: DurationInput[];
  gracePeriod: DurationInput;
  /** `at` in epoch ms. */
  end: { at?: number; after_periods?: number } | null;
  items: LinkItem[];
  currency: Currency;
  /**
   * What else each invoice's payment link needs (customer, locale, distribution, supplier...),
   * handed to the create activity untouched: the workflow decides only when and what to bill.
   */
  invoiceTemplate: Record<string, unknown>;
  /** Carried over by continue-as-new; absent on the first run. */
  state?: SubscriptionState;
}

/** Where the workflow stands, so continue-as-new can hand it to the next run. */
export interface SubscriptionState {
  subscription: SubscriptionResource;
  answers: Array<[string, RequestAnswer]>;
  /** The first period not invoiced yet. */
  nextPeriod: number;
  /** Reminders already sent, by invoice id (only for invoices still being followed). */
  remindersSent: Record<string, number>;
  /** The last period has ended (the end, or a cancel at period end): no further invoice. */
  closing: 'ended' | 'cancelled' | null;
  /** When the last resume came (workflow time), for the period it restarts from. */
  resumedAtMs: number | null;
  /** Events recorded so far, in all runs: numbers each event's id. */
  eventCount: number;
}

export interface CreateSubscriptionInvoice {
  subscriptionId: string;
  merchant: string;
  period: number;
  /** Deterministic (`subscriptionPaymentId`): the activity creates the link idempotently under it. */
  paymentId: string;
  items: LinkItem[];
  currency: Currency;
  dueAtMs: number;
  /** The grace period's end: the link's due date at Ping, which expires it then. */
  expiresAtMs: number;
  template: Record<string, unknown>;
}

/** One event for the merchant's receiver; `url` is the subscription's notify_url. */
export interface SubscriptionNotice {
  url: string;
  /** The same for every delivery attempt of one event (`evt_<sub id>_<n>`), so the merchant can drop duplicates. */
  eventId: string;
  type: SubscriptionEventType;
  subscription: SubscriptionResource;
}

/** The activities the subscription workflow calls; the names are the activity types. */
export interface SubscriptionActivities {
  createSubscriptionInvoice(args: CreateSubscriptionInvoice): Promise<{ checkoutUrl: string | null }>;
  remindSubscriptionInvoice(args: { paymentId: string }): Promise<void>;
  cancelSubscriptionInvoice(args: { paymentId: string }): Promise<void>;
  notifySubscriptionEvent(args: SubscriptionNotice): Promise<void>;
}

/** `sub_` and 20 characters of lower-case base-32 (100 bits), as a merchant's `mer_…` id. */
export const SUBSCRIPTION_ID_PATTERN = /^sub_[a-z2-7]{20}$/;

export function subscriptionWorkflowId(id: string): string {
  return `subscription-${id}`;
}

/** The same id for the same period in every run and attempt: a retried create never makes a second link. */
export function subscriptionPaymentId(merchant: string, id: string, period: number): string {
  return `payment-link-${merchant}.${id}-p${period}`;
}
