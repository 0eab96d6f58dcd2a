import { condition } from '@temporalio/workflow';
import type { PollTiming } from '../domain/requests';
import type { WakeUps } from './messageHandlers';
import type { Outcome } from './outcome';
import type { PaymentRecord } from './paymentRecord';
import { PollBackoff } from './pollBackoff';
import type { CreatedAtPing, PingAdapter } from './pingAdapter';

/**
 * After a payment ended (expired, cancelled, failed), Ping may still complete it: the payer's bank
 * had paid just before our stop. Callbacks can be lost, so the payment keeps asking Ping for
 * `windowMs` (LATE_PAYMENT_WINDOW), on a callback at once and otherwise on the polls' backoff, with
 * a last look when the window closes. Returns Ping's paid outcome, or nothing once the window passes.
 */
export async function watchForLatePayment<C extends CreatedAtPing>(
  payment: PaymentRecord,
  wakeUps: WakeUps,
  ping: PingAdapter<C>,
  created: C,
  timing: PollTiming,
  windowMs: number,
): Promise<Outcome | undefined> {
  const endsAtMs = Date.now() + windowMs;
  const backoff = new PollBackoff(timing);
  for (let left = windowMs; left > 0; left = endsAtMs - Date.now()) {
    const woken = await condition(() => wakeUps.checkRequested, Math.min(backoff.currentMs, left));
    wakeUps.checkRequested = false;
    backoff.next(woken);
    const outcome = await ping.check(created);
    if (outcome.kind === 'paid') return outcome;
    payment.observe(outcome);
  }
  return undefined;
}
