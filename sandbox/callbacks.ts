import { randomUUID } from 'node:crypto';
import { Agent, fetch } from 'undici';
import type { Logger } from '../common/logger';
import type { Clock } from './clock';
import type { Counters } from './counters';
import type { JsonObject } from './entities';
import type { FaultPlan } from './faults';
import type { Timers } from './timers';

export interface CallbackRetryOptions {
  /** Delay before the second attempt; each later one waits `factor` times longer, up to `maxDelayMs`. */
  initialDelayMs: number;
  factor: number;
  maxDelayMs: number;
  /** Attempts in all, the first included; then the delivery is given up. */
  maxAttempts: number;
  attemptTimeoutMs: number;
}

export const DEFAULT_CALLBACK_RETRY: CallbackRetryOptions = {
  initialDelayMs: 1000,
  factor: 2,
  maxDelayMs: 60_000,
  maxAttempts: 8,
  attemptTimeoutMs: 5000,
};

export type CallbackKind = 'payment_link' | 'payment' | 'merchant' | 'poke';

export interface DeliveryAttempt {
  at: string;
  status: number | null;
  error: string | null;
  duration_ms: number;
}

export interface Delivery {
  id: string;
  kind: CallbackKind;
  tenant_id: string;
  resource_id: string;
  url: string;
  body: JsonObject;
  state: 'scheduled' | 'sending' | 'retrying' | 'delivered' | 'failed' | 'dropped';
  /** Set on the extra copy that the duplicate fault sends. */
  duplicate_of: string | null;
  created_at: string;
  attempts: DeliveryAttempt[];
}

export interface CallbackInput {
  kind: CallbackKind;
  tenantId: string;
  resourceId: string;
  url: string;
  body: JsonObject;
}

/** The delivery log keeps this many deliveries; older ones are forgotten. */
const LOG_LIMIT = 2000;

/**
 * Sends status callbacks the way a webhook sender should: after the API response (never inline),
 * retried with exponential backoff on a non-2xx answer or a network error, a bounded number of
 * times. The fault plan can drop, duplicate, delay and reorder them.
 */
export class CallbackDispatcher {
  private deliveries: Delivery[] = [];
  private reorderBuffer: Delivery[] = [];
  private reorderTimer: NodeJS.Timeout | null = null;
  private readonly inflight = new Set<Promise<void>>();
  private abort = new AbortController();
  private readonly agent = new Agent({ keepAliveTimeout: 1000, connections: 32 });
  private closed = false;
  /** Bumped by reset(): a send that started before it must not log or retry into the new state. */
  private generation = 0;

  constructor(
    private readonly deps: {
      faults: FaultPlan;
      counters: Counters;
      timers: Timers;
      clock: Clock;
      logger: Logger;
      retry: CallbackRetryOptions;
    },
  ) {}

  enqueue(input: CallbackInput): void {
    if (this.closed) return;
    const { faults, counters, timers } = this.deps;
    counters.callback('enqueued');
    const delivery = this.record(input, null);
    if (faults.dropCallback()) {
      delivery.state = 'dropped';
      counters.callback('dropped');
      this.deps.logger.debug({ delivery: delivery.id, url: input.url }, 'callback dropped by fault plan');
      return;
    }
    const copies = [delivery];
    if (faults.duplicateCallback()) {
      copies.push(this.record(input, delivery.id));
      counters.callback('duplicated');
    }
    const { delay_ms: delay, reorder } = faults.get().callbacks;
    // Even without a delay the send waits for the next turn of the event loop, so the API call
    // that caused it has answered first, as with a real asynchronous sender.
    timers.after(delay, () => {
      if (reorder) this.holdForReorder(copies);
      else for (const copy of copies) void this.attempt(copy);
    });
  }

  private record(input: CallbackInput, duplicateOf: string | null): Delivery {
    const delivery: Delivery = {
      id: randomUUID(),
      kind: input.kind,
      tenant_id: input.tenantId,
      resource_id: input.resourceId,
      url: input.url,
      body: input.body,
      state: 'scheduled',
      duplicate_of: duplicateOf,
      created_at: this.deps.clock.iso(),
      attempts: [],
    };
    this.deliveries.push(delivery);
    if (this.deliveries.length > LOG_LIMIT) this.deliveries.splice(0, this.deliveries.length - LOG_LIMIT);
    return delivery;
  }

  private holdForReorder(copies: Delivery[]): void {
    this.reorderBuffer.push(...copies);
    if (this.reorderTimer) return;
    this.reorderTimer = this.deps.timers.after(this.deps.faults.get().callbacks.reorder_window_ms, () => {
      this.reorderTimer = null;
      const batch = this.reorderBuffer.reverse();
      this.reorderBuffer = [];
      // One after the other, newest first, so they also arrive in that order.
      void (async () => {
        for (const d of batch) await this.attempt(d);
      })();
    });
  }

  private attempt(delivery: Delivery): Promise<void> {
    const running = this.send(delivery).finally(() => this.inflight.delete(running));
    this.inflight.add(running);
    return running;
  }

  private async send(delivery: Delivery): Promise<void> {
    if (this.closed) return;
    const generation = this.generation;
    const { counters, retry, logger, timers } = this.deps;
    delivery.state = 'sending';
    counters.callback('sent');
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'ping-payments-sandbox',
          // A duplicate carries the original's id, so a receiver's log shows which copies belong together.
          'x-sandbox-callback-id': delivery.duplicate_of ?? delivery.id,
        },
        body: JSON.stringify(delivery.body),
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(retry.attemptTimeoutMs)]),
        dispatcher: this.agent,
      });
      status = res.status;
      await res.arrayBuffer();
    } catch (err) {
      // undici hides the reason (ECONNREFUSED, timeout) in `cause`; duck-typed, as errors may come from another realm.
      const { message, cause } = err as { message?: unknown; cause?: { message?: unknown } };
      error = typeof cause?.message === 'string' ? `${String(message)}: ${cause.message}` : String(message ?? err);
    }
    if (this.closed || generation !== this.generation) return;
    delivery.attempts.push({ at: new Date(started).toISOString(), status, error, duration_ms: Date.now() - started });
    if (status !== null && status >= 200 && status < 300) {
      delivery.state = 'delivered';
      counters.callback('delivered');
      return;
    }
    counters.callback('failed');
    const attempts = delivery.attempts.length;
    if (attempts >= retry.maxAttempts) {
      delivery.state = 'failed';
      counters.callback('gave_up');
      logger.warn({ delivery: delivery.id, url: delivery.url, attempts, status, error }, 'callback given up');
      return;
    }
    delivery.state = 'retrying';
    counters.callback('retried');
    const wait = Math.min(retry.initialDelayMs * retry.factor ** (attempts - 1), retry.maxDelayMs);
    logger.debug({ delivery: delivery.id, url: delivery.url, attempts, status, error, wait }, 'callback failed; will retry');
    timers.after(wait, () => void this.attempt(delivery));
  }

  log(filter: { resource_id?: string; kind?: string } = {}): Delivery[] {
    return this.deliveries.filter(
      (d) => (!filter.resource_id || d.resource_id === filter.resource_id) && (!filter.kind || d.kind === filter.kind),
    );
  }

  /** Forgets every delivery and abandons those in flight; their retry timers die with the sandbox's timers. */
  reset(): void {
    this.generation += 1;
    this.abort.abort();
    this.abort = new AbortController();
    this.deliveries = [];
    this.reorderBuffer = [];
    this.reorderTimer = null;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    await Promise.allSettled([...this.inflight]);
    await this.agent.close();
  }
}
