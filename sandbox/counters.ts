import { ORDER_STATUSES, type OrderStatus } from './entities';
import type { Store } from './store';

/**
 * What the sandbox saw, for tests and benchmarks to assert on (`GET /_sandbox/counters`): calls and
 * answers per endpoint, creates per metadata value (so a test can prove a retried workflow created
 * one link, not two), injected faults and callback deliveries.
 */
export interface CountersSnapshot {
  calls: Record<string, number>;
  responses: Record<string, Record<string, number>>;
  creates: Record<string, number>;
  creates_by_metadata: Record<string, Record<string, number>>;
  faults: { latency_applied: number; errors_injected: number; failed_after_processing: number };
  callbacks: {
    enqueued: number;
    sent: number;
    delivered: number;
    failed: number;
    retried: number;
    gave_up: number;
    dropped: number;
    duplicated: number;
  };
  outbox: { sms: number; email: number };
  /**
   * Refund calls that reached the refund logic: `accepted` (PENDING, one per payment at most),
   * `completed` (done after `refundDelayMs`), `refused_duplicate` (403 already_refunded: a second
   * refund of the same payment) and `failed_injected` (refused by `/_sandbox/payments/:id/fail-refund`).
   */
  refunds: { accepted: number; completed: number; refused_duplicate: number; failed_injected: number };
}

/** What `GET /_sandbox/counters` answers: the counters plus the orders by their status now. */
export interface CountersView extends CountersSnapshot {
  payment_orders_by_status: Record<OrderStatus, number>;
}

function bump(record: Record<string, number>, key: string, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}

export class Counters {
  private data: CountersSnapshot = Counters.empty();

  private static empty(): CountersSnapshot {
    return {
      calls: {},
      responses: {},
      creates: {},
      creates_by_metadata: {},
      faults: { latency_applied: 0, errors_injected: 0, failed_after_processing: 0 },
      callbacks: { enqueued: 0, sent: 0, delivered: 0, failed: 0, retried: 0, gave_up: 0, dropped: 0, duplicated: 0 },
      outbox: { sms: 0, email: 0 },
      refunds: { accepted: 0, completed: 0, refused_duplicate: 0, failed_injected: 0 },
    };
  }

  call(endpoint: string): void {
    bump(this.data.calls, endpoint);
  }

  response(endpoint: string, status: number): void {
    const byStatus = (this.data.responses[endpoint] ??= {});
    bump(byStatus, String(status));
  }

  /** `keys` are e.g. `reference=abc` from the created record's metadata or customer reference. */
  created(kind: string, keys: string[]): void {
    bump(this.data.creates, kind);
    const byKey = (this.data.creates_by_metadata[kind] ??= {});
    for (const key of keys) bump(byKey, key);
  }

  fault(kind: keyof CountersSnapshot['faults']): void {
    this.data.faults[kind] += 1;
  }

  callback(kind: keyof CountersSnapshot['callbacks']): void {
    this.data.callbacks[kind] += 1;
  }

  outbox(channel: 'sms' | 'email'): void {
    this.data.outbox[channel] += 1;
  }

  refund(kind: keyof CountersSnapshot['refunds']): void {
    this.data.refunds[kind] += 1;
  }

  snapshot(): CountersSnapshot {
    return structuredClone(this.data);
  }

  reset(): void {
    this.data = Counters.empty();
  }
}

/**
 * Counted from the store rather than on each change, so it is always the truth of now, across all
 * tenants: a chaos test compares SETTLED orders with paid and refunded payments.
 */
export function orderStatusCounts(store: Store): Record<OrderStatus, number> {
  const counts = Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>;
  for (const tenant of store.allTenants()) for (const order of tenant.orders.values()) counts[order.status] += 1;
  return counts;
}

/** Scalar metadata values become `key=value` counter keys; nested values are not identities. */
export function metadataKeys(metadata: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(metadata)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    .map(([k, v]) => `${prefix}${k}=${String(v)}`);
}
