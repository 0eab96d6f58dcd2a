import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { createMailActivities } from '../activities/mail';
import type { NotificationActivities } from '../activities/notifications';
import type { PingActivities } from '../activities/ping';
import {
  IDEMPOTENCY_KEY_REUSED,
  PAYMENT_FINAL,
  cancelUpdate,
  createdUpdate,
  fingerprintQuery,
  paymentQuery,
  pingCallbackSignal,
} from './messages';
import { failureFromError } from './failures';
import { formatAmount, formatInstant } from './format';
import { FINAL_STATES, type PaymentEventType, type PaymentFailure, type PaymentLinkInput, type PaymentResource, type PaymentState } from './paymentTypes';
import { PaymentFlow, PaymentStatus, AmountMinor, Currency, DueAt, MerchantReference, PingPaymentId, PingPaymentLinkId, PingPaymentOrderId } from './searchAttributes';

type MailActivities = ReturnType<typeof createMailActivities>;

/** Calls before the checkout URL: the API caller is waiting, so give up after a minute and say why. */
const CREATE: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds' },
};
/** Everything later: nobody waits, so keep trying through a Ping outage (4xx still stop at once). */
const LATER: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};
/** Receipts and merchant notifications: bounded, so a dead mailbox or endpoint cannot keep a payment open forever. */
const DELIVERY: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
};

const ping = proxyActivities<PingActivities>(LATER);
const mail = proxyActivities<MailActivities>(DELIVERY);
const notify = proxyActivities<NotificationActivities>(DELIVERY);

/**
 * One payment through a Ping payment link: order → link → (checkout URL to the caller) → distribution
 * → wait for the payer, the due date or a cancel → receipt → merchant notified. Ping's callbacks only
 * wake the workflow; every decision rests on a status fetched from Ping.
 */
