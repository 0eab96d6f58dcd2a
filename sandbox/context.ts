import type { Logger } from '../common/logger';
import type { CallbackDispatcher, CallbackRetryOptions } from './callbacks';
import type { Clock } from './clock';
import type { Counters } from './counters';
import type { ErrorShape } from './errors';
import type { FaultPlan } from './faults';
import type { Outbox } from './outbox';
import type { RandomSource } from './random';
import type { RefundFailures } from './refundFailures';
import type { Store } from './store';
import type { Timers } from './timers';

export interface SandboxOptions {
  /** Base of every URL the sandbox hands out (checkout pages, bank pages, PDFs), without a trailing slash. */
  publicUrl: string;
  logger?: Logger;
  /** When set, every Ping API call must carry this `x-api-secret` (docs/ping-contract.md §1.2: optional at Ping's sandbox). */
  apiSecret?: string;
  /** The Payment Links error body: flat `{error, description}` (the SDK's model, default) or `{errors: [...]}`. */
  linksErrorShape?: ErrorShape;
  callbackRetry?: Partial<CallbackRetryOptions>;
  /** For fault rates; inject `seededRandom(n)` for a repeatable sequence. */
  random?: RandomSource;
  /** The wall clock (epoch ms); the control API can move sandbox time forward from it. */
  now?: () => number;
  /** How long a provider takes to settle on its own (dummy payments, SMS delivery). Default 300 ms. */
  providerDelayMs?: number;
  /**
   * How long an accepted refund stays PENDING before it shows on the payment (docs/ping-contract.md
   * §2.4, §9: the refund statuses are unknown). Default 200 ms; 0 completes it on the next tick.
   */
  refundDelayMs?: number;
  /** How often due dates are checked in the background (they are also checked on every read). Default 1000 ms. */
  expirySweepMs?: number;
  /**
   * How long a new merchant stays CREATED before the sandbox approves it by itself (sandbox/merchants.ts).
   * Default 300 ms; 0 approves it on the next tick; null or a negative number never does, so the
   * merchant waits for Mimic or the control API.
   */
  merchantApprovalDelayMs?: number | null;
}

/** Everything a route or page needs; built once by createSandbox. */
export interface SandboxContext {
  publicUrl: string;
  apiSecret: string | undefined;
  linksErrorShape: ErrorShape;
  providerDelayMs: number;
  refundDelayMs: number;
  /** Null when merchants are never approved automatically. */
  merchantApprovalDelayMs: number | null;
  store: Store;
  clock: Clock;
  timers: Timers;
  callbacks: CallbackDispatcher;
  counters: Counters;
  faults: FaultPlan;
  outbox: Outbox;
  refundFailures: RefundFailures;
  random: RandomSource;
  logger: Logger;
}
