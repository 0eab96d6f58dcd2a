import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { PingActivities } from '../activities/ping';
import { CREATE, CREATE_LOCAL, createPaymentCore, createPaymentOrder, LATER, mayHaveRunBefore, pingCreateLocal, type Outcome } from './paymentCore';
import { DEFAULT_PIS_TIMEOUT_SECONDS, type PisPaymentInput } from '../domain/requests';
import { type PaymentResource } from '../domain/payment';

const ping = proxyActivities<PingActivities>(LATER);

/**
 * Ping's payment statuses in our terms. The contract leaves their meaning open (§9); this reading:
 * ABORTED is the payer backing out, so `cancelled`; STOPPED is a stop at Ping (ours or the tenant's),
 * also `cancelled`; DECLINED, CRASHED and EXPIRED end `failed`, with Ping's status kept in the failure
 * code and the status history. Our own deadline ends `expired`.
 */
export function paymentOutcome({ status, history }: { status: string; history: Array<{ status: string; at: string }> }): Outcome {
  const seen = { pingStatus: status, pingHistory: history };
  switch (status) {
    case 'COMPLETED':
      return { kind: 'paid', ...seen };
    case 'ABORTED':
    case 'STOPPED':
      return { kind: 'cancelled', ...seen };
    case 'DECLINED':
    case 'CRASHED':
    case 'EXPIRED':
      return { kind: 'failed', ...seen };
    default:
      return { kind: 'pending', ...seen };
  }
}

/**
 * One open-banking payment (Ping `open_payments`/`pis`): order → initiate (bank checkout URL to the
 * caller) → wait for Ping's confirmed status, the payer's deadline or a cancel → receipt → merchant.
 */
export async function pisPayment(input: PisPaymentInput): Promise<PaymentResource> {
  const { request, paymentId } = input;
  const timeoutMs = (request.timeout_seconds ?? DEFAULT_PIS_TIMEOUT_SECONDS) * 1000;
  const deadlineMs = workflowInfo().startTime.getTime() + timeoutMs;
  const core = createPaymentCore({
    flow: 'pis',
    paymentId,
    fingerprint: input.fingerprint,
    timing: input.timing,
    amount: request.order_items.reduce((sum, item) => sum + item.amount, 0),
    currency: request.currency,
    merchantReference: request.reference,
    dueAt: new Date(deadlineMs).toISOString(),
    metadata: request.metadata,
    notifyUrl: request.notify_url,
    redirectUrls: { success: request.success_url, cancel: request.cancel_url, error: request.error_url },
  });

  let orderId: string;
  let pingPaymentId: string;
  try {
    const order = await createPaymentOrder(request.currency, core.lean);
    orderId = order.id;
    const summary = 'Initiate bank payment at Ping (open banking)';
    if (core.lean) {
      // Inside the first workflow task too; a run after a crash stops the earlier run's payment first.
      const initiated = await pingCreateLocal.initiatePisPayment.executeWithOptions({ ...CREATE_LOCAL, summary }, [
        { paymentId, orderId, request, lookFirst: mayHaveRunBefore(), startedAt: workflowInfo().startTime.toISOString() },
      ]);
      pingPaymentId = initiated.id;
      core.awaiting(initiated.checkoutUrl, { orderId, pingPaymentId });
    } else {
      core.setIds({ orderId });
      const initiated = await ping.initiatePisPayment.executeWithOptions({ ...CREATE, summary }, [{ paymentId, orderId, request }]);
      pingPaymentId = initiated.id;
      core.setIds({ pingPaymentId });
      core.awaiting(initiated.checkoutUrl);
    }
  } catch (err) {
    return core.fail(err);
  }

  const check = async () =>
    paymentOutcome(
      await core.reads.getPayment.executeWithOptions({ ...core.readOptions, summary: 'Check payment status at Ping' }, [{ orderId, paymentId: pingPaymentId }]),
    );
  const stop = (summary: string) => async () => {
    await ping.stopPayment.executeWithOptions({ ...LATER, summary }, [{ orderId, paymentId: pingPaymentId }]);
  };
  await core.waitForOutcome({
    check,
    deadlineMs,
    onDeadline: () => core.endAtPing('expired', stop('Stop payment at Ping: payer timed out'), check, 'payer did not finish in time', 'STOPPED'),
    onCancel: () => core.endAtPing('cancelled', stop('Stop payment at Ping: cancelled by merchant'), check, 'cancelled by merchant', 'STOPPED'),
  });

  const email = request.payer?.email;
  return core.settle(
    email
      ? {
          to: email,
          payerName: request.payer?.name,
          merchantName: request.merchant_name ?? request.reference ?? 'Ping Payments',
          items: request.order_items.map((i) => ({ description: i.name, quantity: 1, unitPriceMinor: i.amount, vatPercent: i.vat_rate })),
          reference: request.reference,
          locale: request.locale ?? 'sv-SE',
        }
      : undefined,
  );
}
