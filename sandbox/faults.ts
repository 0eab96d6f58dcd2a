import { z } from 'zod';
import { chance, type RandomSource } from './random';

const rate = z.number().min(0).max(1);

/**
 * The fault plan, set with `PUT /_sandbox/faults` (replace) or `PATCH` (merge). Strict: a misspelt
 * key is a 422, so a chaos test never runs without the fault it thinks it set.
 */
export const faultsSchema = z.strictObject({
  /** Added before every Ping API call is handled. */
  latency_ms: z.number().int().min(0).max(120_000).default(0),
  /** Share of Ping API calls answered `error_status` without being processed. */
  error_rate: rate.default(0),
  error_status: z.number().int().min(400).max(599).default(503),
  /** Share of calls that are processed (state changed) but whose response then fails: the ambiguous failure. */
  fail_after_processing_rate: rate.default(0),
  /** How that failure looks: an `error_status` answer, or the connection reset with no answer at all. */
  fail_after_processing_mode: z.enum(['status', 'reset']).default('status'),
  /** Limits the API faults above to these endpoints (counter keys, e.g. "POST /payments/api/v1/payment_orders"). */
  endpoints: z.array(z.string()).nullish().transform((v) => v ?? null),
  callbacks: z
    .strictObject({
      /** Share of callbacks never sent (recorded as dropped). */
      drop_rate: rate.default(0),
      /** Share of callbacks sent twice. */
      duplicate_rate: rate.default(0),
      /** Added before every callback's first attempt. */
      delay_ms: z.number().int().min(0).max(600_000).default(0),
      /** Hold callbacks for `reorder_window_ms`, then send them newest first. */
      reorder: z.boolean().default(false),
      reorder_window_ms: z.number().int().min(1).max(60_000).default(200),
    })
    .default({ drop_rate: 0, duplicate_rate: 0, delay_ms: 0, reorder: false, reorder_window_ms: 200 }),
});

export type Faults = z.output<typeof faultsSchema>;

export const NO_FAULTS: Faults = faultsSchema.parse({});

/** Deep-merges a PATCH body into the current plan (only the callbacks object nests). */
export function mergeFaults(current: Faults, patch: Record<string, unknown>): unknown {
  const callbacks = patch.callbacks;
  return {
    ...current,
    ...patch,
    callbacks: callbacks && typeof callbacks === 'object' ? { ...current.callbacks, ...callbacks } : current.callbacks,
  };
}

export class FaultPlan {
  private plan: Faults = NO_FAULTS;

  constructor(private readonly random: RandomSource) {}

  get(): Faults {
    return this.plan;
  }

  set(plan: Faults): void {
    this.plan = plan;
  }

  reset(): void {
    this.plan = NO_FAULTS;
  }

  private applies(endpoint: string): boolean {
    return this.plan.endpoints === null || this.plan.endpoints.includes(endpoint);
  }

  latencyFor(endpoint: string): number {
    return this.applies(endpoint) ? this.plan.latency_ms : 0;
  }

  failBefore(endpoint: string): boolean {
    return this.applies(endpoint) && chance(this.random, this.plan.error_rate);
  }

  failAfter(endpoint: string): boolean {
    return this.applies(endpoint) && chance(this.random, this.plan.fail_after_processing_rate);
  }

  dropCallback(): boolean {
    return chance(this.random, this.plan.callbacks.drop_rate);
  }

  duplicateCallback(): boolean {
    return chance(this.random, this.plan.callbacks.duplicate_rate);
  }
}
