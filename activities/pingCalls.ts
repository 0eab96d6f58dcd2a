import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { PingApiError } from '../ping';
import { PING_REJECTED, PING_UNAVAILABLE } from '../domain/failureTypes';

/**
 * How every activity that calls Ping reports a failure (activities/ping.ts, activities/money.ts).
 * Ping's 4xx are final (Ping will say the same again): non-retryable, with Ping's code in the details
 * so the workflow can report it. Everything else is transient and left to the retry policy.
 */
export function toActivityFailure(err: unknown): never {
  if (!(err instanceof PingApiError)) throw err;
  const details = { status: err.status ?? null, code: err.code, property: err.property ?? null };
  if (!err.retryable) throw ApplicationFailure.nonRetryable(err.message, PING_REJECTED, details);
  throw ApplicationFailure.create({
    message: err.message,
    type: PING_UNAVAILABLE,
    details: [details],
    // Ping said when to come back (429/503 Retry-After): honour it rather than our backoff.
    ...(err.retryAfterMs ? { nextRetryDelay: err.retryAfterMs } : {}),
  });
}

export async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    return toActivityFailure(err);
  }
}

/** True on a retry: an earlier attempt may have succeeded at Ping before its answer was lost. */
export function isRetry(): boolean {
  try {
    return activityInfo().attempt > 1;
  } catch {
    return false; // called outside an activity (a unit test)
  }
}
