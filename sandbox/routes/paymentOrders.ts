import { randomUUID } from 'node:crypto';
import type { SandboxContext } from '../context';
import { ORDER_STATUSES, type PaymentOrder } from '../entities';
import { forbidden } from '../errors';
import { paginate } from '../http/pagination';
import type { PingApi } from '../http/pingApi';
import { dateFilter, enumFilter, inRange } from '../http/queryFilters';
import { closeOrder, settleOrder, splitOrder } from '../orderLifecycle';
import { parseOr422 } from '../schemas/common';
import { createPaymentOrderSchema, fastForwardSchema, updatePaymentOrderSchema } from '../schemas/payments';
import { paymentOrderExtendedWire, paymentOrderWire } from '../wire';
import { orderOr404 } from './lookups';

/** Payment orders (docs/ping-contract.md §2.3): OPEN → close → CLOSED → split → SPLIT → settle → SETTLED. */
export function paymentOrderRoutes(ctx: SandboxContext, api: PingApi): void {
  api.post('/api/v1/payment_orders', ({ tenant, body }) => {
    const input = parseOr422(createPaymentOrderSchema, body);
    const order: PaymentOrder = {
      id: randomUUID(),
      tenantId: tenant.tenantId,
      status: 'OPEN',
      createdAt: ctx.clock.iso(),
      currency: input.currency,
      splitParameters: input.split_parameters,
      splitTreeId: input.split_tree_id,
      paymentIds: [],
      disbursedAt: null,
    };
    tenant.orders.set(order.id, order);
    ctx.counters.created('payment_orders', []);
    return { status: 200, json: { id: order.id } };
  });

  api.get('/api/v1/payment_orders', (req) => {
    const from = dateFilter('created_at_from', req.query.created_at_from);
    const to = dateFilter('created_at_to', req.query.created_at_to);
    const status = enumFilter('status', req.query.status, ORDER_STATUSES);
    const orders = [...req.tenant.orders.values()].filter(
      (o) => inRange(o.createdAt, from, to) && (status === undefined || o.status === status),
    );
    return { status: 200, json: paginate(orders.map(paymentOrderWire), req) };
  });

  api.get('/api/v1/payment_orders/:order_id', ({ tenant, params }) => {
    const order = orderOr404(tenant, params.order_id);
    const payments = order.paymentIds.map((id) => tenant.payments.get(id)).filter((p) => p !== undefined);
    return { status: 200, json: paymentOrderExtendedWire(order, payments) };
  });

  api.put('/api/v1/payment_orders/:order_id', ({ tenant, params, body }) => {
    const order = orderOr404(tenant, params.order_id);
    const input = parseOr422(updatePaymentOrderSchema, body ?? {});
    // [INFER] the split rules can change only while money can still come in.
    if (order.status !== 'OPEN') throw forbidden('operation_forbidden', `PaymentOrder is ${order.status}; only an OPEN order can be updated`);
    if (input.split_parameters) order.splitParameters = input.split_parameters;
    if (input.split_tree_id) order.splitTreeId = input.split_tree_id;
    return { status: 204 };
  });

  api.put('/api/v1/payment_orders/:order_id/close', ({ tenant, params }) => {
    closeOrder(orderOr404(tenant, params.order_id));
    return { status: 204 };
  });

  // Splitting makes the order's allocations (sandbox/allocations.ts).
  api.put('/api/v1/payment_orders/:order_id/split', ({ tenant, params, body }) => {
    const order = orderOr404(tenant, params.order_id);
    splitOrder(ctx, tenant, order, parseOr422(fastForwardSchema, body));
    return { status: 204 };
  });

  api.put('/api/v1/payment_orders/:order_id/settle', ({ tenant, params, body }) => {
    const order = orderOr404(tenant, params.order_id);
    settleOrder(ctx, tenant, order, parseOr422(fastForwardSchema, body));
    return { status: 204 };
  });
}