export async function paymentLink(input: PaymentLinkInput): Promise<PaymentResource> {
  const { request, paymentId, timing } = input;
  const createdAt = workflowInfo().startTime.toISOString();
  const amount = request.items.reduce((sum, item) => sum + item.price * item.quantity, 0);
  const dueAtMs = request.due_at ? Date.parse(request.due_at) : undefined;

  // Widened on purpose: handlers and helpers change it, which TypeScript's narrowing cannot see.
  let status = 'creating' as PaymentState;
  let updatedAt = createdAt;
  let orderId: string | null = null;
  let linkId: string | null = null;
  let pingPaymentId: string | null = null;
  let checkoutUrl: string | null = null;
  let paidAt: string | null = null;
  let invoice: PaymentResource['invoice'] = null;
  let receiptUrl: string | null = null;
  let failure: PaymentFailure | null = null;
  let createdCalls = 0;
  let checkRequested = false;
  let cancelRequested = false;
  const sent = { sms: false, email: false, invoice: false };
  const events: PaymentResource['events'] = [];

  const isFinal = () => FINAL_STATES.includes(status);
  const now = () => new Date().toISOString(); // workflow time: deterministic on replay
  const record = (type: string, detail?: string) => {
    events.push({ type, at: now(), ...(detail ? { detail } : {}) });
  };

  const view = (): PaymentResource => ({
    id: paymentId,
    object: 'payment',
    flow: 'link',
    status,
    amount,
    currency: request.currency,
    merchant_reference: request.merchant_reference ?? null,
    checkout_url: checkoutUrl,
    ping_payment_order_id: orderId,
    ping_payment_link_id: linkId,
    ping_payment_id: pingPaymentId,
    due_at: request.due_at ?? null,
    created_at: createdAt,
    updated_at: updatedAt,
    paid_at: paidAt,
    distribution: sent,
    invoice,
    receipt_url: receiptUrl,
    failure,
    metadata: request.metadata ?? {},
    events: [...events],
  });

  /** What a support person reads first in the Web UI. */
  const describe = (): string => {
    const parts = [status.replace('_', ' ')];
    if (status === 'awaiting_payment' && request.due_at) parts[0] += `, due ${formatInstant(request.due_at)}`;
    if (sent.sms) parts.push('SMS sent');
    if (sent.email) parts.push('e-mail sent');
    if (invoice) parts.push(`invoice ${invoice.reference_type} ${invoice.reference}`);
    if (paidAt) parts.push(`paid ${formatInstant(paidAt)}`);
    if (receiptUrl) parts.push('receipt ready');
    if (failure) parts.push(`failed: ${failure.code}`);
    return `${parts[0]!.charAt(0).toUpperCase()}${parts.join('; ').slice(1)}`;
  };

  const moveTo = (next: PaymentState, detail?: string) => {
    status = next;
    updatedAt = now();
    record(next, detail);
    upsertSearchAttributes([{ key: PaymentStatus, value: next }]);
    setCurrentDetails(describe());
  };

  setHandler(paymentQuery, view);
  setHandler(fingerprintQuery, () => input.fingerprint);
  setHandler(pingCallbackSignal, ({ status: claimed }) => {
    record('ping_callback', claimed);
    checkRequested = true;
  });
  setHandler(
    createdUpdate,
    async () => {
      createdCalls += 1;
      const first = createdCalls === 1;
      await condition(() => status !== 'creating');
      return { payment: view(), first };
    },
    {
      validator: ({ fingerprint }) => {
        if (fingerprint !== input.fingerprint) {
          throw ApplicationFailure.create({
            type: IDEMPOTENCY_KEY_REUSED,
            nonRetryable: true,
            message: 'This Idempotency-Key was already used with a different request body',
          });
        }
      },
    },
  );
  setHandler(
    cancelUpdate,
    async () => {
      cancelRequested = true;
      // A payment paid while the cancel was on its way ends paid, not cancelled; the caller sees which.
      await condition(() => isFinal() || status === 'paid');
      return view();
    },
    {
      validator: () => {
        if (isFinal() || status === 'paid') {
          throw ApplicationFailure.create({ type: PAYMENT_FINAL, nonRetryable: true, message: `The payment is already ${status}` });
        }
      },
    },
  );

  upsertSearchAttributes([
    { key: PaymentFlow, value: 'link' },
    { key: AmountMinor, value: amount },
    { key: Currency, value: request.currency },
    ...(request.merchant_reference ? [{ key: MerchantReference, value: request.merchant_reference }] : []),
    ...(request.due_at ? [{ key: DueAt, value: new Date(request.due_at) }] : []),
  ]);
  moveTo('creating');

  /** Lets the created/cancel update handlers answer before the workflow closes. */
  const finish = async (): Promise<PaymentResource> => {
    setCurrentDetails(describe());
    await condition(allHandlersFinished);
    return view();
  };

  const notifyMerchant = async (type: PaymentEventType) => {
    if (!request.notify_url) return;
    try {
      await notify.notifyMerchant.executeWithOptions({ ...DELIVERY, summary: `Notify merchant: ${type}` }, [
        { url: request.notify_url, event: { id: `evt_${paymentId}_${type}`, type, created_at: now(), data: view() } },
      ]);
      record('merchant_notified', type);
    } catch (err) {
      if (isCancellation(err)) throw err;
      record('merchant_notification_failed', type);
    }
  };

  // 1. The order and the link, before the caller gets an answer.
  try {
    const order = await ping.createPaymentOrder.executeWithOptions({ ...CREATE, summary: 'Create payment order at Ping' }, [{ currency: request.currency }]);
    orderId = order.id;
    upsertSearchAttributes([{ key: PingPaymentOrderId, value: orderId }]);
    const link = await ping.createPaymentLink.executeWithOptions({ ...CREATE, summary: 'Create payment link at Ping' }, [{ paymentId, orderId, request }]);
    linkId = link.id;
    checkoutUrl = link.checkoutUrl;
    upsertSearchAttributes([{ key: PingPaymentLinkId, value: linkId }]);
  } catch (err) {
    if (isCancellation(err)) throw err;
    failure = failureFromError(err);
    moveTo('failed', failure.code);
    await notifyMerchant('payment.failed');
    return finish();
  }
  moveTo('awaiting_payment');

  // 2. Distribution. The link exists whatever happens here, so a failure is recorded, not fatal.
  const distribute = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      if (isCancellation(err)) throw err;
      record('distribution_failed', `${what}: ${failureFromError(err).message}`);
      log.warn('distribution failed', { what });
    }
  };
  const { distribution } = request;
  if (distribution?.sms || distribution?.email) {
    await distribute('sms/email', async () => {
      await ping.distributePaymentLink.executeWithOptions({ ...LATER, summary: 'Send payment link to payer (Ping SMS/e-mail)' }, [
        { linkId: linkId!, sms: !!distribution.sms, email: !!distribution.email, phone: request.customer.phone, emailAddress: request.customer.email },
      ]);
      sent.sms = !!distribution.sms;
      sent.email = !!distribution.email;
      record('link_distributed', [distribution.sms && 'sms', distribution.email && 'email'].filter(Boolean).join('+'));
    });
  }
  if (distribution?.invoice) {
    await distribute('invoice', async () => {
      invoice = await ping.createInvoice.executeWithOptions({ ...LATER, summary: `Create PDF invoice (${distribution.invoice!.reference_type})` }, [
        { linkId: linkId!, referenceType: distribution.invoice!.reference_type },
      ]);
      sent.invoice = true;
      record('invoice_created', `${invoice.reference_type} ${invoice.reference}`);
    });
  }
  setCurrentDetails(describe());

  // 3. Wait for the payer, the due date or a cancel; fetch Ping's truth on every wake-up.
  const applyLink = (link: { status: string; paymentId: string | null }): boolean => {
    if (link.status === 'COMPLETED') {
      pingPaymentId = link.paymentId;
      paidAt = now();
      if (pingPaymentId) upsertSearchAttributes([{ key: PingPaymentId, value: pingPaymentId }]);
      moveTo('paid');
      return true;
    }
    if (link.status === 'EXPIRED') moveTo('expired', 'expired at Ping');
    if (link.status === 'CANCELLED') moveTo('cancelled', 'cancelled at Ping');
    return isFinal();
  };
  const fetchLink = () => ping.getPaymentLink.executeWithOptions({ ...LATER, summary: 'Check payment link status at Ping' }, [{ linkId: linkId! }]);
  /** Cancels at Ping; if Ping refuses because the link moved on (paid a moment ago), its real status wins. */
  const cancelAtPing = async (target: 'cancelled' | 'expired') => {
    try {
      await ping.cancelPaymentLink.executeWithOptions({ ...LATER, summary: target === 'expired' ? 'Cancel expired link at Ping' : 'Cancel payment link at Ping' }, [
        { linkId: linkId! },
      ]);
    } catch (err) {
      if (isCancellation(err)) throw err;
      if (applyLink(await fetchLink())) return;
      throw err;
    }
    moveTo(target, target === 'expired' ? 'due date passed' : 'cancelled by merchant');
  };

  let pollDelay = timing.pollInitialMs;
  while (!isFinal() && status !== 'paid') {
    const untilDue = dueAtMs === undefined ? Infinity : Math.max(0, dueAtMs - Date.now());
    const woken = await condition(() => checkRequested || cancelRequested, Math.min(pollDelay, untilDue));
    if (cancelRequested) {
      await cancelAtPing('cancelled');
      break;
    }
    // A callback resets the backoff: Ping is talking, so the next silence is measured from here.
    pollDelay = woken ? timing.pollInitialMs : Math.min(pollDelay * 2, timing.pollMaxMs);
    checkRequested = false;
    if (applyLink(await fetchLink())) break;
    if (dueAtMs !== undefined && Date.now() >= dueAtMs) await cancelAtPing('expired');
  }

  // 4. Paid: receipt to the payer, word to the merchant.
  if (status === 'paid') {
    try {
      receiptUrl = (await ping.getReceipt.executeWithOptions({ ...LATER, summary: 'Fetch receipt from Ping' }, [{ linkId: linkId! }])).url;
      record('receipt_ready');
    } catch (err) {
      if (isCancellation(err)) throw err;
      record('receipt_failed', failureFromError(err).message);
    }
    if (request.customer.email) {
      try {
        await mail.sendReceiptEmail.executeWithOptions({ ...DELIVERY, summary: 'E-mail receipt to payer' }, [
          {
            paymentId,
            to: request.customer.email,
            payerName: `${request.customer.first_name} ${request.customer.last_name}`,
            merchantName: request.supplier.name,
            amountMinor: amount,
            currency: request.currency,
            items: request.items.map((i) => ({ description: i.description, quantity: i.quantity, unitPriceMinor: i.price, vatPercent: i.vat })),
            reference: request.merchant_reference,
            paidAt: paidAt!,
            receiptUrl: receiptUrl ?? undefined,
            locale: request.locale,
          },
        ]);
        record('receipt_emailed');
      } catch (err) {
        if (isCancellation(err)) throw err;
        record('receipt_email_failed', failureFromError(err).message);
      }
    }
    await notifyMerchant('payment.paid');
    moveTo('completed', `${formatAmount(amount, request.currency)} paid`);
  } else if (status === 'expired') {
    await notifyMerchant('payment.expired');
  } else if (status === 'cancelled') {
    await notifyMerchant('payment.cancelled');
  }
  return finish();
}
