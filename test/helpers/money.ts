import type { PaymentResource } from '../../domain/payment';
import { linkRequest, pisRequest, type PaymentsStack } from './paymentsStack';

/** The sandbox's endpoints that move money: what "nothing sent to Ping" is counted on. */
export const PING_REFUND = 'POST /payments/api/v1/payment_orders/:order_id/payments/:payment_id/refund';
export const PING_CLOSE = 'PUT /payments/api/v1/payment_orders/:order_id/close';
export const PING_SPLIT = 'PUT /payments/api/v1/payment_orders/:order_id/split';
export const PING_SETTLE = 'PUT /payments/api/v1/payment_orders/:order_id/settle';

export interface MoneyAtPing {
  refundCalls: number;
  closeCalls: number;
  splitCalls: number;
  settleCalls: number;
  refunds: { accepted: number; completed: number; refused_duplicate: number; failed_injected: number };
}

/** The sandbox's counters of refund and settlement calls, and of the refunds it took. */
export async function moneyAtPing(stack: PaymentsStack): Promise<MoneyAtPing> {
  const counters = await stack.control('GET', '/counters');
  const calls = counters.calls as Record<string, number>;
  return {
    refundCalls: calls[PING_REFUND] ?? 0,
    closeCalls: calls[PING_CLOSE] ?? 0,
    splitCalls: calls[PING_SPLIT] ?? 0,
    settleCalls: calls[PING_SETTLE] ?? 0,
    refunds: counters.refunds,
  };
}

/** The merchant events received for one payment, in order of arrival. */
export function eventTypes(stack: PaymentsStack, paymentId: string): string[] {
  return stack.merchant.events.filter((e) => e.event.data.id === paymentId).map((e) => e.event.type);
}

/** Waits until the merchant has received `type` for the payment; returns that event (and whether its signature verified). */
export async function waitForEvent(stack: PaymentsStack, paymentId: string, type: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = stack.merchant.events.find((e) => e.event.data.id === paymentId && e.event.type === type);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${type} for ${paymentId} within ${timeoutMs} ms; received: ${JSON.stringify(eventTypes(stack, paymentId))}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** An allocation as our resource shows it: Ping's allocation narrowed to who gets how much. */
export function asOurAllocation(a: { recipient_type: string; merchant_id?: string | null; amount: number; currency: string }) {
  return { recipient_type: a.recipient_type, merchant_id: a.merchant_id ?? null, amount: a.amount, currency: a.currency };
}

/** Creates a payment of the flow (events to the stack's merchant receiver) and has the payer pay it at the sandbox. */
export async function createAndPay(stack: PaymentsStack, flow: 'link' | 'pis', overrides: Record<string, unknown> = {}): Promise<PaymentResource> {
  const created =
    flow === 'link'
      ? await stack.call('POST', '/v1/payment-links', linkRequest({ notify_url: stack.merchant.url, ...overrides }))
      : await stack.call('POST', '/v1/pis-payments', pisRequest({ notify_url: stack.merchant.url, ...overrides }));
  expect(created.status).toBe(201);
  if (flow === 'link') await stack.control('POST', `/payment-links/${created.body.ping_payment_link_id}/pay`, {});
  else await stack.control('POST', `/payments/${created.body.ping_payment_id}/status`, { status: 'COMPLETED' });
  return created.body as PaymentResource;
}
