import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { RequestAnswer } from './messages';
import type { LinkItem } from './requests';
import type { SubscriptionResource } from './subscription';

/**
 * The messages of the subscription workflow, defined once. As for payments and merchants, every
 * change is a signal with a request id, answered under that id (`subscriptionAnswerQuery`);
 * domain/messages.ts says why these are not updates.
 */

interface Request {
  /** A new UUID per HTTP request. */
  requestId: string;
}

export type SubscriptionChange =
  | (Request & { kind: 'cancel'; atPeriodEnd: boolean })
  | (Request & { kind: 'pause' })
  | (Request & { kind: 'resume' })
  | (Request & { kind: 'update_items'; items: LinkItem[] });

/** Why the workflow refused a change (`RequestAnswer.type`), for the API to map to an HTTP answer. */
export const SUBSCRIPTION_FINAL = 'SubscriptionFinal';
/** A resume of a subscription that is not paused. */
export const SUBSCRIPTION_NOT_PAUSED = 'SubscriptionNotPaused';

/**
 * From an invoice's payment workflow, when its payment ends. Sent at least once and in no promised
 * order: the subscription takes the first final word on an invoice and ignores the rest.
 */
export interface InvoiceChange {
  paymentId: string;
  status: 'paid' | 'expired' | 'cancelled' | 'failed';
  /** ISO instant at the payment; kept as the event's detail, the workflow's own clock orders the history. */
  at: string;
}

export const subscriptionChangeSignal = defineSignal<[SubscriptionChange]>('subscriptionChange');
export const invoiceChangedSignal = defineSignal<[InvoiceChange]>('invoiceChanged');

export const subscriptionQuery = defineQuery<SubscriptionResource>('subscription');
/** The create request's fingerprint: a retried create with the same key must carry the same body. */
export const subscriptionFingerprintQuery = defineQuery<string>('subscriptionFingerprint');
export const subscriptionAnswerQuery = defineQuery<RequestAnswer | null, [string]>('subscriptionAnswer');
