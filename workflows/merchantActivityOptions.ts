import { proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import type { MerchantActivities } from '../activities/merchants';

/**
 * How the merchant workflow's activities run (workflows/activityOptions.ts has the payments').
 *
 * The create is an ordinary activity, not a local one as the payments' creates are: Ping takes no
 * idempotency key for a merchant, and only an ordinary activity's attempt number counts every run
 * of it (a local activity re-run after a worker crash starts again at attempt 1), which is what
 * tells the activity to look for an earlier attempt's merchant first. Nobody waits on it the way a
 * payer waits for a checkout URL, so the server round trip costs nothing that matters. Its retries
 * are bounded: past them the workflow waits on its own backoff and tries again (looking first), so
 * a long Ping outage never pins the workflow inside one activity, where it could not continue as new.
 */
export const MERCHANT_CREATE_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  summary: 'Create merchant at Ping',
};

/** The status read: cheap to repeat, so local; bounded, because a failed read is simply tried again at the next poll. */
export const MERCHANT_READ_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds' },
  summary: 'Check merchant status at Ping',
};

export const merchantCreates = proxyActivities<MerchantActivities>(MERCHANT_CREATE_OPTIONS);
export const merchantReads = proxyLocalActivities<MerchantActivities>(MERCHANT_READ_OPTIONS);
