import { isCancellation, log, setHandler } from '@temporalio/workflow';
import { paymentLinkAmount } from '../domain/amount';
import type { PaymentResource } from '../domain/payment';
import type { PaymentLinkInput, PaymentLinkRequest } from '../domain/requests';
import { CHANGE_OPTIONS, CREATE_OPTIONS, pingChanges, pingCreates, pingReads, READ_OPTIONS } from './activityOptions';
import { failureFromError } from './failures';
import type { Outcome } from './outcome';
import type { PaymentRecord } from './paymentRecord';
import type { PingAdapter } from './pingAdapter';
import { runPayment } from './runPayment';
import { sendLinkSignal, type SendLinkRequest } from '../domain/messages';

interface CreatedLink {
  checkoutUrl: string;
  ids: { orderId: string; linkId: string };
}

/** Ping's link statuses in our terms. */
export function linkOutcome(link: { status: string; paymentId: string | null }): Outcome {
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

function linkAtPing(paymentId: string, request: PaymentLinkRequest): PingAdapter<CreatedLink> {
  return {
    async create(lookFirst) {
      // Order and link in one local activity, inside the first workflow task: the caller's answer waits for no other task.
      const link = await pingCreates.createPaymentLink.executeWithOptions({ ...CREATE_OPTIONS, summary: 'Create payment link at Ping (with its payment order)' }, [
        { paymentId, request, lookFirst },
      ]);
      return { checkoutUrl: link.checkoutUrl, ids: { orderId: link.orderId, linkId: link.linkId } };
    },
    async check({ ids }) {
      return linkOutcome(await pingReads.getPaymentLink.executeWithOptions({ ...READ_OPTIONS, summary: 'Check payment link status at Ping' }, [{ linkId: ids.linkId }]));
    },
    async stop({ ids }, reason) {
      const summary = reason === 'expired' ? 'Cancel expired link at Ping' : 'Cancel payment link at Ping';
      await pingChanges.cancelPaymentLink.executeWithOptions({ ...CHANGE_OPTIONS, summary }, [{ linkId: ids.linkId }]);
    },
    stoppedStatus: 'CANCELLED',
  };
}

/**
 * The link again, through Ping. A subscription's reminder goes the way the link first went out (a
 * link first sent only as a PDF invoice, whose OCR stays the same, by e-mail, or SMS, to what contact
 * there is); a requested send by its one channel, to the contact it names or the link's own.
 */
async function sendAgain(request: PaymentLinkRequest, { ids }: CreatedLink, payment: PaymentRecord, send: SendLinkRequest): Promise<void> {
  const { distribution, customer } = request;
  const event = send.reason === 'reminder' ? 'reminder' : 'link_resend';
  const first = distribution?.sms || distribution?.email;
  const channels = send.channel
    ? { sms: send.channel === 'sms', email: send.channel === 'email' }
    : first
      ? { sms: !!distribution?.sms, email: !!distribution?.email }
      : { sms: !customer.email && !!customer.phone, email: !!customer.email };
  const phone = send.channel === 'sms' ? (send.to ?? customer.phone) : customer.phone;
  const emailAddress = send.channel === 'email' ? (send.to ?? customer.email) : customer.email;
  if ((channels.sms && !phone) || (channels.email && !emailAddress) || (!channels.sms && !channels.email)) {
    return payment.record(`${event}_failed`, 'no e-mail address or phone number to send it to');
  }
  try {
    await pingChanges.distributePaymentLink.executeWithOptions({ ...CHANGE_OPTIONS, summary: `${send.reason === 'reminder' ? 'Remind payer' : 'Send to payer'}: payment link again (Ping SMS/e-mail)` }, [
      { linkId: ids.linkId, ...channels, phone, emailAddress },
    ]);
    payment.record(`${event}_sent`, [channels.sms && 'sms', channels.email && 'email'].filter(Boolean).join('+'));
  } catch (err) {
    if (isCancellation(err)) throw err;
    payment.record(`${event}_failed`, failureFromError(err).message);
  }
}

/** Ping's SMS/e-mail and the PDF invoice. The link exists whatever happens here, so a failure is recorded, not fatal. */
async function distribute(request: PaymentLinkRequest, { ids }: CreatedLink, payment: PaymentRecord): Promise<void> {
  const attempt = async (what: string, send: () => Promise<void>) => {
    try {
      await send();
    } catch (err) {
      if (isCancellation(err)) throw err;
      payment.record('distribution_failed', `${what}: ${failureFromError(err).message}`);
      log.warn('distribution failed', { what });
    }
  };
  const { distribution, customer } = request;
  if (distribution?.sms || distribution?.email) {
    const channels = { sms: !!distribution.sms, email: !!distribution.email };
    await attempt('sms/email', async () => {
      await pingChanges.distributePaymentLink.executeWithOptions({ ...CHANGE_OPTIONS, summary: 'Send payment link to payer (Ping SMS/e-mail)' }, [
        { linkId: ids.linkId, ...channels, phone: customer.phone, emailAddress: customer.email },
      ]);
      payment.linkDistributed(channels);
    });
  }
  const referenceType = distribution?.invoice?.reference_type;
  if (referenceType) {
    await attempt('invoice', async () => {
      payment.invoiceCreated(
        await pingChanges.createInvoice.executeWithOptions({ ...CHANGE_OPTIONS, summary: `Create PDF invoice (${referenceType})` }, [{ linkId: ids.linkId, referenceType }]),
      );
    });
  }
}

/** Ping's receipt for a paid link; without it the e-mail still goes out, with our own summary. */
async function fetchReceipt({ ids }: CreatedLink, payment: PaymentRecord): Promise<void> {
  try {
    payment.receiptReady((await pingReads.getReceipt.executeWithOptions({ ...READ_OPTIONS, summary: 'Fetch receipt from Ping' }, [{ linkId: ids.linkId }])).url);
  } catch (err) {
    if (isCancellation(err)) throw err;
    payment.record('receipt_failed', failureFromError(err).message);
  }
}

/**
 * One payment through a Ping payment link: order and link (checkout URL to the caller) →
 * distribution → wait for the payer, the due date or a cancel → receipt → merchant notified.
 */
export async function paymentLink(input: PaymentLinkInput): Promise<PaymentResource> {
  const { request, paymentId } = input;
  const spec = {
    flow: 'link' as const,
    paymentId,
    fingerprint: input.fingerprint,
    timing: input.timing,
    amount: paymentLinkAmount(request),
    currency: request.currency,
    merchantReference: request.merchant_reference,
    subscriptionId: input.subscriptionId,
    dueAt: request.due_at,
    deadline: request.due_at ? { atMs: Date.parse(request.due_at), detail: 'due date passed' } : undefined,
    metadata: request.metadata,
    notifyUrl: request.notify_url,
    settlement: request.settlement ?? ('automatic' as const),
    latePayment: request.late_payment ?? ('refund' as const),
    money: input.money,
    redirectUrls: { success: request.success_url ?? null, cancel: request.cancel_url ?? null, error: null },
    receipt: request.customer.email
      ? {
          to: request.customer.email,
          payerName: `${request.customer.first_name} ${request.customer.last_name}`,
          merchantName: request.supplier.name,
          items: request.items.map((i) => ({ description: i.description, quantity: i.quantity, unitPriceMinor: i.price, vatPercent: i.vat })),
          reference: request.merchant_reference,
          locale: request.locale,
        }
      : undefined,
  };
  return runPayment(spec, linkAtPing(paymentId, request), {
    afterCreate: (created, payment) => {
      // From the link's creation on; a payment decided by the time a request is handled sends nothing.
      setHandler(sendLinkSignal, async (send) => {
        if (!payment.isDecided) await sendAgain(request, created, payment, send);
      });
      return distribute(request, created, payment);
    },
    afterPaid: fetchReceipt,
  });
}
