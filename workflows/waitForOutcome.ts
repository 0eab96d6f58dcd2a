import { condition, isCancellation } from '@temporalio/workflow';
import type { PollTiming } from '../domain/requests';
import type { WakeUps } from './messageHandlers';
import type { Outcome } from './outcome';
import type { PaymentRecord } from './paymentRecord';
import { PollBackoff } from './pollBackoff';
import type { CreatedAtPing, EndReason, PingAdapter } from './pingAdapter';

export interface Deadline {
  /** Epoch ms in workflow time. */
  atMs: number;
  /** The event's detail when the deadline ends the payment, e.g. "due date passed". */
  detail: string;
}

const CANCEL_DETAIL = 'cancelled by merchant';

/**
 * Waits for the payer, the deadline or the merchant's cancel, asking Ping on every wake-up: a
 * callback, the payer's return, or a poll timer (after `pollInitialMs` of silence, doubling up to
 * `pollMaxMs`). Returns once the payment is decided: paid, or final.
 */
export async function waitForOutcome<C extends CreatedAtPing>(
  payment: PaymentRecord,
  wakeUps: WakeUps,
  ping: PingAdapter<C>,
  created: C,
  timing: PollTiming,
  deadline?: Deadline,
): Promise<void> {
  const backoff = new PollBackoff(timing);
  while (!payment.isDecided) {
    const untilDeadline = deadline ? Math.max(0, deadline.atMs - Date.now()) : Infinity;
    const woken = await condition(() => wakeUps.checkRequested || wakeUps.cancelRequested, Math.min(backoff.currentMs, untilDeadline));
    if (wakeUps.cancelRequested) {
      await endAtPing(payment, ping, created, 'cancelled', CANCEL_DETAIL);
      return;
    }
    backoff.next(woken);
    wakeUps.checkRequested = false;
    if (payment.apply(await ping.check(created))) return;
    if (deadline && Date.now() >= deadline.atMs) await endAtPing(payment, ping, created, 'expired', deadline.detail);
  }
}

/**
 * Ends the payment at Ping. If Ping refuses, it has moved on: either our own stop went through on an
 * earlier attempt whose answer was lost (Ping then shows its stopped status, and our reason stands),
 * or something else happened first (paid a moment ago), and Ping's status wins.
 */
async function endAtPing<C extends CreatedAtPing>(payment: PaymentRecord, ping: PingAdapter<C>, created: C, reason: EndReason, detail: string): Promise<void> {
  try {
    await ping.stop(created, reason);
  } catch (err) {
    if (isCancellation(err)) throw err;
    const outcome: Outcome = await ping.check(created);
    if (outcome.pingStatus === ping.stoppedStatus) payment.observe(outcome);
    else if (payment.apply(outcome)) return;
    else throw err;
  }
  payment.ended(reason, detail);
}
