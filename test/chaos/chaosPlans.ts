import type { PaymentEventType, PaymentResource, PaymentState } from '../../domain/payment';
import { EVENT, EXPECTED, type Plan } from '../helpers/paymentPlans';

/**
 * What the chaos run intends for each payment, with the money after it (docs/money.md): the
 * shared plans of test/helpers/paymentPlans.ts (a paid payment is now also settled at Ping), plus
 * refunds through the API and payments Ping completes after we ended them.
 */
export type ChaosPlan =
  | Plan
  /** Created with `"settlement": "manual"`, so it surely waits; paid, then refunded through the API. */
  | 'link:refund'
  | 'pis:refund'
  /** A PIS payment with a short `timeout_seconds`: it expires, then Ping completes it; refunded automatically. */
  | 'pis:late'
  /** The same, created with `"late_payment": "accept"`: paid late, completed and settled. */
  | 'pis:late-accept'
  /** A link the merchant cancels, then paid late at Ping (`"late": true`); refunded automatically. */
  | 'link:late';

export interface PlanSpec {
  flow: 'link' | 'pis';
  /** The state the payment must end in. */
  ends: PaymentState;
  /** Every merchant event it must get, once each (by event id). */
  events: PaymentEventType[];
  /** A receipt e-mail (it was paid in time, or accepted late). */
  receipt: boolean;
  /** Its order ends SETTLED at Ping (settlement.status `settled`). */
  settles: boolean;
  /** Ping holds a COMPLETED payment for it (paid in time or late). */
  paidAtPing: boolean;
  /** Refunded: exactly one refund at Ping and one refund e-mail. */
  refunded: boolean;
  /** Ping completes it after we ended it. */
  late: boolean;
}

function basePlan(plan: Plan): PlanSpec {
  const paid = EXPECTED[plan] === 'completed';
  return {
    flow: plan.startsWith('link') ? 'link' : 'pis',
    ends: EXPECTED[plan],
    events: [EVENT[plan] as PaymentEventType, ...(paid ? (['payment.settled'] as const) : [])],
    receipt: paid,
    settles: paid,
    paidAtPing: paid,
    refunded: false,
    late: false,
  };
}

const refundedInTime = (flow: 'link' | 'pis'): PlanSpec => ({
  flow,
  ends: 'refunded',
  events: ['payment.paid', 'payment.refunded'],
  receipt: true,
  settles: false,
  paidAtPing: true,
  refunded: true,
  late: false,
});

export const PLANS: Record<ChaosPlan, PlanSpec> = {
  'link:pay': basePlan('link:pay'),
  'link:cancel': basePlan('link:cancel'),
  'link:expire': basePlan('link:expire'),
  'pis:pay': basePlan('pis:pay'),
  'pis:abort': basePlan('pis:abort'),
  'pis:timeout': basePlan('pis:timeout'),
  'link:refund': refundedInTime('link'),
  'pis:refund': refundedInTime('pis'),
  'pis:late': {
    flow: 'pis',
    ends: 'refunded',
    events: ['payment.expired', 'payment.paid_late', 'payment.refunded'],
    receipt: false,
    settles: false,
    paidAtPing: true,
    refunded: true,
    late: true,
  },
  'pis:late-accept': {
    flow: 'pis',
    ends: 'completed',
    events: ['payment.expired', 'payment.paid_late', 'payment.paid', 'payment.settled'],
    receipt: true,
    settles: true,
    paidAtPing: true,
    refunded: false,
    late: true,
  },
  'link:late': {
    flow: 'link',
    ends: 'refunded',
    events: ['payment.cancelled', 'payment.paid_late', 'payment.refunded'],
    receipt: false,
    settles: false,
    paidAtPing: true,
    refunded: true,
    late: true,
  },
};

/**
 * One wave of 15: mostly paid payments of both flows (2 of the 8 paid in time are refunded through
 * the API, 25%), a merchant cancel, a payer abort, one of each running out of time, and three paid
 * late (one accepted). 30 payments are two waves.
 */
export const CHAOS_WAVE: ChaosPlan[] = [
  'link:pay',
  'pis:pay',
  'link:refund',
  'pis:pay',
  'link:cancel',
  'link:pay',
  'pis:abort',
  'pis:late',
  'link:pay',
  'link:expire',
  'pis:refund',
  'pis:pay',
  'pis:timeout',
  'pis:late-accept',
  'link:late',
];

/** Whether a payment shows what its plan intends. */
type Seen = Pick<PaymentResource, 'status' | 'settlement' | 'refund'>;

export function endedAsIntended(plan: ChaosPlan, p: Seen): boolean {
  const spec = PLANS[plan];
  if (p.status !== spec.ends) return false;
  return !spec.settles || p.settlement?.status === 'settled';
}

/**
 * Whether a payment can no longer reach what its plan intends (so the run stops waiting for it): a
 * state it cannot leave, or one it should never have reached. Expired and cancelled are not final
 * for a payment that will be paid late, nor completed for one to be refunded before settlement.
 * A refund Ping refused waits for another through the API, which this run never asks for.
 */
export function cannotGetThere(plan: ChaosPlan, p: Seen): boolean {
  const spec = PLANS[plan];
  if (endedAsIntended(plan, p)) return false;
  if (p.refund?.status === 'failed') return true;
  switch (p.status) {
    case 'creating':
    case 'awaiting_payment':
    case 'paid':
      return false;
    case 'expired':
    case 'cancelled':
      return !spec.late;
    case 'completed':
      // Still on its way to settlement (or to a refund): only a settled or failed one is done.
      return p.settlement?.status === 'settled' || p.settlement?.status === 'failed';
    default:
      return true; // failed, or refunded when it should not have been
  }
}
