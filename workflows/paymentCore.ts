import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { PingActivities } from '../activities/ping';
import type { createMailActivities, ReceiptEmailInput } from '../activities/mail';
import type { NotificationActivities } from '../activities/notifications';
import { merchantEventId } from '../domain/ids';
import { failureFromError } from './failures';
import { formatAmount, formatInstant } from '../domain/format';
import { cancelUpdate, createdUpdate, fingerprintQuery, payerReturnedSignal, paymentQuery, pingCallbackSignal } from '../domain/messages';
import { IDEMPOTENCY_KEY_REUSED, PAYMENT_FINAL } from '../domain/failureTypes';
import { FINAL_STATES, type Currency, type PaymentEventType, type PaymentFlow, type PaymentResource, type PaymentState } from '../domain/payment';
import { type PollTiming } from '../domain/requests';
import { AmountMinor, Currency as CurrencyKey, DueAt, MerchantReference, PaymentFlow as FlowKey, PaymentStatus, PingPaymentId, PingPaymentLinkId, PingPaymentOrderId } from '../domain/searchAttributes';

/** Calls before the checkout URL: the API caller is waiting, so give up after a minute and say why. */
export const CREATE: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds' },
};
/**
 * The creates run as local activities: inside the workflow task, with no round trip through the
 * server's task queue, which is a large share of the time to the checkout URL. A local activity's
 * result reaches history only with its workflow task, so a worker crash in between re-runs it at
 * attempt 1. For the order that is harmless (a second, empty order charges nobody); the link and the
 * PIS initiation are told so (`mayHaveRunBefore`) and first find what the earlier run made.
 */
export const CREATE_LOCAL: LocalActivityOptions = {
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds' },
};
/** The creates as local activities: the order here, the link or PIS initiation in the flows. */
export const pingCreateLocal = proxyLocalActivities<PingActivities>(CREATE_LOCAL);
const pingRemote = proxyActivities<PingActivities>(CREATE);

/** Histories from before the order became a local activity replay the ordinary activity. */
export const LOCAL_ORDER_PATCH = 'order-as-local-activity';

/**
 * Payments started since this patch take fewer workflow tasks: one until the checkout URL, and from
 * Ping's callback one that checks, fetches the receipt and sends it and the merchant event side by
 * side, then one that closes. The creates, status checks and the receipt fetch run as local
 * activities inside the workflow task (reads, or creates that find an earlier run's work); search
 * attributes the API set at start are not written again. The receipt e-mail and the merchant event
 * stay ordinary activities: a local activity's result is saved only with its workflow task, so a
 * crash (or a task the server refuses because a signal came in as the workflow closed) would send
 * them again, and a payer must not get two receipts. Histories from before the patch replay the old
 * sequence.
 */
export const FEWER_TASKS_PATCH = 'fewer-workflow-tasks';

/** `lean` (FEWER_TASKS_PATCH) implies the local activity; asking the older patch too would cost an event. */
export function createPaymentOrder(currency: Currency, lean: boolean): Promise<{ id: string }> {
  const summary = 'Create payment order at Ping';
  return lean || patched(LOCAL_ORDER_PATCH)
    ? pingCreateLocal.createPaymentOrder.executeWithOptions({ ...CREATE_LOCAL, summary }, [{ currency }])
    : pingRemote.createPaymentOrder.executeWithOptions({ ...CREATE, summary }, [{ currency }]);
}

/**
 * Whether a create run as a local activity must first look for what an earlier run made. A local
 * activity's result reaches history only with its workflow task, so after a crash the task runs
 * again and the activity with it, at attempt 1. The first attempt of the first task (history:
 * started, task scheduled, task started) is the one run that cannot have made anything before;
 * anything else looks first. Only the activity's argument depends on this, never which commands the
 * workflow issues, so replay is safe.
 */
export function mayHaveRunBefore(): boolean {
  const info = workflowInfo();
  return info.unsafe.isReplaying || info.historyLength > 3;
}

/** Everything later: nobody waits, so keep trying through a Ping outage (4xx still stop at once). */
export const LATER: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};
/** Receipts and merchant notifications: bounded, so a dead mailbox or endpoint cannot keep a payment open forever. */
export const DELIVERY: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
};

const mail = proxyActivities<ReturnType<typeof createMailActivities>>(DELIVERY);
const notify = proxyActivities<NotificationActivities>(DELIVERY);

/** LATER as a local activity; a retry longer than a minute waits on a timer, not in the task. */
export const LATER_LOCAL: LocalActivityOptions = { startToCloseTimeout: '15 seconds', retry: LATER.retry };
const pingLater = proxyActivities<PingActivities>(LATER);
const pingLaterLocal = proxyLocalActivities<PingActivities>(LATER_LOCAL);

