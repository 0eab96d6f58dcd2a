import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { heartbeat, log } from '@temporalio/activity';
import { fingerprintOf } from '../common/fingerprint';
import { PaymentKeyReused, paymentOnceCreated, paymentSearchAttributes, startPayment } from '../common/startPayment';
import { paymentLinkAmount } from '../domain/amount';
import { cancelSignal, sendLinkSignal } from '../domain/messages';
import { describePaymentLink, paymentLinkSearchAttributes } from '../domain/paymentLinkSummary';
import type { MoneyTiming, PaymentLinkRequest, PollTiming } from '../domain/requests';
import type { CreateSubscriptionInvoice, SubscriptionActivities, SubscriptionNotice } from '../domain/subscription';
import type { NotificationActivities } from './notifications';

export interface SubscriptionActivityDeps {
  /** The worker's Temporal client, connected on first use (worker/temporalClient.ts). */
  client: () => Promise<Client>;
  taskQueue: string;
  /** Each invoice's payment gets today's configuration, not the one its subscription was created under. */
  timing: PollTiming;
  money: MoneyTiming;
  /** The merchant-signed delivery of activities/notifications.ts. */
  notifyMerchant: NotificationActivities['notifyMerchant'];
}

/** The request of period n's payment link: the subscription's template, what this period bills, and Ping's expiry at the grace period's end. */
export function invoiceRequest(args: CreateSubscriptionInvoice): PaymentLinkRequest {
  return { ...(args.template as Omit<PaymentLinkRequest, 'items' | 'currency'>), items: args.items, currency: args.currency, due_at: new Date(args.expiresAtMs).toISOString() };
}

/**
 * The subscription workflow's hands (workflows/subscription.ts): each invoice is an ordinary
 * payment-link payment, started the one way every payment is (common/startPayment.ts), and spoken to
 * as the API speaks to it, by signals. Each activity is safe to repeat: the invoice's payment id is
 * the same in every attempt, a second start joins the first, and a reminder or cancel to a payment
 * that has closed has nothing left to do.
 */
export function createSubscriptionActivities(deps: SubscriptionActivityDeps): SubscriptionActivities {
  const signalPayment = async (paymentId: string, send: (client: Client) => Promise<void>) => {
    try {
      await send(await deps.client());
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      log.info('invoice payment has closed; nothing to send it', { paymentId });
    }
  };

  /** Period n's payment link, started as the API starts one; a second start joins the first. */
  const createInvoice = async (args: CreateSubscriptionInvoice): Promise<{ checkoutUrl: string | null }> => {
    const client = await deps.client();
    const request = invoiceRequest(args);
    const input = { paymentId: args.paymentId, request, fingerprint: fingerprintOf(request), timing: deps.timing, money: deps.money, subscriptionId: args.subscriptionId };
    const amount = paymentLinkAmount(request);
    try {
      const { payment } = await startPayment(client, {
        workflowType: 'paymentLink',
        input,
        taskQueue: deps.taskQueue,
        typedSearchAttributes: [
          ...paymentSearchAttributes({ flow: 'link', amount, currency: request.currency, reference: request.merchant_reference, merchantId: args.merchant }),
          ...paymentLinkSearchAttributes(request, args.subscriptionId),
        ],
        ...describePaymentLink(request, amount, args.subscriptionId),
      });
      // Refused by Ping: no link to pay. The payment tells the subscription it failed.
      return { checkoutUrl: payment.checkout_url };
    } catch (err) {
      if (!(err instanceof PaymentKeyReused)) throw err;
      // Only a change of this code between attempts can get here: the period's invoice exists, and it is the one that counts.
      log.warn('invoice payment exists with another request; using it', { paymentId: args.paymentId });
      return { checkoutUrl: (await paymentOnceCreated(client.workflow.getHandle(args.paymentId))).checkout_url };
    }
  };

  return {
    async createSubscriptionInvoice(args) {
      // Alive while the payment's first task reaches Ping (workflows/subscription.ts: heartbeatTimeout).
      const beat = setInterval(() => heartbeat(), 1000);
      try {
        return await createInvoice(args);
      } finally {
        clearInterval(beat);
      }
    },

    async remindSubscriptionInvoice({ paymentId }) {
      await signalPayment(paymentId, (client) => client.workflow.getHandle(paymentId).signal(sendLinkSignal, { reason: 'reminder' }));
    },

    /** As `POST /v1/payments/:id/cancel` does it; a payment paid meanwhile refuses and tells the subscription it was paid. */
    async cancelSubscriptionInvoice({ paymentId }) {
      await signalPayment(paymentId, (client) => client.workflow.getHandle(paymentId).signal(cancelSignal, { requestId: randomUUID() }));
    },

    async notifySubscriptionEvent({ url, eventId, type, subscription }: SubscriptionNotice) {
      await deps.notifyMerchant({ url, merchantId: subscription.merchant, event: { id: eventId, type, created_at: new Date().toISOString(), data: subscription } });
    },
  };
}
