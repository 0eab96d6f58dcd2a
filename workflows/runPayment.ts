import { allHandlersFinished, condition, isCancellation } from '@temporalio/workflow';
import type { PaymentResource } from '../domain/payment';
import type { PollTiming } from '../domain/requests';
import { deliverOutcome, notifyMerchant, type ReceiptContent } from './deliveries';
import { failureFromError } from './failures';
import { mayHaveRunBefore } from './mayHaveRunBefore';
import { handleMessages } from './messageHandlers';
import { PaymentRecord, type PaymentOpening } from './paymentRecord';
import type { CreatedAtPing, PingAdapter } from './pingAdapter';
import { waitForOutcome, type Deadline } from './waitForOutcome';

export interface PaymentSpec extends PaymentOpening {
  /** Hash of the create request: a retry with the same Idempotency-Key must carry the same body. */
  fingerprint: string;
  timing: PollTiming;
  deadline?: Deadline;
  notifyUrl?: string;
  /** Without one (no payer e-mail), no receipt is sent. */
  receipt?: ReceiptContent;
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
 * it at Ping), then the receipt and the merchant's event. Ping's callbacks only wake the workflow;
 * every decision rests on a status fetched from Ping.
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
    await notifyMerchant(payment, spec.notifyUrl, 'payment.failed');
    return finish(payment);
  }
  payment.created(created.checkoutUrl, created.ids);

  await extras.afterCreate?.(created, payment);
  await waitForOutcome(payment, wakeUps, ping, created, spec.timing, spec.deadline);
  if (payment.status === 'paid') await extras.afterPaid?.(created, payment);
  await deliverOutcome(payment, spec.notifyUrl, spec.receipt);
  return finish(payment);
}

/** Lets the created/cancel update handlers answer before the workflow closes. */
async function finish(payment: PaymentRecord): Promise<PaymentResource> {
  payment.showDetails();
  await condition(allHandlersFinished);
  return payment.view();
}
