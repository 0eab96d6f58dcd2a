import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { PING_REJECTED, PING_UNAVAILABLE } from '../domain/failureTypes';
import type { PaymentFailure } from '../domain/payment';

/** Turns an activity failure into the failure our API reports, keeping Ping's own code when Ping refused. */
export function failureFromError(err: unknown): PaymentFailure {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type === PING_REJECTED) {
    const details = (cause.details?.[0] ?? {}) as { status?: number | null; code?: string; property?: string | null };
    return {
      code: details.code ?? 'ping_rejected',
      message: cause.message,
      ...(details.status ? { ping_status: details.status } : {}),
      ...(details.property ? { param: details.property } : {}),
    };
  }
  if (cause instanceof TimeoutFailure || (cause instanceof ApplicationFailure && cause.type === PING_UNAVAILABLE)) {
    return { code: 'ping_unavailable', message: 'Ping Payments did not answer in time; nothing was charged' };
  }
  return { code: 'internal_error', message: cause instanceof Error ? cause.message : String(cause) };
}
