import { workflowInfo } from '@temporalio/workflow';
import { pisPaymentAmount } from '../domain/amount';
import type { PaymentResource } from '../domain/payment';
import { DEFAULT_PIS_TIMEOUT_SECONDS, type PisPaymentInput, type PisPaymentRequest } from '../domain/requests';
import { CHANGE_OPTIONS, CREATE_OPTIONS, pingChanges, pingCreates, pingReads, READ_OPTIONS } from './activityOptions';
import type { Outcome } from './outcome';
import type { PingAdapter } from './pingAdapter';
import { runPayment } from './runPayment';

interface CreatedPisPayment {
  checkoutUrl: string;
  ids: { orderId: string; pingPaymentId: string };
}

/**
 * Ping's payment statuses in our terms. The contract leaves their meaning open
 * (docs/ping-contract.md §9); this reading: ABORTED is the payer backing out, so `cancelled`; STOPPED
 * is a stop at Ping (ours or the tenant's), also `cancelled`; DECLINED, CRASHED and EXPIRED end
 * `failed`, with Ping's status kept in the failure code and the status history. Our own deadline
 * ends `expired`.
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

function pisPaymentAtPing(paymentId: string, request: PisPaymentRequest): PingAdapter<CreatedPisPayment> {
  return {
    async create(lookFirst) {
      // Inside the first workflow task too; a run after a crash stops the earlier run's payment first.
      const initiated = await pingCreates.initiatePisPayment.executeWithOptions(
        { ...CREATE_OPTIONS, summary: 'Initiate bank payment at Ping (open banking, with its payment order)' },
        [{ paymentId, request, lookFirst, startedAt: workflowInfo().startTime.toISOString() }],
      );
      return { checkoutUrl: initiated.checkoutUrl, ids: { orderId: initiated.orderId, pingPaymentId: initiated.pingPaymentId } };
    },
    async check({ ids }) {
      return paymentOutcome(
        await pingReads.getPayment.executeWithOptions({ ...READ_OPTIONS, summary: 'Check payment status at Ping' }, [{ orderId: ids.orderId, paymentId: ids.pingPaymentId }]),
      );
    },
    async stop({ ids }, reason) {
      const summary = reason === 'expired' ? 'Stop payment at Ping: payer timed out' : 'Stop payment at Ping: cancelled by merchant';
      await pingChanges.stopPayment.executeWithOptions({ ...CHANGE_OPTIONS, summary }, [{ orderId: ids.orderId, paymentId: ids.pingPaymentId }]);
    },
    stoppedStatus: 'STOPPED',
  };
}

/**
 * One open-banking payment (Ping `open_payments`/`pis`): order and initiation (the bank's checkout
 * URL to the caller) → wait for Ping's confirmed status, the payer's deadline or a cancel → receipt →
 * merchant notified.
 */
export async function pisPayment(input: PisPaymentInput): Promise<PaymentResource> {
  const { request, paymentId } = input;
  const deadlineMs = workflowInfo().startTime.getTime() + (request.timeout_seconds ?? DEFAULT_PIS_TIMEOUT_SECONDS) * 1000;
  const email = request.payer?.email;
  const spec = {
    flow: 'pis' as const,
    paymentId,
    fingerprint: input.fingerprint,
    timing: input.timing,
    amount: pisPaymentAmount(request),
    currency: request.currency,
    merchantReference: request.reference,
    dueAt: new Date(deadlineMs).toISOString(),
    dueAtUnknownToApi: true,
    deadline: { atMs: deadlineMs, detail: 'payer did not finish in time' },
    metadata: request.metadata,
    notifyUrl: request.notify_url,
    settlement: request.settlement ?? ('automatic' as const),
    latePayment: request.late_payment ?? ('refund' as const),
    money: input.money,
    redirectUrls: { success: request.success_url, cancel: request.cancel_url, error: request.error_url },
    receipt: email
      ? {
          to: email,
          payerName: request.payer?.name,
          merchantName: request.merchant_name ?? request.reference ?? 'Ping Payments',
          items: request.order_items.map((i) => ({ description: i.name, quantity: 1, unitPriceMinor: i.amount, vatPercent: i.vat_rate })),
          reference: request.reference,
          locale: request.locale ?? 'sv-SE',
        }
      : undefined,
  };
  return runPayment(spec, pisPaymentAtPing(paymentId, request));
}
