import { proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import type { createMailActivities } from '../activities/mail';
import type { NotificationActivities } from '../activities/notifications';
import type { MoneyActivities } from '../activities/money';
import type { PingActivities } from '../activities/ping';

/**
 * How every activity of the payment workflows runs, in one place. The creates and reads at Ping run
 * as local activities: inside the workflow task, with no round trip through the server's task queue
 * (a large share of the time to the checkout URL). A local activity's result reaches history only with
 * its workflow task, so a worker crash in between runs it again at attempt 1; the creates are told so
 * (`mayHaveRunBefore`) and reads are harmless to repeat. Changes at Ping after the create, and the
 * deliveries, stay ordinary activities: each runs once per attempt and its result is saved at once.
 */

/** The create, before the checkout URL: the API caller is waiting, so give up after a minute and say why. */
export const CREATE_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds' },
};

/** Everything at Ping later: nobody waits, so keep trying through a Ping outage (4xx still stop at once). */
const LATER_RETRY: ActivityOptions['retry'] = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' };
/** Status checks and the receipt; a retry longer than a minute waits on a timer, not in the task. */
export const READ_OPTIONS: LocalActivityOptions = { startToCloseTimeout: '15 seconds', retry: LATER_RETRY };
/** Distribution, invoices, cancels and stops: they change something at Ping, so each is saved as it ends. */
export const CHANGE_OPTIONS: ActivityOptions = { startToCloseTimeout: '15 seconds', retry: LATER_RETRY };

/**
 * Receipts and merchant events: bounded, so a dead mailbox or endpoint cannot keep a payment open
 * forever. Ordinary activities on purpose: a local activity would send again after a crash, and a
 * payer must not get two receipts.
 */
export const DELIVERY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
};

export const pingCreates = proxyLocalActivities<PingActivities>(CREATE_OPTIONS);
export const pingReads = proxyLocalActivities<PingActivities>(READ_OPTIONS);
export const pingChanges = proxyActivities<PingActivities>(CHANGE_OPTIONS);
/** Settlement steps and the refund change money at Ping: each result saved at once. Reads of allocations and refunds run local. */
export const moneyChanges = proxyActivities<MoneyActivities>(CHANGE_OPTIONS);
export const moneyReads = proxyLocalActivities<MoneyActivities>(READ_OPTIONS);
export const deliveries = proxyActivities<ReturnType<typeof createMailActivities> & NotificationActivities>(DELIVERY_OPTIONS);
