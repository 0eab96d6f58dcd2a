import type { SandboxContext } from './context';
import type { Currency, Payment, PaymentOrder, Refund } from './entities';
import { forbidden, PingError, unprocessable } from './errors';

/**
 * Refunds (docs/ping-contract.md §2.4, §8.13): full refunds only, one per payment, accepted PENDING
 * and done `refundDelayMs` later. The contract names no refund status values; PENDING is the
 * sandbox's ([INFER]) and tells a client that the money has not gone back yet, so it must read the
 * payment until its `refund` shows.
 */

export interface RefundRequest {
  amount: number;
  currency: Currency;
  description?: string | null | undefined;
  reason: string;
}

/** A pending refund counts: the payment may not be refunded again, nor allocated. */
export function hasRefund(payment: Payment): boolean {
  return payment.refunds.length > 0;
}

/** What the payment shows: only refunds that are done. */
export function completedRefunds(payment: Payment): Refund[] {
  return payment.refunds.filter((r) => r.status === 'COMPLETED');
}

export function requestRefund(ctx: SandboxContext, order: PaymentOrder, payment: Payment, input: RefundRequest): Refund {
  const injected = ctx.refundFailures.take(payment.id);
  if (injected) {
    ctx.counters.refund('failed_injected');
    throw new PingError(injected.status, { error: injected.error, description: 'Refused by the sandbox (POST /_sandbox/payments/:id/fail-refund); nothing was refunded' });
  }
  if (payment.status !== 'COMPLETED') throw forbidden('operation_forbidden', `Payment is ${payment.status}; only COMPLETED payments are refunded`);
  if (hasRefund(payment)) {
    ctx.counters.refund('refused_duplicate');
    throw forbidden('already_refunded', 'Payment has already been refunded');
  }
  // [INFER] Once an order is split its money belongs to the allocations' recipients (§2.7), so the
  // sandbox refuses to refund it rather than pay the same money out twice.
  if (order.status === 'SPLIT' || order.status === 'SETTLED') {
    throw forbidden('operation_forbidden', `PaymentOrder is ${order.status}; its money has been allocated and can no longer be refunded`);
  }
  if (input.currency !== payment.currency) throw unprocessable('currency_mismatch', 'currency must equal the payment currency', 'currency');
  // The SDK documents full refunds only.
  if (input.amount !== payment.totalAmount) throw unprocessable('invalid_value', 'amount must equal the payment amount', 'amount');

  const refund: Refund = {
    amount: input.amount,
    currency: input.currency,
    description: input.description ?? '',
    reason: input.reason,
    status: 'PENDING',
    requested_at: ctx.clock.iso(),
    refunded_at: null,
  };
  payment.refunds.push(refund);
  ctx.counters.refund('accepted');
  ctx.timers.after(ctx.refundDelayMs, () => {
    // A reset in between forgot the payment; nothing is left to complete.
    if (ctx.store.tenant(payment.tenantId).payments.get(payment.id) !== payment || refund.status !== 'PENDING') return;
    refund.status = 'COMPLETED';
    refund.refunded_at = ctx.clock.iso();
    ctx.counters.refund('completed');
  });
  return refund;
}
