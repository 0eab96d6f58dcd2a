import type { Allocation, Disbursement, Merchant, Payment, PaymentLink, PaymentOrder } from './entities';

/**
 * All sandbox state, in memory, partitioned by tenant exactly as Ping partitions it: a tenant never
 * sees another tenant's ids (they answer 404).
 *
 * Concurrency: every read-modify-write of a record happens inside one synchronous handler, after
 * the request's only awaits (body parsing, injected latency) are over, so Node's single thread makes
 * each request's changes atomic and no update can be lost between two concurrent requests.
 */
export class TenantState {
  readonly orders = new Map<string, PaymentOrder>();
  readonly payments = new Map<string, Payment>();
  readonly links = new Map<string, PaymentLink>();
  readonly merchants = new Map<string, Merchant>();
  /** Insertion order is creation order, which is the order lists answer in (oldest first). */
  readonly allocations = new Map<string, Allocation>();
  readonly disbursements = new Map<string, Disbursement>();
  /** What `PUT api/v1/tenant` sets; kept so `GET api/v1/tenant` reads it back. */
  settings: Record<string, string | null> = {
    credit_account_top_up_callback_url: null,
    merchant_status_callback_url: null,
    disbursement_callback_url: null,
  };

  constructor(readonly tenantId: string) {}
}

export class Store {
  private readonly tenants = new Map<string, TenantState>();

  tenant(tenantId: string): TenantState {
    const key = tenantId.toLowerCase();
    let state = this.tenants.get(key);
    if (!state) {
      state = new TenantState(key);
      this.tenants.set(key, state);
    }
    return state;
  }

  allTenants(): TenantState[] {
    return [...this.tenants.values()];
  }

  /** The control API and the hosted pages know only an id; ids are UUIDs, so they are unique across tenants. */
  findLink(id: string): PaymentLink | undefined {
    for (const t of this.tenants.values()) {
      const link = t.links.get(id);
      if (link) return link;
    }
    return undefined;
  }

  findPayment(id: string): Payment | undefined {
    for (const t of this.tenants.values()) {
      const payment = t.payments.get(id);
      if (payment) return payment;
    }
    return undefined;
  }

  findMerchant(id: string): Merchant | undefined {
    for (const t of this.tenants.values()) {
      const merchant = t.merchants.get(id);
      if (merchant) return merchant;
    }
    return undefined;
  }

  findOrder(id: string): PaymentOrder | undefined {
    for (const t of this.tenants.values()) {
      const order = t.orders.get(id);
      if (order) return order;
    }
    return undefined;
  }

  reset(): void {
    this.tenants.clear();
  }
}
