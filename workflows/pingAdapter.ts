import type { Outcome, PingIds } from './outcome';

/** The payment as it exists at Ping once created: what the later calls need. */
export interface CreatedAtPing {
  checkoutUrl: string;
  ids: PingIds;
}

/** Why we end a payment at Ping: its deadline passed, or the merchant cancelled it. */
export type EndReason = 'expired' | 'cancelled';

/**
 * Everything the core needs from one flow's Ping API: one create, one status check, one stop. The
 * core decides when to call each; the adapter only makes the call and maps Ping's answer.
 */
export interface PingAdapter<C extends CreatedAtPing> {
  /** `mayHaveRunBefore`: look for what an earlier run of this create made (see mayHaveRunBefore.ts). */
  create(mayHaveRunBefore: boolean): Promise<C>;
  check(created: C): Promise<Outcome>;
  stop(created: C, reason: EndReason): Promise<void>;
  /** Ping's status once our stop went through (a link's CANCELLED, a payment's STOPPED). */
  stoppedStatus: string;
}
