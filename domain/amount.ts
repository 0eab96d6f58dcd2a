import type { PaymentLinkRequest, PisPaymentRequest } from './requests';

/**
 * The amount of a request in minor units, computed here only: the API's search attribute and Web UI
 * summary, the workflow's resource and the total sent to Ping must never disagree.
 */
export function paymentLinkAmount(request: Pick<PaymentLinkRequest, 'items'>): number {
  return request.items.reduce((sum, item) => sum + item.price * item.quantity, 0);
}

export function pisPaymentAmount(request: Pick<PisPaymentRequest, 'order_items'>): number {
  return request.order_items.reduce((sum, item) => sum + item.amount, 0);
}
