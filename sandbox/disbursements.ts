import { randomUUID } from 'node:crypto';
import { allocationsOf } from './allocations';
import type { SandboxContext } from './context';
import type { Allocation, Currency, Disbursement } from './entities';
import type { TenantState } from './store';

export interface DisburseFailure {
  payment_order_id: string;
  reason: string;
  description: string;
}

export interface DisburseOutcome {
  disbursed_payment_orders: string[];
  failed_to_disburse: DisburseFailure[];
}

/**
 * Mimic's disbursement trigger (docs/ping-contract.md §7): pays out SETTLED orders. Every other id
 * fails with a reason and the call still answers 200, as Mimic does for the zero UUID. The reason
 * codes are the sandbox's own ([INFER]: the contract names none). An order is paid out once; asking
 * again fails, so no allocation is ever disbursed twice. The orders paid out in one call make one
 * disbursement per currency (a disbursement has one currency, §2.7).
 */
export function disburseOrders(ctx: SandboxContext, tenant: TenantState, orderIds: string[]): DisburseOutcome {
  const outcome: DisburseOutcome = { disbursed_payment_orders: [], failed_to_disburse: [] };
  const now = ctx.clock.iso();
  const paidOut: Allocation[] = [];
  for (const id of new Set(orderIds.map((i) => i.toLowerCase()))) {
    const order = tenant.orders.get(id);
    const fail = (reason: string, description: string) => outcome.failed_to_disburse.push({ payment_order_id: id, reason, description });
    if (!order) {
      fail('payment_order_not_found', `PaymentOrder ${id} was not found`);
    } else if (order.status !== 'SETTLED') {
      fail('payment_order_not_settled', `PaymentOrder is ${order.status}; only SETTLED orders are disbursed`);
    } else if (order.disbursedAt !== null) {
      fail('payment_order_already_disbursed', `PaymentOrder was disbursed at ${order.disbursedAt}`);
    } else {
      order.disbursedAt = now;
      paidOut.push(...allocationsOf(tenant, order.id));
      outcome.disbursed_payment_orders.push(order.id);
    }
  }

  const byCurrency = new Map<Currency, Allocation[]>();
  for (const a of paidOut) byCurrency.set(a.currency, [...(byCurrency.get(a.currency) ?? []), a]);
  for (const [currency, allocations] of byCurrency) {
    const disbursement: Disbursement = {
      id: randomUUID(),
      tenantId: tenant.tenantId,
      amount: allocations.reduce((sum, a) => sum + a.amount, 0),
      currency,
      disbursedAt: now,
      settlements: allocations.map((a) => ({ id: randomUUID(), allocationId: a.id })),
    };
    for (const a of allocations) {
      a.disbursedAt = now;
      a.disbursementId = disbursement.id;
    }
    tenant.disbursements.set(disbursement.id, disbursement);
  }
  return outcome;
}
