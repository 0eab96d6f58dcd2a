import { ApplicationFailure } from '@temporalio/common';
import { PingApiError, type Payment, type PingClient } from '../ping';
import { PING_UNAVAILABLE } from '../domain/failureTypes';
import type { Allocation, Currency, PingRefundReason } from '../domain/payment';
import { call, toActivityFailure } from './pingCalls';

export interface MoneyActivityDeps {
  ping: PingClient;
}

/** Ping's payment-order statuses (docs/ping-contract.md §3.2). */
export type OrderStatus = 'OPEN' | 'CLOSED' | 'SPLIT' | 'SETTLED';

export interface RefundAtPing {
  orderId: string;
  /** Ping's payment id: the PIS payment, or the payment a link's checkout made. */
  paymentId: string;
  amount: number;
  currency: Currency;
  reason: PingRefundReason;
  description: string;
}

/** The statuses at which each settlement step has already happened (docs/ping-contract.md §2.3: OPEN → CLOSED → SPLIT → SETTLED). */
const DONE_AFTER = {
  close: ['CLOSED', 'SPLIT', 'SETTLED'],
  split: ['SPLIT', 'SETTLED'],
  settle: ['SETTLED'],
} as const satisfies Record<string, readonly OrderStatus[]>;

type Step = keyof typeof DONE_AFTER;

const isForbidden = (err: unknown): err is PingApiError => err instanceof PingApiError && err.status === 403;

/**
 * Whether Ping lists a refund on the payment. The contract gives a refund no status of its own, only
 * `{amount, refunded_at}` in `refund` or `refunds` (docs/ping-contract.md §2.4), so any entry counts:
 * the safe reading for a check whose other answer is a second refund.
 */
function refundsOf(payment: Payment): Array<{ refunded_at?: string | null }> {
  return [...(payment.refund ? [payment.refund] : []), ...(payment.refunds ?? [])];
}

/**
 * The money after a payment at Ping: the order's settlement (close → split → settle) and the
 * payment's refund. Every activity here is safe to repeat: each reads Ping's state first where a
 * repeat would otherwise be refused or doubled.
 */
export function createMoneyActivities({ ping }: MoneyActivityDeps) {
  const orderStatus = async (orderId: string): Promise<OrderStatus> => (await call(() => ping.getPaymentOrder(orderId))).status;
  const readPayment = (orderId: string, paymentId: string) => call(() => ping.getPayment(orderId, paymentId));

  /**
   * One step of the settlement, never fast-forwarded: a step Ping refuses must show, not be made up
   * for behind the workflow's back. The order is read first, because Ping refuses a step that is
   * already done (our emulator does, and Ping names no idempotent close: docs/ping-contract.md §2.3
   * [INFER]); a retry after a lost 204 then answers with the status instead of failing. A 403 may
   * still come from a race with that same lost call, so it is checked against a second read.
   */
  async function settlementStep(step: Step, orderId: string, run: () => Promise<void>): Promise<{ status: OrderStatus }> {
    const done: readonly OrderStatus[] = DONE_AFTER[step];
    const before = await orderStatus(orderId);
    if (done.includes(before)) return { status: before };
    try {
      await run();
    } catch (err) {
      if (isForbidden(err)) {
        const after = await orderStatus(orderId);
        if (done.includes(after)) return { status: after };
      }
      toActivityFailure(err);
    }
    // Ping answered 204: the step is done, and its status is the first one past it.
    return { status: done[0]! };
  }

  return {
    async closePaymentOrder(input: { orderId: string }): Promise<{ status: OrderStatus }> {
      return settlementStep('close', input.orderId, () => ping.closePaymentOrder(input.orderId));
    },

    async splitPaymentOrder(input: { orderId: string }): Promise<{ status: OrderStatus }> {
      return settlementStep('split', input.orderId, () => ping.splitPaymentOrder(input.orderId, { fastForward: false }));
    },

    async settlePaymentOrder(input: { orderId: string }): Promise<{ status: OrderStatus }> {
      return settlementStep('settle', input.orderId, () => ping.settlePaymentOrder(input.orderId, { fastForward: false }));
    },

    /** Only who gets how much (domain/payment.ts), to keep the workflow's history small. */
    async getAllocations(input: { orderId: string }): Promise<Allocation[]> {
      const allocations = await call(() => ping.getPaymentOrderAllocations(input.orderId));
      return allocations.map((a) => ({ recipient_type: a.recipient_type, merchant_id: a.merchant_id ?? null, amount: a.amount, currency: a.currency }));
    },

    /**
     * Ping's refund is a POST with no idempotency key: a retry after a lost answer would refund twice
     * if Ping allowed it. So the payment is read first, and a refund already listed there is
     * answered as done without posting (`alreadyRefunded`, and no Ping status, since no refund was
     * answered this time).
     */
    async refundPayment(input: RefundAtPing): Promise<{ pingStatus: string | null; alreadyRefunded: boolean }> {
      const { orderId, paymentId } = input;
      if (refundsOf(await readPayment(orderId, paymentId)).length > 0) return { pingStatus: null, alreadyRefunded: true };
      try {
        const answer = await ping.refundPayment(orderId, paymentId, {
          amount: input.amount,
          currency: input.currency,
          reason: input.reason,
          description: input.description,
        });
        return { pingStatus: answer.status ?? null, alreadyRefunded: false };
      } catch (err) {
        if (!(isForbidden(err) && err.codes.includes('already_refunded'))) return toActivityFailure(err);
        if (refundsOf(await readPayment(orderId, paymentId)).length > 0) return { pingStatus: null, alreadyRefunded: true };
        // Ping says refunded, but the payment does not list it yet: a refund Ping has taken but not
        // yet shows (the emulator shows one after a delay), likely an earlier attempt's whose answer
        // was lost. Neither a failure (the money is on its way back) nor a claim the payment does not
        // back up: retryable, and the next attempt's first read finds it.
        throw ApplicationFailure.create({
          message: 'Ping refused the refund as already refunded, but the payment does not show a refund yet',
          type: PING_UNAVAILABLE,
          details: [{ status: err.status ?? null, code: err.code, property: err.property ?? null }],
        });
      }
    },

    /**
     * Whether the payment shows a refund, and when (the latest `refunded_at` Ping gave). A listed
     * refund without a time still counts as refunded, with `refundedAt` null.
     */
    async getRefund(input: { orderId: string; paymentId: string }): Promise<{ refunded: boolean; refundedAt: string | null }> {
      const refunds = refundsOf(await readPayment(input.orderId, input.paymentId));
      const times = refunds.map((r) => r.refunded_at).filter((at): at is string => typeof at === 'string' && at !== '');
      const latest = times.reduce<string | null>((a, b) => (a === null || Date.parse(b) > Date.parse(a) ? b : a), null);
      return { refunded: refunds.length > 0, refundedAt: latest };
    },
  };
}

export type MoneyActivities = ReturnType<typeof createMoneyActivities>;
