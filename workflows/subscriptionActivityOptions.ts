import { proxyActivities } from '@temporalio/workflow';
import type { SubscriptionActivities } from '../domain/subscription';

/**
 * How the subscription workflow's activities run (workflows/activityOptions.ts has the payments',
 * workflows/merchantActivityOptions.ts the merchant's). Every one is retried with the same backoff.
 */
const RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;

/**
 * The cancel must happen, however long Ping is away: unbounded retries. So must the create, which is
 * idempotent by its payment id, so a retry after a lost answer never makes a second link; it
 * heartbeats while it waits for the link at Ping, so a worker killed meanwhile costs seconds, not
 * the whole timeout.
 */
export const musts = proxyActivities<SubscriptionActivities>({ startToCloseTimeout: '30 seconds', retry: RETRY });
export const creates = proxyActivities<SubscriptionActivities>({ startToCloseTimeout: '30 seconds', heartbeatTimeout: '5 seconds', retry: RETRY });

/** A reminder or a notice that cannot get through in ten minutes is stale: it is logged and the subscription goes on. */
export const bestEffort = proxyActivities<SubscriptionActivities>({ startToCloseTimeout: '30 seconds', scheduleToCloseTimeout: '10 minutes', retry: RETRY });
