import { isCancellation, log, proxyActivities } from '@temporalio/workflow';
import type { PingActivities } from '../activities/ping';
import { failureFromError } from './failures';
import { CREATE, CREATE_LOCAL, createPaymentCore, createPaymentOrder, LATER, mayHaveRunBefore, pingCreateLocal, type Outcome } from './paymentCore';
import type { PaymentLinkInput } from '../domain/requests';
import type { PaymentResource } from '../domain/payment';

const ping = proxyActivities<PingActivities>(LATER);


/** Ping's link statuses in our terms. */
function linkOutcome(link: { status: string; paymentId: string | null }): Outcome {
  switch (link.status) {
    case 'COMPLETED':
      return { kind: 'paid', pingStatus: link.status, pingPaymentId: link.paymentId };
    case 'EXPIRED':
      return { kind: 'expired', pingStatus: link.status };
    case 'CANCELLED':
      return { kind: 'cancelled', pingStatus: link.status };
    default:
      return { kind: 'pending', pingStatus: link.status };
  }
}

/**
 * One payment through a Ping payment link: order → link → (checkout URL to the caller) → distribution
 * → wait for the payer, the due date or a cancel → receipt → merchant notified. Ping's callbacks only
 * wake the workflow; every decision rests on a status fetched from Ping.
 */
export async function paymentLink(input: PaymentLinkInput): Promise<PaymentResource> {
  const { request, paymentId } = input;
  const core = createPaymentCore({
    flow: 'link',
    paymentId,
    fingerprint: input.fingerprint,
    timing: input.timing,
    amount: request.items.reduce((sum, item) => sum + item.price * item.quantity, 0),
    currency: request.currency,
    merchantReference: request.merchant_reference,
    dueAt: request.due_at,
    metadata: request.metadata,
    notifyUrl: request.notify_url,
    redirectUrls: { success: request.success_url ?? null, cancel: request.cancel_url ?? null, error: null },
  });
  const { payment } = core;

  // 1. The order and the link, before the caller gets an answer.
  let linkId: string;
  try {
    const order = await createPaymentOrder(request.currency, core.lean);
    if (core.lean) {
      // Both creates inside the first workflow task: the caller's answer waits for no other task.
      const link = await pingCreateLocal.createPaymentLink.executeWithOptions({ ...CREATE_LOCAL, summary: 'Create payment link at Ping' }, [
        { paymentId, orderId: order.id, request, lookFirst: mayHaveRunBefore() },
      ]);
      linkId = link.id;
      // A link found from an earlier run belongs to that run's order.
      core.awaiting(link.checkoutUrl, { orderId: link.orderId, linkId });
    } else {
      core.setIds({ orderId: order.id });
      const link = await ping.createPaymentLink.executeWithOptions({ ...CREATE, summary: 'Create payment link at Ping' }, [{ paymentId, orderId: order.id, request }]);
      linkId = link.id;
      core.setIds({ linkId });
      core.awaiting(link.checkoutUrl);
    }
  } catch (err) {
    return core.fail(err);
  }

  // 2. Distribution. The link exists whatever happens here, so a failure is recorded, not fatal.
  const distribute = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      if (isCancellation(err)) throw err;
      core.record('distribution_failed', `${what}: ${failureFromError(err).message}`);
      log.warn('distribution failed', { what });
    }
  };
  const { distribution } = request;
  if (distribution?.sms || distribution?.email) {
    await distribute('sms/email', async () => {
      await ping.distributePaymentLink.executeWithOptions({ ...LATER, summary: 'Send payment link to payer (Ping SMS/e-mail)' }, [
        { linkId, sms: !!distribution.sms, email: !!distribution.email, phone: request.customer.phone, emailAddress: request.customer.email },
      ]);
      payment.distribution.sms = !!distribution.sms;
      payment.distribution.email = !!distribution.email;
      core.record('link_distributed', [distribution.sms && 'sms', distribution.email && 'email'].filter(Boolean).join('+'));
    });
  }
  const invoiceType = distribution?.invoice?.reference_type;
  if (invoiceType) {
    await distribute('invoice', async () => {
      const invoice = await ping.createInvoice.executeWithOptions({ ...LATER, summary: `Create PDF invoice (${invoiceType})` }, [{ linkId, referenceType: invoiceType }]);
      payment.invoice = invoice;
      payment.distribution.invoice = true;
      core.record('invoice_created', `${invoice.reference_type} ${invoice.reference}`);
    });
  }
  core.showDetails();

  // 3. Wait for the payer, the due date or a cancel.
  const check = async () =>
    linkOutcome(await core.reads.getPaymentLink.executeWithOptions({ ...core.readOptions, summary: 'Check payment link status at Ping' }, [{ linkId }]));
  const cancelLink = (summary: string) => async () => {
    await ping.cancelPaymentLink.executeWithOptions({ ...LATER, summary }, [{ linkId }]);
  };
  await core.waitForOutcome({
    check,
    deadlineMs: request.due_at ? Date.parse(request.due_at) : undefined,
    onDeadline: () => core.endAtPing('expired', cancelLink('Cancel expired link at Ping'), check, 'due date passed', 'CANCELLED'),
    onCancel: () => core.endAtPing('cancelled', cancelLink('Cancel payment link at Ping'), check, 'cancelled by merchant', 'CANCELLED'),
  });

  // 4. Paid: Ping's receipt, e-mailed to the payer; the merchant is told either way.
  if (payment.status === 'paid') {
    try {
      payment.receipt_url = (await core.reads.getReceipt.executeWithOptions({ ...core.readOptions, summary: 'Fetch receipt from Ping' }, [{ linkId }])).url;
      core.record('receipt_ready');
    } catch (err) {
      if (isCancellation(err)) throw err;
      core.record('receipt_failed', failureFromError(err).message);
    }
  }
  return core.settle(
    request.customer.email
      ? {
          to: request.customer.email,
          payerName: `${request.customer.first_name} ${request.customer.last_name}`,
          merchantName: request.supplier.name,
          items: request.items.map((i) => ({ description: i.description, quantity: i.quantity, unitPriceMinor: i.price, vatPercent: i.vat })),
          reference: request.merchant_reference,
          locale: request.locale,
        }
      : undefined,
  );
}
