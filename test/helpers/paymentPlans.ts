import type { PaymentResource } from '../../domain/payment';

/**
 * What a load run intends for each payment, and what it must then find: the end state and the one
 * merchant event. Shared by the chaos run and the cluster run.
 */
export type Plan = 'link:pay' | 'link:cancel' | 'link:expire' | 'pis:pay' | 'pis:abort' | 'pis:timeout';

export const EXPECTED: Record<Plan, PaymentResource['status']> = {
  'link:pay': 'completed',
  'link:cancel': 'cancelled',
  'link:expire': 'expired',
  'pis:pay': 'completed',
  'pis:abort': 'cancelled',
  'pis:timeout': 'expired',
};

export const EVENT: Record<Plan, string> = {
  'link:pay': 'payment.paid',
  'link:cancel': 'payment.cancelled',
  'link:expire': 'payment.expired',
  'pis:pay': 'payment.paid',
  'pis:abort': 'payment.cancelled',
  'pis:timeout': 'payment.expired',
};

/** One wave: mostly paid payments of both flows, a merchant cancel, a payer abort, one of each running out of time. */
export const WAVE: Plan[] = ['link:pay', 'pis:pay', 'link:pay', 'pis:pay', 'link:cancel', 'pis:abort', 'link:pay', 'link:expire', 'pis:pay', 'pis:timeout'];
