import { randomUUID } from 'node:crypto';
import type { SandboxContext } from '../context';
import { PAYMENT_STATUSES } from '../entities';
import { forbidden, PingError, unprocessable } from '../errors';
import { metadataKeys } from '../counters';
import { paginate } from '../http/pagination';
import type { PingApi } from '../http/pingApi';
import { boolFilter, dateFilter, enumFilter, inRange } from '../http/queryFilters';
import { createPaymentRecord, isFinal, setPaymentStatus, settleLater } from '../lifecycle';
import { checkProviderParameters, providerRule } from '../providers';
import { hasRefund, requestRefund } from '../refunds';
import { parseOr422 } from '../schemas/common';
import { initiatePaymentSchema, METHODS, PROVIDERS, reconcileSchema, refundSchema, updatePaymentSchema } from '../schemas/payments';
import { paymentWire } from '../wire';
import { orderOr404, paymentOr404 } from './lookups';

const PAYMENT = '/api/v1/payment_orders/:order_id/payments/:payment_id';

export function checkoutPageUrl(ctx: SandboxContext, paymentId: string): string {
  return `${ctx.publicUrl}/checkout/payments/${paymentId}`;
}

/** Payments (docs/ping-contract.md §2.4): initiate, read, list, update, stop, reconcile, refund. */
export function paymentRoutes(ctx: SandboxContext, api: PingApi): void {
  api.post('/api/v1/payment_orders/:order_id/payments', ({ tenant, params, body }) => {
    const order = orderOr404(tenant, params.order_id);
    const input = parseOr422(initiatePaymentSchema, body);
    if (input.currency !== order.currency) {
      throw unprocessable('currency_mismatch', `currency must equal the PaymentOrder's currency ${order.currency}`, 'currency');
    }
    const errors = checkProviderParameters(input.provider, input.method, input.currency, input.provider_method_parameters);
    if (errors.length) throw new PingError(422, errors);
    if (order.status !== 'OPEN') throw forbidden('payment_order_closed', 'Cannot initiate new Payments when PaymentOrder has been closed');

    const rule = providerRule(input.provider, input.method)!;
    const id = randomUUID();
    // Built before the record so a failure here leaves no half-made payment behind.
    const response = rule.response({
      paymentId: id,
      currency: input.currency,
      params: input.provider_method_parameters,
      checkoutPageUrl: checkoutPageUrl(ctx, id),
      invoiceUrl: `${ctx.publicUrl}/documents/payments/${id}/invoice.pdf`,
    });
    const payment = createPaymentRecord(ctx, order, {
      id,
      currency: input.currency,
      totalAmount: input.total_amount,
      orderItems: input.order_items,
      provider: input.provider,
      method: input.method,
      providerMethodParameters: input.provider_method_parameters,
      metadata: input.metadata,
      payer: input.payer,
      statusCallbackUrl: input.status_callback_url,
      initialStatus: rule.initialStatus,
    });
    payment.providerMethodResponse = response;
    if (rule.settlesAutomatically) settleLater(ctx, payment, rule.settlesAutomatically(input.provider_method_parameters));
    ctx.counters.created('payments', metadataKeys(input.metadata));
    return { status: 200, json: { id: payment.id, provider_method_response: response } };
  });

  api.get(PAYMENT, ({ tenant, params }) => ({
    status: 200,
    json: paymentWire(paymentOr404(tenant, params.order_id, params.payment_id)),
  }));

  api.get('/api/v1/payments', (req) => {
    const q = req.query;
    const from = dateFilter('from_initiated_date_time', q.from_initiated_date_time);
    const to = dateFilter('to_initiated_date_time', q.to_initiated_date_time);
    const status = enumFilter('status', q.status, PAYMENT_STATUSES);
    const method = enumFilter('method', q.method, METHODS);
    const provider = enumFilter('provider', q.provider, PROVIDERS);
    const refundRequested = boolFilter('is_refund_requested', q.is_refund_requested);
    const orderId = q.payment_order_id?.toLowerCase();
    const payments = [...req.tenant.payments.values()].filter(
      (p) =>
        inRange(p.initiatedAt, from, to) &&
        (status === undefined || p.status === status) &&
        (method === undefined || p.method === method) &&
        (provider === undefined || p.provider === provider) &&
        (!orderId || p.orderId === orderId) &&
        // A pending refund has been requested, so it counts here although the payment does not show it yet.
        (refundRequested === undefined || hasRefund(p) === refundRequested),
    );
    return { status: 200, json: paginate(payments.map(paymentWire), req) };
  });

  // An empty order_items is a 422 even for an unknown payment: validation comes first [TEST].
  api.put(PAYMENT, ({ tenant, params, body }) => {
    const input = parseOr422(updatePaymentSchema, body);
    const payment = paymentOr404(tenant, params.order_id, params.payment_id);
    if (isFinal(payment)) throw forbidden('operation_forbidden', `Payment is ${payment.status} and can no longer be changed`);
    payment.orderItems = input.order_items;
    payment.totalAmount = input.order_items.reduce((sum, i) => sum + i.amount, 0);
    return { status: 204 };
  });

  api.put(`${PAYMENT}/stop`, ({ tenant, params }) => {
    const payment = paymentOr404(tenant, params.order_id, params.payment_id);
    // [INFER] a finished payment cannot be stopped; the caller should read it instead.
    if (isFinal(payment)) throw forbidden('operation_forbidden', `Payment is ${payment.status} and cannot be stopped`);
    setPaymentStatus(ctx, payment, 'STOPPED', { providerData: { sandbox: 'stopped by tenant' } });
    return { status: 204 };
  });

  api.put(`${PAYMENT}/funding/reconcile`, ({ tenant, params, body }) => {
    const payment = paymentOr404(tenant, params.order_id, params.payment_id);
    const input = parseOr422(reconcileSchema, body ?? {});
    if (!['UNDERFUNDED', 'OVERFUNDED', 'FUNDED'].includes(payment.status)) {
      throw forbidden('operation_forbidden', `Payment is ${payment.status}; only UNDERFUNDED, OVERFUNDED or FUNDED payments are reconciled`);
    }
    const received = [...payment.statusHistory].reverse().find((h) => h.funds)?.funds?.received_total ?? payment.totalAmount;
    if (input.order_items) {
      const total = input.order_items.reduce((sum, i) => sum + i.amount, 0);
      if (total !== received) throw forbidden('amount_mismatch', `order_items total ${total} does not equal the received funds ${received}`);
      payment.orderItems = input.order_items;
      payment.totalAmount = total;
    } else if (payment.status !== 'FUNDED') {
      throw forbidden('amount_mismatch', 'order_items matching the received funds are required for an UNDERFUNDED or OVERFUNDED payment');
    }
    setPaymentStatus(ctx, payment, 'COMPLETED', { providerData: { sandbox: 'reconciled' } });
    return { status: 204 };
  });

  // Accepted PENDING, done `refundDelayMs` later (sandbox/refunds.ts). The fault plan's key for
  // this endpoint is "POST /payments/api/v1/payment_orders/:order_id/payments/:payment_id/refund".
  api.post(`${PAYMENT}/refund`, ({ tenant, params, body }) => {
    const payment = paymentOr404(tenant, params.order_id, params.payment_id);
    const input = parseOr422(refundSchema, body);
    const refund = requestRefund(ctx, orderOr404(tenant, params.order_id), payment, input);
    return { status: 200, json: { amount: refund.amount, currency: refund.currency, provider: payment.provider, status: refund.status } };
  });
}
