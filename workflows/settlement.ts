import { isCancellation, metricMeter } from '@temporalio/workflow';
import { CHANGE_OPTIONS, moneyChanges, moneyReads, READ_OPTIONS } from './activityOptions';
import { notifyMerchant } from './deliveries';
import { failureFromError } from './failures';
import type { PaymentRecord } from './paymentRecord';

/**
 * Settles a paid payment's order at Ping: close → split → read the allocations back → settle
 * (docs/money.md). Each step is an activity that reads the order first, so a repeat after a lost
 * answer is harmless. Ping refusing a step (a 4xx) ends the settlement `failed` with Ping's code and
 * leaves the payment paid: the money is still at Ping, and `POST /settle` tries again. Ping being
 * down is not a failure: the steps retry until it answers.
 */
export async function settle(payment: PaymentRecord, notifyUrl: string | undefined): Promise<void> {
  // A paid payment always has its order: it was created before the checkout URL existed.
  const orderId = payment.view().ping_payment_order_id!;
  payment.settlementBegins();
  try {
    payment.orderMoved((await moneyChanges.closePaymentOrder.executeWithOptions({ ...CHANGE_OPTIONS, summary: 'Close payment order at Ping' }, [{ orderId }])).status);
    payment.orderMoved((await moneyChanges.splitPaymentOrder.executeWithOptions({ ...CHANGE_OPTIONS, summary: 'Split payment order at Ping' }, [{ orderId }])).status);
    payment.allocated(await moneyReads.getAllocations.executeWithOptions({ ...READ_OPTIONS, summary: 'Read allocations from Ping' }, [{ orderId }]));
    payment.orderMoved((await moneyChanges.settlePaymentOrder.executeWithOptions({ ...CHANGE_OPTIONS, summary: 'Settle payment order at Ping' }, [{ orderId }])).status);
  } catch (err) {
    if (isCancellation(err)) throw err;
    payment.settlementFailed(failureFromError(err));
    // What an operator's alert watches; the payment's search attribute SettlementStatus=failed lists them.
    metricMeter.createCounter('payment_settlement_failures', 'count', 'Payments whose settlement Ping refused').add(1);
    await notifyMerchant(payment, notifyUrl, 'payment.settlement_failed');
    return;
  }
  payment.settled();
  await notifyMerchant(payment, notifyUrl, 'payment.settled');
}