/**
 * What a fetch from Ping means for us. `pingHistory` is Ping's own status history where Ping keeps
 * one (payments); without it (links) the statuses we observe make up the history.
 */
export type Outcome = { pingStatus: string; pingHistory?: Array<{ status: string; at: string }> } & (
  | { kind: 'pending' }
  | { kind: 'paid'; pingPaymentId?: string | null }
  | { kind: 'expired' | 'cancelled' | 'failed' }
);

export interface CoreOptions {
  flow: PaymentFlow;
  paymentId: string;
  fingerprint: string;
  timing: PollTiming;
  amount: number;
  currency: Currency;
  merchantReference?: string;
  /** The due date (links) or the payer's deadline (PIS), ISO. */
  dueAt?: string;
  metadata?: Record<string, string>;
  notifyUrl?: string;
  redirectUrls: PaymentResource['redirect_urls'];
}

/**
 * What every payment workflow shares: its state and the resource the API reads, the messages
 * (query, created/cancel updates, callback and payer-return signals), search attributes and Web UI
 * details at each transition, waiting on Ping with polling as a fallback for lost callbacks, ending a
 * payment at Ping, and the receipt and merchant notification at the end. The flows (paymentLink,
 * pisPayment) add only their Ping calls.
 */
export function createPaymentCore(o: CoreOptions) {
  const lean = patched(FEWER_TASKS_PATCH);
  const createdAt = workflowInfo().startTime.toISOString();
  const now = () => new Date().toISOString(); // workflow time: deterministic on replay
  const p: PaymentResource = {
    id: o.paymentId,
    object: 'payment',
    flow: o.flow,
    status: 'creating',
    amount: o.amount,
    currency: o.currency,
    merchant_reference: o.merchantReference ?? null,
    checkout_url: null,
    ping_payment_order_id: null,
    ping_payment_link_id: null,
    ping_payment_id: null,
    ping_status: null,
    ping_status_history: [],
    due_at: o.dueAt ?? null,
    created_at: createdAt,
    updated_at: createdAt,
    paid_at: null,
    distribution: { sms: false, email: false, invoice: false },
    invoice: null,
    receipt_url: null,
    redirect_urls: o.redirectUrls,
    failure: null,
    metadata: o.metadata ?? {},
    events: [],
  };
  let createdCalls = 0;
  let checkRequested = false;
  let cancelRequested = false;

  // Widened on purpose: handlers change the status, which TypeScript's narrowing cannot see.
  const status = (): PaymentState => p.status;
  const isFinal = () => FINAL_STATES.includes(status());
  const isSettled = () => isFinal() || status() === 'paid';
  // A copy, so a query result can never alias state the workflow goes on changing.
  const view = (): PaymentResource => JSON.parse(JSON.stringify(p)) as PaymentResource;
  const record = (type: string, detail?: string) => {
    p.events.push({ type, at: now(), ...(detail ? { detail } : {}) });
  };

  /** What a support person reads first in the Web UI. */
  const describe = (): string => {
    const head = status().replace('_', ' ');
    const parts = [status() === 'awaiting_payment' && p.due_at ? `${head}, due ${formatInstant(p.due_at)}` : head];
    if (p.ping_status) parts.push(`Ping: ${p.ping_status}`);
    if (p.distribution.sms) parts.push('SMS sent');
    if (p.distribution.email) parts.push('e-mail sent');
    if (p.invoice) parts.push(`invoice ${p.invoice.reference_type} ${p.invoice.reference}`);
    if (p.paid_at) parts.push(`paid ${formatInstant(p.paid_at)}`);
    if (p.receipt_url) parts.push('receipt ready');
    if (p.failure) parts.push(`failed: ${p.failure.code}`);
    const text = parts.join('; ');
    return text.charAt(0).toUpperCase() + text.slice(1);
  };
  const showDetails = () => setCurrentDetails(describe());

  /**
   * The due date the API could not set at start (a PIS deadline counts from the workflow's start;
   * a link's is the request's, already set): written with the first status change, not on its own.
   */
  let dueAtUnwritten: SearchAttributeUpdatePair[] = lean && o.dueAt ? [{ key: DueAt, value: new Date(o.dueAt) }] : [];
  /** `alsoSet`: attributes written in the same upsert (one history event instead of two). */
  const moveTo = (next: PaymentState, detail?: string, alsoSet: SearchAttributeUpdatePair[] = []) => {
    p.status = next;
    p.updated_at = now();
    record(next, detail);
    upsertSearchAttributes([...dueAtUnwritten, ...alsoSet, { key: PaymentStatus, value: next }]);
    dueAtUnwritten = [];
    showDetails();
  };

  setHandler(paymentQuery, view);
  setHandler(fingerprintQuery, () => o.fingerprint);
  setHandler(pingCallbackSignal, ({ status: claimed }) => {
    record('ping_callback', claimed);
    checkRequested = true;
  });
  setHandler(payerReturnedSignal, ({ outcome }) => {
    // What the payer's browser saw is a hint, like a callback: Ping's answer decides.
    record('payer_returned', outcome);
    checkRequested = true;
  });
  setHandler(
    createdUpdate,
    async () => {
      createdCalls += 1;
      const first = createdCalls === 1;
      await condition(() => status() !== 'creating');
      return { payment: view(), first };
    },
    {
      validator: ({ fingerprint }) => {
        if (fingerprint !== o.fingerprint) {
          throw ApplicationFailure.create({ type: IDEMPOTENCY_KEY_REUSED, nonRetryable: true, message: 'This Idempotency-Key was already used with a different request body' });
        }
      },
    },
  );
  setHandler(
    cancelUpdate,
    async () => {
      cancelRequested = true;
      // A payment paid while the cancel was on its way ends paid, not cancelled; the caller sees which.
      await condition(isSettled);
      return view();
    },
    {
      validator: () => {
        if (isSettled()) throw ApplicationFailure.create({ type: PAYMENT_FINAL, nonRetryable: true, message: `The payment is already ${status()}` });
      },
    },
  );

  if (lean) {
    // The API started the workflow with these attributes and status `creating`; only the record is new
    // (and the due date, see moveTo).
    record('creating');
    showDetails();
  } else {
    upsertSearchAttributes([
      { key: FlowKey, value: o.flow },
      { key: AmountMinor, value: o.amount },
      { key: CurrencyKey, value: o.currency },
      ...(o.merchantReference ? [{ key: MerchantReference, value: o.merchantReference }] : []),
      ...(o.dueAt ? [{ key: DueAt, value: new Date(o.dueAt) }] : []),
    ]);
    moveTo('creating');
  }

  /** Keeps Ping's status and its history. */
  const observe = (outcome: Outcome) => {
    if (outcome.pingHistory) p.ping_status_history = outcome.pingHistory;
    else if (outcome.pingStatus !== p.ping_status) p.ping_status_history.push({ status: outcome.pingStatus, at: now() });
    p.ping_status = outcome.pingStatus;
  };

  /** Applies what Ping said; true once the payment needs no more waiting. */
  const apply = (outcome: Outcome): boolean => {
    observe(outcome);
    switch (outcome.kind) {
      case 'paid':
        p.paid_at = now();
        if (lean) {
          moveTo('paid', `Ping: ${outcome.pingStatus}`, outcome.pingPaymentId ? idsToSet({ pingPaymentId: outcome.pingPaymentId }) : []);
        } else {
          if (outcome.pingPaymentId) setIds({ pingPaymentId: outcome.pingPaymentId });
          moveTo('paid', `Ping: ${outcome.pingStatus}`);
        }
        break;
      case 'failed':
        p.failure = { code: `ping_${outcome.pingStatus.toLowerCase()}`, message: `Ping reported the payment ${outcome.pingStatus}` };
        moveTo('failed', `Ping: ${outcome.pingStatus}`);
        break;
      case 'expired':
      case 'cancelled':
        moveTo(outcome.kind, `Ping: ${outcome.pingStatus}`);
        break;
      case 'pending':
        showDetails();
    }
    return isSettled();
  };

  type Ids = { orderId?: string; linkId?: string; pingPaymentId?: string };
  /** Keeps Ping's ids on the resource and returns their search attributes, for the caller to write. */
  function idsToSet(ids: Ids): SearchAttributeUpdatePair[] {
    if (ids.orderId) p.ping_payment_order_id = ids.orderId;
    if (ids.linkId) p.ping_payment_link_id = ids.linkId;
    if (ids.pingPaymentId) p.ping_payment_id = ids.pingPaymentId;
    return [
      ...(ids.orderId ? [{ key: PingPaymentOrderId, value: ids.orderId }] : []),
      ...(ids.linkId ? [{ key: PingPaymentLinkId, value: ids.linkId }] : []),
      ...(ids.pingPaymentId ? [{ key: PingPaymentId, value: ids.pingPaymentId }] : []),
    ];
  }
  function setIds(ids: Ids) {
    upsertSearchAttributes(idsToSet(ids));
  }

  const notifyMerchant = async (type: PaymentEventType) => {
    if (!o.notifyUrl) return;
    try {
      await notify.notifyMerchant.executeWithOptions({ ...DELIVERY, summary: `Notify merchant: ${type}` }, [
        { url: o.notifyUrl, event: { id: merchantEventId(o.paymentId, type), type, created_at: now(), data: view() } },
      ]);
      record('merchant_notified', type);
    } catch (err) {
      if (isCancellation(err)) throw err;
      record('merchant_notification_failed', type);
    }
  };

  /** Lets the created/cancel update handlers answer before the workflow closes. */
  const finish = async (): Promise<PaymentResource> => {
    showDetails();
    await condition(allHandlersFinished);
    return view();
  };

  return {
    payment: p,
    /** True for payments started since FEWER_TASKS_PATCH: the flows then use local activities too. */
    lean,
    /** Reads at Ping after the create (status checks, the receipt): local activities when `lean`. */
    reads: lean ? pingLaterLocal : pingLater,
    readOptions: lean ? LATER_LOCAL : LATER,
    record,
    setIds,
    showDetails,

    /** The payment exists at Ping; the created update can answer. `ids` go into the same upsert. */
    awaiting(checkoutUrl: string, ids: Ids = {}) {
      p.checkout_url = checkoutUrl;
      moveTo('awaiting_payment', undefined, idsToSet(ids));
    },

    /** Ping refused (or never answered) the create: the payment ends here. */
    async fail(err: unknown): Promise<PaymentResource> {
      if (isCancellation(err)) throw err;
      p.failure = failureFromError(err);
      moveTo('failed', p.failure.code);
      await notifyMerchant('payment.failed');
      return finish();
    },

    /**
     * Waits for the payer, the deadline or a cancel, asking Ping on every wake-up: a callback, the
     * payer's return, or a poll timer (after `pollInitialMs` of silence, doubling up to `pollMaxMs`).
     */
    async waitForOutcome(flow: { check: () => Promise<Outcome>; deadlineMs?: number; onDeadline: () => Promise<void>; onCancel: () => Promise<void> }) {
      let pollDelay = o.timing.pollInitialMs;
      while (!isSettled()) {
        const untilDeadline = flow.deadlineMs === undefined ? Infinity : Math.max(0, flow.deadlineMs - Date.now());
        const woken = await condition(() => checkRequested || cancelRequested, Math.min(pollDelay, untilDeadline));
        if (cancelRequested) {
          await flow.onCancel();
          break;
        }
        // A callback resets the backoff: Ping is talking, so the next silence is measured from here.
        pollDelay = woken ? o.timing.pollInitialMs : Math.min(pollDelay * 2, o.timing.pollMaxMs);
        checkRequested = false;
        if (apply(await flow.check())) break;
        if (flow.deadlineMs !== undefined && Date.now() >= flow.deadlineMs) await flow.onDeadline();
      }
    },

    /**
     * Ends the payment at Ping. If Ping refuses, it has moved on: either our own stop went through on
     * an earlier attempt whose answer was lost (Ping then shows `stoppedStatus`, and `target` stands),
     * or something else happened first (paid a moment ago), and Ping's status wins.
     */
    async endAtPing(target: 'cancelled' | 'expired', stop: () => Promise<void>, check: () => Promise<Outcome>, detail: string, stoppedStatus: string) {
      try {
        await stop();
      } catch (err) {
        if (isCancellation(err)) throw err;
        const outcome = await check();
        if (outcome.pingStatus === stoppedStatus) observe(outcome);
        else if (apply(outcome)) return;
        else throw err;
      }
      moveTo(target, detail);
    },

    /** The end: a paid payment gets its receipt e-mail and `payment.paid`, the others their event. */
    async settle(receipt?: Omit<ReceiptEmailInput, 'paymentId' | 'paidAt' | 'amountMinor' | 'currency'>): Promise<PaymentResource> {
      if (status() === 'paid') {
        const emailReceipt = async () => {
          if (!receipt) return;
          try {
            await mail.sendReceiptEmail.executeWithOptions({ ...DELIVERY, summary: 'E-mail receipt to payer' }, [
              { ...receipt, paymentId: o.paymentId, paidAt: p.paid_at!, amountMinor: o.amount, currency: o.currency, receiptUrl: p.receipt_url ?? receipt.receiptUrl },
            ]);
            record('receipt_emailed');
          } catch (err) {
            if (isCancellation(err)) throw err;
            record('receipt_email_failed', failureFromError(err).message);
          }
        };
        // Neither waits for the other: the merchant hears `payment.paid` while the receipt is on its way.
        if (lean) await Promise.all([emailReceipt(), notifyMerchant('payment.paid')]);
        else {
          await emailReceipt();
          await notifyMerchant('payment.paid');
        }
        moveTo('completed', `${formatAmount(o.amount, o.currency)} paid`);
      } else if (status() === 'expired') {
        await notifyMerchant('payment.expired');
      } else if (status() === 'cancelled') {
        await notifyMerchant('payment.cancelled');
      } else if (status() === 'failed') {
        await notifyMerchant('payment.failed');
      }
      return finish();
    },
  };
}

export type PaymentCore = ReturnType<typeof createPaymentCore>;
