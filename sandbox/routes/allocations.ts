import { allocationsOf, isSplit } from '../allocations';
import type { PaymentOrder } from '../entities';
import { forbidden } from '../errors';
import { paginate } from '../http/pagination';
import type { PingApi } from '../http/pingApi';
import { idFilter } from '../http/queryFilters';
import { allocationWire } from '../wire';
import { orderOr404 } from './lookups';

function requireSplit(order: PaymentOrder): void {
  if (!isSplit(order)) throw forbidden('operation_forbidden', `PaymentOrder is ${order.status}; allocations exist once it has been split`);
}

/** Allocations (docs/ping-contract.md §2.1 #8 and #19, §2.7), made when an order is split. */
export function allocationRoutes(api: PingApi): void {
  // A bare array (§2.2). [INFER] Before the split it is a 403, as the list filtered by the order is.
  api.get('/api/v1/payment_orders/:order_id/allocations', ({ tenant, params }) => {
    const order = orderOr404(tenant, params.order_id);
    requireSplit(order);
    return { status: 200, json: allocationsOf(tenant, order.id).map(allocationWire) };
  });

  api.get('/api/v1/allocations', (req) => {
    const q = req.query;
    const paymentId = idFilter('payment_id', q.payment_id);
    const orderId = idFilter('payment_order_id', q.payment_order_id);
    const disbursementId = idFilter('disbursement_id', q.disbursement_id);
    const payoutId = idFilter('payout_id', q.payout_id);
    const merchantId = idFilter('merchant_id', q.merchant_id);
    // [INFER] An order the tenant does not have is a 404, as an unknown id is everywhere else (§6).
    if (orderId !== undefined) requireSplit(orderOr404(req.tenant, orderId));
    const allocations = [...req.tenant.allocations.values()].filter(
      (a) =>
        // The sandbox makes no payouts, so no allocation belongs to one.
        payoutId === undefined &&
        (paymentId === undefined || a.paymentId === paymentId) &&
        (orderId === undefined || a.orderId === orderId) &&
        (disbursementId === undefined || a.disbursementId === disbursementId) &&
        (merchantId === undefined || a.merchantId === merchantId),
    );
    return { status: 200, json: paginate(allocations.map(allocationWire), req) };
  });
}
