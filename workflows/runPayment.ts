import { allHandlersFinished, condition, isCancellation } from '@temporalio/workflow';
import type { LatePaymentPolicy, PaymentResource, SettlementMode } from '../domain/payment';
import type { MoneyTiming, PollTiming } from '../domain/requests';
import { deliverOutcome, notifyMerchant, type ReceiptContent } from './deliveries';
import { failureFromError } from './failures';
import { mayHaveRunBefore } from './mayHaveRunBefore';
import { handleMessages } from './messageHandlers';
import { PaymentRecord, type PaymentOpening } from './paymentRecord';
import type { CreatedAtPing, PingAdapter } from './pingAdapter';
import { watchForLatePayment } from './latePayment';
import { refundLatePayment, settleOrRefund } from './settleOrRefund';
import { tellSubscription } from './subscriptionInvoice';
import { waitForOutcome, type Deadline } from './waitForOutcome';

export interface PaymentSpec extends PaymentOpening {
  /** Hash of the create request: a retry with the same Idempotency-Key must carry the same body. */
  fingerprint: string;
  timing: PollTiming;
  deadline?: Deadline;
  notifyUrl?: string;
  /** Without one (no payer e-mail), no receipt (and no refund mail) is sent. */
  receipt?: ReceiptContent;
  settlement: SettlementMode;
  latePayment: LatePaymentPolicy;
  money: MoneyTiming;
}

/** What a flow adds around the core: distribution for links, Ping's receipt once paid. */
export interface FlowExtras<C extends CreatedAtPing> {
  /** After the create, before waiting: the caller has its checkout URL already. */
  afterCreate?(created: C, payment: PaymentRecord): Promise<void>;
  /** Once paid, before the receipt e-mail. */
  afterPaid?(created: C, payment: PaymentRecord): Promise<void>;
}

/**
 * One payment, whatever the flow: create at Ping (the created update answers the API with the
 * checkout URL), the flow's extras, wait for the payer, the deadline or the merchant's cancel (ending
 * it at Ping), then the receipt and the merchant's event, and the money after it: settlement at
 * Ping after the hold, or a refund. A payment that ended unpaid watches for a late payment before it
 * closes. Ping's callbacks only wake the workflow; every decision rests on a status fetched from Ping.
 */
export async function runPayment<C extends CreatedAtPing>(spec: PaymentSpec, ping: PingAdapter<C>, extras: FlowExtras<C> = {}): Promise<PaymentResource> {
  const payment = new PaymentRecord(spec);
  const wakeUps = handleMessages(payment, spec.fingerprint);

  let created: C;
  try {
    created = await ping.create(mayHaveRunBefore());
  } catch (err) {
    if (isCancellation(err)) throw err;
    payment.refused(failureFromError(err));
    await Promise.all([notifyMerchant(payment, spec.notifyUrl, 'payment.failed'), tellSubscription(spec.subscriptionId, payment)]);
    return finish(payment);
  }
  payment.created(created.checkoutUrl, created.ids);

  await extras.afterCreate?.(created, payment);
  await waitForOutcome(payment, wakeUps, ping, created, spec.timing, spec.deadline);
  await tellSubscription(spec.subscriptionId, payment);
  const money = { notifyUrl: spec.notifyUrl, receipt: spec.receipt, timing: spec.timing };
  if (payment.status !== 'paid') {
    await deliverOutcome(payment, spec.notifyUrl, spec.receipt);
    const late = await watchForLatePayment(payment, wakeUps, ping, created, spec.timing, spec.money.latePaymentWindowMs);
    if (!late) return finish(payment);
    const accept = spec.latePayment === 'accept';
    payment.paidLate(late, accept);
    await notifyMerchant(payment, spec.notifyUrl, 'payment.paid_late');
    if (accept) await tellSubscription(spec.subscriptionId, payment);
    if (!accept) {
      await refundLatePayment(payment, wakeUps, money);
      return finish(payment);
    }
  }
  await extras.afterPaid?.(created, payment);
  await deliverOutcome(payment, spec.notifyUrl, spec.receipt);
  await settleOrRefund(payment, wakeUps, { ...money, settlement: spec.settlement, holdMs: spec.money.settlementHoldMs });
  return finish(payment);
}

/** Lets the `created` update's handler answer before the workflow closes. */
async function finish(payment: PaymentRecord): Promise<PaymentResource> {
  payment.showDetails();
  await condition(allHandlersFinished);
  return payment.view();
}
