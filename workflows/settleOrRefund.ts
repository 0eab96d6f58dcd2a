import { condition } from '@temporalio/workflow';
import type { SettlementMode } from '../domain/payment';
import type { WakeUps } from './messageHandlers';
import type { PaymentRecord } from './paymentRecord';
import { refundPayer, type RefundContext } from './refund';
import { settle } from './settlement';

export interface AfterPaymentSpec extends RefundContext {
  settlement: SettlementMode;
  /** Automatic settlement waits this long after payment (SETTLEMENT_HOLD). */
  holdMs: number;
}

/**
 * A completed payment's money: through the hold (automatic) or until asked (manual), a refund
 * needs no claw-back from the merchants, so a refund asked for meanwhile goes first; then the order
 * is settled at Ping and the workflow closes. A failed refund goes back to waiting; a failed
 * settlement waits for `POST /settle` to try again. One timer for the hold, so the history stays small.
 */
export async function settleOrRefund(payment: PaymentRecord, wakeUps: WakeUps, spec: AfterPaymentSpec): Promise<void> {
  let holdEndsMs = spec.settlement === 'automatic' ? Date.now() + spec.holdMs : undefined;
  payment.settlementPending(spec.settlement, holdEndsMs === undefined ? null : new Date(holdEndsMs).toISOString());
  for (;;) {
    const asked = () => wakeUps.refund !== undefined || wakeUps.settleRequested;
    if (holdEndsMs === undefined) await condition(asked);
    else if (holdEndsMs > Date.now()) await condition(asked, holdEndsMs - Date.now());
    if (wakeUps.refund) {
      const { reason } = wakeUps.refund;
      wakeUps.refund = undefined;
      if (await refundPayer(payment, reason, spec)) return;
      continue;
    }
    wakeUps.settleRequested = false;
    await settle(payment, spec.notifyUrl);
    if (payment.settlement?.status === 'settled') return;
    holdEndsMs = undefined;
  }
}

/**
 * The automatic refund of a payment Ping completed after we had ended it. If Ping refuses it, the
 * payment waits for a refund through the API (an operator's), so the money is never left unaccounted.
 */
export async function refundLatePayment(payment: PaymentRecord, wakeUps: WakeUps, context: RefundContext): Promise<void> {
  payment.refundRequested('late_payment', 'paid after the payment had ended');
  let reason: Parameters<typeof refundPayer>[1] = 'other';
  while (!(await refundPayer(payment, reason, context))) {
    await condition(() => wakeUps.refund !== undefined);
    reason = wakeUps.refund!.reason;
    wakeUps.refund = undefined;
  }
}
