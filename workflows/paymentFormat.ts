import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import type { Currency, PaymentFailure } from './paymentTypes';

/** "2026-12-01 12:00 UTC": unambiguous for a support person in any time zone. */
export function formatInstant(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function formatAmount(minor: number, currency: Currency): string {
  return `${(minor / 100).toFixed(2)} ${currency}`;
}

/** Turns an activity failure into the failure our API reports, keeping Ping's own code when Ping refused. */
export function failureFromError(err: unknown): PaymentFailure {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type === 'PingRejected') {
    const details = (cause.details?.[0] ?? {}) as { status?: number | null; code?: string; property?: string | null };
    return {
      code: details.code ?? 'ping_rejected',
      message: cause.message,
      ...(details.status ? { ping_status: details.status } : {}),
      ...(details.property ? { param: details.property } : {}),
    };
  }
  if (cause instanceof TimeoutFailure || (cause instanceof ApplicationFailure && cause.type === 'PingUnavailable')) {
    return { code: 'ping_unavailable', message: 'Ping Payments did not answer in time; nothing was charged' };
  }
  return { code: 'internal_error', message: cause instanceof Error ? cause.message : String(cause) };
}
