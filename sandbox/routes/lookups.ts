import type { Payment, PaymentLink, PaymentOrder } from '../entities';
import { notFound } from '../errors';
import type { TenantState } from '../store';

/** Ids are looked up in the caller's tenant only; anything else (the zero UUID included) is a 404. */
export function orderOr404(tenant: TenantState, id: string): PaymentOrder {
  const order = tenant.orders.get(id.toLowerCase());
  if (!order) throw notFound('PaymentOrder', id);
  return order;
}

/** A payment is found only through its own order (docs/ping-contract.md §2.1 #10: a payment of another order is a 404). */
export function paymentOr404(tenant: TenantState, orderId: string, paymentId: string): Payment {
  const order = orderOr404(tenant, orderId);
  const payment = tenant.payments.get(paymentId.toLowerCase());
  if (!payment || payment.orderId !== order.id) throw notFound('Payment', paymentId);
  return payment;
}

export function linkOr404(tenant: TenantState, id: string): PaymentLink {
  const link = tenant.links.get(id.toLowerCase());
  if (!link) throw notFound('PaymentLink', id);
  return link;
}
