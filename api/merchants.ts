import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../common/logger';
import { merchantSigningSecret } from '../common/merchantSigning';
import { MERCHANT_ID_PATTERN, merchantWorkflowId, type MerchantResource } from '../domain/merchant';
import { KEY_EXISTS, KEY_NOT_FOUND, merchantAnswerQuery, merchantChangeSignal, merchantQuery, TOO_MANY_KEYS, type MerchantChange } from '../domain/merchantMessages';
import type { RequestAnswer } from '../domain/messages';
import { askWorkflow, RequestRefused } from './askPayment';
import { ApiError } from './errors';
import { actorOf, principalOf } from './principal';
import { readUntil } from '../common/readUntil';

/** What the merchant routes share (api/routes/merchants.ts, api/routes/merchantApiKeys.ts). */

export const merchantNotFound = (id: string) => new ApiError(404, 'invalid_request_error', 'resource_missing', `No such merchant: ${id}`, 'id');

/** A handle on a merchant's workflow; ids that cannot be ours are 404 without asking Temporal. */
export function merchantHandle(client: Client, id: string): WorkflowHandle {
  if (!MERCHANT_ID_PATTERN.test(id)) throw merchantNotFound(id);
  return client.workflow.getHandle(merchantWorkflowId(id));
}

export async function readMerchant(client: Client, id: string): Promise<MerchantResource> {
  try {
    return await merchantHandle(client, id).query(merchantQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw merchantNotFound(id);
    throw err;
  }
}

/**
 * `read`, tried again on failure until `withinMs` has passed: a workflow started a moment ago may not
 * answer a query before its first task has run. A 404 or a missing workflow fails at once.
 */
export async function patiently<T>(read: () => Promise<T>, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  let pauseMs = 50;
  for (;;) {
    try {
      return await read();
    } catch (err) {
      if (err instanceof ApiError || err instanceof WorkflowNotFoundError || Date.now() + pauseMs >= deadline) throw err;
    }
    await sleep(pauseMs);
    pauseMs = Math.min(pauseMs * 1.5, 400);
  }
}

/** Reads the merchant until `done` holds or `withinMs` has passed (common/readUntil.ts), each read patient with a workflow just started. */
export function readMerchantUntil(client: Client, id: string, done: (merchant: MerchantResource) => boolean, withinMs: number): Promise<MerchantResource> {
  const deadline = Date.now() + withinMs;
  return readUntil(() => patiently(() => readMerchant(client, id), Math.max(0, deadline - Date.now())), done, withinMs);
}

/**
 * `router.param('id', confineMerchantId)`: ids that cannot be a merchant's are 404 at once, and a
 * request confined to a merchant (its key, or a platform key with On-Behalf-Of) reaches that
 * merchant only: another's id answers exactly as an unknown one, before Temporal is asked.
 */
export const confineMerchantId = (_req: Request, res: Response, next: (err?: unknown) => void, id: string): void => {
  if (!MERCHANT_ID_PATTERN.test(id)) return next(merchantNotFound(id));
  const acting = principalOf(res).merchant;
  if (acting && acting.merchantId !== id) return next(merchantNotFound(id));
  next();
};

/** For the platform's own operations (keys, signing secrets, new merchants, the list): a merchant's key is a 403. */
export const requirePlatformKey: RequestHandler = (_req, res, next) => {
  if (principalOf(res).kind !== 'platform') {
    return next(new ApiError(403, 'invalid_request_error', 'platform_key_required', 'This needs a platform API key; a merchant key cannot do it'));
  }
  next();
};

/** For operations on the platform's set of merchants (create, list): acting for one merchant makes no sense there. */
export const requirePlatformItself: RequestHandler = (req, res, next) => {
  requirePlatformKey(req, res, (err?: unknown) => {
    if (err) return next(err);
    if (principalOf(res).merchant) {
      return next(new ApiError(403, 'invalid_request_error', 'on_behalf_of_not_allowed', 'This acts on the platform\'s merchants as a whole; send it without On-Behalf-Of', 'On-Behalf-Of'));
    }
    next();
  });
};

/** The workflow's refusals (domain/merchantMessages.ts) as HTTP answers. */
const REFUSALS: Record<string, [number, string, string?]> = {
  [KEY_NOT_FOUND]: [404, 'resource_missing', 'key_id'],
  [KEY_EXISTS]: [409, 'api_key_exists'],
  [TOO_MANY_KEYS]: [409, 'too_many_api_keys'],
};

type WithoutRequestId<T> = T extends unknown ? Omit<T, 'requestId'> : never;

/**
 * Sends a change to the merchant's workflow and waits for its answer under a new request id (the
 * same exchange as a payment's, api/askPayment.ts). Refused changes are a 409; a merchant whose
 * workflow has ended takes none.
 */
export async function askMerchant(client: Client, id: string, change: WithoutRequestId<MerchantChange>): Promise<Exclude<RequestAnswer, { outcome: 'refused' }>> {
  const handle = merchantHandle(client, id);
  try {
    return await askWorkflow(handle, merchantChangeSignal, { ...change, requestId: randomUUID() } as MerchantChange, {
      answerQuery: merchantAnswerQuery,
      withinMs: 10_000,
      busy: () => new ApiError(503, 'api_error', 'merchant_busy', 'The merchant did not answer in time; the change may still be made, so read the merchant before you retry'),
    });
  } catch (err) {
    if (err instanceof RequestRefused) {
      const [status, code, param] = REFUSALS[err.type] ?? [409, 'merchant_change_refused'];
      throw new ApiError(status, 'invalid_request_error', code, err.message, param);
    }
    if (err instanceof WorkflowNotFoundError) {
      const merchant = await readMerchant(client, id);
      throw new ApiError(409, 'invalid_request_error', 'merchant_closed', `The merchant is ${merchant.status} and its record is closed; it takes no changes`);
    }
    throw err;
  }
}

/** A merchant Ping refused answers with Ping's reason (422), or 502 if Ping could not be reached (as payments do, api/payments.ts). */
export function merchantRefusedError(merchant: MerchantResource): ApiError | undefined {
  if (merchant.status !== 'failed' || !merchant.failure) return undefined;
  const unavailable = merchant.failure.code === 'ping_unavailable';
  return new ApiError(
    unavailable ? 502 : 422,
    unavailable ? 'api_error' : 'invalid_request_error',
    merchant.failure.code,
    `Ping Payments refused the merchant: ${merchant.failure.message}`,
    undefined,
    { merchant_id: merchant.id },
  );
}

export type AuditAction = 'merchant.created' | 'merchant.updated' | 'api_key.created' | 'api_key.revoked' | 'signing_secret.rotated';

/**
 * One structured line per change to a merchant, besides the event its workflow records: who (the key
 * id, never the key), what, and to which merchant. Log shippers pick them out by `audit: true`.
 */
export function audit(req: Request, res: Response, logger: Logger, action: AuditAction, merchantId: string, detail: Record<string, unknown> = {}): void {
  (req.log ?? logger).info({ audit: true, actor: actorOf(res), merchant: merchantId, action, ...detail }, `audit: ${action}`);
}

/** The merchant's current signing secret; 503 when this API process was given no NOTIFICATION_SIGNING_SECRET. */
export function signingSecretOf(notificationSigningSecret: string | undefined, merchantId: string, version: number): string {
  if (notificationSigningSecret === undefined) throw signingUnavailable();
  return merchantSigningSecret(notificationSigningSecret, merchantId, version);
}

export const signingUnavailable = () =>
  new ApiError(503, 'api_error', 'signing_secret_unavailable', 'Merchant signing secrets are not configured on this server (NOTIFICATION_SIGNING_SECRET); nothing was changed');
