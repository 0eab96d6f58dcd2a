import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Response } from 'express';
import type { MerchantAuth } from '../domain/merchant';
import type { RequestAnswer } from '../domain/messages';
import { SUBSCRIPTION_ID_PATTERN, subscriptionWorkflowId, type SubscriptionResource } from '../domain/subscription';
import { mapAtMost } from './mapAtMost';
import {
  SUBSCRIPTION_FINAL,
  SUBSCRIPTION_NOT_PAUSED,
  subscriptionAnswerQuery,
  subscriptionChangeSignal,
  subscriptionQuery,
  type SubscriptionChange,
} from '../domain/subscriptionMessages';
import { askWorkflow, RequestRefused } from './askPayment';
import { ApiError } from './errors';
import { listCursors, listedIds, listPage, quoted } from './listCursors';
import { base32 } from './merchantIds';
import { patiently } from './merchants';
import { actingMerchant } from './principal';

/** What the subscription routes share (api/routes/subscriptions.ts; issue 16). */

const WORKFLOW_PREFIX = subscriptionWorkflowId('');
/** Subscriptions of a list page read at once: each is a query to its workflow (as merchants are read). */
const LIST_READS_AT_ONCE = 8;

/**
 * The subscription's id. With an Idempotency-Key it comes from the SHA-256 of the merchant and the
 * key, so a retried create lands on the same workflow, and two merchants' equal keys are two
 * subscriptions; without one it is random.
 */
export function subscriptionIdFor(merchantId: string, idempotencyKey: string | undefined): string {
  const source = idempotencyKey === undefined ? randomBytes(13) : createHash('sha256').update(`${merchantId}\n${idempotencyKey}`).digest();
  return `sub_${base32(source).slice(0, 20)}`;
}

export const subscriptionNotFound = (id: string) => new ApiError(404, 'invalid_request_error', 'resource_missing', `No such subscription: ${id}`, 'id');

/** A handle on a subscription's workflow; ids that cannot be ours are 404 without asking Temporal. */
export function subscriptionHandle(client: Client, id: string): WorkflowHandle {
  if (!SUBSCRIPTION_ID_PATTERN.test(id)) throw subscriptionNotFound(id);
  return client.workflow.getHandle(subscriptionWorkflowId(id));
}

/** The subscription as its workflow has it now; a workflow started a moment ago is given a few seconds to answer. */
export async function readSubscription(client: Client, id: string, patienceMs = 5_000): Promise<SubscriptionResource> {
  const handle = subscriptionHandle(client, id);
  try {
    return await patiently(() => handle.query(subscriptionQuery), patienceMs);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw subscriptionNotFound(id);
    throw err;
  }
}

/**
 * A request confined to a merchant (its key, or a platform key with On-Behalf-Of) reaches that
 * merchant's subscriptions only: another's answers exactly as an unknown id. The id does not name
 * its merchant (unlike a payment's), so the subscription is read first; a platform key without
 * On-Behalf-Of reaches every subscription.
 */
export function confineSubscription(res: Response, subscription: SubscriptionResource): SubscriptionResource {
  const merchant = actingMerchant(res);
  if (merchant && merchant.merchantId !== subscription.merchant) throw subscriptionNotFound(subscription.id);
  return subscription;
}

/** `readSubscription`, confined to the request's merchant. */
export async function readOwnSubscription(client: Client, res: Response, id: string): Promise<SubscriptionResource> {
  return confineSubscription(res, await readSubscription(client, id));
}

/** What bills money needs a merchant: its key, or a platform key with On-Behalf-Of. */
export function requireMerchant(res: Response): MerchantAuth {
  const merchant = actingMerchant(res);
  if (!merchant) {
    throw new ApiError(400, 'invalid_request_error', 'merchant_required', 'A subscription bills one merchant: use its key, or send On-Behalf-Of: <merchant id> with a platform key', 'On-Behalf-Of');
  }
  return merchant;
}

type WithoutRequestId<T> = T extends unknown ? Omit<T, 'requestId'> : never;

/**
 * Sends a change to the subscription's workflow under a new request id and waits for its answer (the
 * exchange of api/askPayment.ts). The caller has checked the subscription is the request's to change.
 * Refusals are 409s; a subscription whose workflow has closed (cancelled or ended) takes no change.
 */
export async function askSubscription(client: Client, id: string, change: WithoutRequestId<SubscriptionChange>): Promise<Exclude<RequestAnswer, { outcome: 'refused' }>> {
  const handle = subscriptionHandle(client, id);
  try {
    return await askWorkflow(handle, subscriptionChangeSignal, { ...change, requestId: randomUUID() } as SubscriptionChange, {
      answerQuery: subscriptionAnswerQuery,
      withinMs: 10_000,
      busy: () => new ApiError(503, 'api_error', 'subscription_busy', 'The subscription did not answer in time; the change may still be made, so read the subscription before you retry'),
    });
  } catch (err) {
    if (err instanceof RequestRefused) {
      if (err.type === SUBSCRIPTION_FINAL) throw new ApiError(409, 'invalid_request_error', 'subscription_final', err.message);
      if (err.type === SUBSCRIPTION_NOT_PAUSED) throw new ApiError(409, 'invalid_request_error', 'subscription_not_paused', err.message);
      throw new ApiError(409, 'invalid_request_error', 'subscription_change_refused', err.message);
    }
    if (err instanceof WorkflowNotFoundError) {
      // A closed workflow is a subscription that is over; a missing one is unknown (404).
      const subscription = await readSubscription(client, id);
      throw new ApiError(409, 'invalid_request_error', 'subscription_final', `The subscription is already ${subscription.status}`);
    }
    throw err;
  }
}


export interface SubscriptionListQuery {
  status?: string;
  merchant_reference?: string;
  limit: number;
  cursor?: string;
}

/**
 * A page of subscriptions, newest first: Temporal visibility (`WorkflowType = 'subscription'` on this
 * deployment's task queue, `SubscriptionStatus` as the workflow keeps it, `MerchantReference`, and
 * for a merchant its `MerchantId`), each row the whole subscription read from its workflow. The
 * cursor is MACed over the query (api/listCursors.ts), so it cannot widen a merchant's list.
 */
export function subscriptionLister(client: Client, taskQueue: string, cursorSecret: string | undefined) {
  const cursors = listCursors(cursorSecret);
  return async (res: Response, q: SubscriptionListQuery) => {
    const clauses = [`WorkflowType = 'subscription'`, `TaskQueue = ${quoted(taskQueue)}`];
    if (q.status) clauses.push(`SubscriptionStatus = ${quoted(q.status)}`);
    if (q.merchant_reference) clauses.push(`MerchantReference = ${quoted(q.merchant_reference)}`);
    const merchant = actingMerchant(res);
    if (merchant) clauses.push(`MerchantId = ${quoted(merchant.merchantId)}`);
    return listPage(client, cursors, clauses.join(' AND '), q, (executions) =>
      mapAtMost(
        listedIds(executions, WORKFLOW_PREFIX).filter((id) => SUBSCRIPTION_ID_PATTERN.test(id)),
        LIST_READS_AT_ONCE,
        (id) => readSubscription(client, id),
      ),
    );
  };
}
