import { allocateOrder, allocationsOf } from './allocations';
import type { SandboxContext } from './context';
import type { PaymentOrder } from './entities';
import { forbidden } from './errors';
import type { TenantState } from './store';

/**
 * A payment order's way through Ping (docs/ping-contract.md §2.3): OPEN → close → CLOSED → split
 * → SPLIT → settle → SETTLED. `fast_forward` runs the missing earlier steps first [INFER], so an
 * order settled straight from OPEN still gets its allocations.
 */

// Closing twice is refused ([INFER]: Ping names no idempotent close); a client retrying an
// ambiguous close should re-read the order on 403.
export function closeOrder(order: PaymentOrder): void {
  if (order.status !== 'OPEN') throw forbidden('operation_forbidden', `PaymentOrder is already ${order.status}`);
  order.status = 'CLOSED';
}

export function splitOrder(ctx: SandboxContext, tenant: TenantState, order: PaymentOrder, fastForward: boolean): void {
  if (order.status === 'OPEN' && !fastForward) throw forbidden('operation_forbidden', 'PaymentOrder must be CLOSED before it is split');
  if (order.status === 'SPLIT' || order.status === 'SETTLED') throw forbidden('operation_forbidden', `PaymentOrder is already ${order.status}`);
  allocateOrder(ctx, tenant, order);
  order.status = 'SPLIT';
}

export function settleOrder(ctx: SandboxContext, tenant: TenantState, order: PaymentOrder, fastForward: boolean): void {
  if (order.status === 'SETTLED') throw forbidden('operation_forbidden', 'PaymentOrder is already SETTLED');
  if (order.status !== 'SPLIT' && !fastForward) throw forbidden('operation_forbidden', 'PaymentOrder must be SPLIT before it is settled');
  if (order.status !== 'SPLIT') splitOrder(ctx, tenant, order, true);
  const now = ctx.clock.iso();
  for (const allocation of allocationsOf(tenant, order.id)) allocation.settledAt = now;
  order.status = 'SETTLED';
}
