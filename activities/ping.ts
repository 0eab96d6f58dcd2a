import { ApplicationFailure } from '@temporalio/common';
import { webhookToken } from '../common/webhookToken';
import { PingApiError, type PingClient } from '../ping';
import { PING_REJECTED } from '../domain/failureTypes';
import type { PaymentLinkRequest, PisPaymentRequest } from '../domain/requests';
import { paymentLinkAmount, pisPaymentAmount } from '../domain/amount';
import { call, isRetry, toActivityFailure } from './pingCalls';

export interface PingActivityDeps {
  ping: PingClient;
  /** How Ping reaches our API, for the callback URLs. */
  publicBaseUrl: string;
  /** Secret behind the per-payment callback tokens; it never enters workflow history. */
  webhookSecret: string;
}

/**
 * Ping's `due_date` format is unspecified (docs/ping-contract.md §9); the emulator and the likely reading expire a
 * link at the end of that day in Stockholm. We send the Stockholm date of `due_at`, so Ping never
 * expires a link before our own timer cancels it at the exact instant.
 */
export function pingDueDate(dueAt: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(dueAt));
}

/** Ping's payment statuses after which nothing more happens to a payment (the emulator's reading too). */
const FINAL_PAYMENT_STATUSES = new Set(['COMPLETED', 'DECLINED', 'CRASHED', 'EXPIRED', 'ABORTED', 'STOPPED']);

export function createPingActivities({ ping, publicBaseUrl, webhookSecret }: PingActivityDeps) {
  const callbackUrl = (kind: 'payment-links' | 'payments', paymentId: string) =>
    `${publicBaseUrl}/webhooks/ping/${kind}/${encodeURIComponent(paymentId)}?token=${webhookToken(webhookSecret, paymentId)}`;
  /** Where the bank sends the payer back: our API, which tells the workflow and forwards the browser. */
  const returnUrl = (paymentId: string, outcome: 'success' | 'cancel' | 'error') =>
    `${publicBaseUrl}/v1/payments/${encodeURIComponent(paymentId)}/return/${outcome}?token=${webhookToken(webhookSecret, paymentId, 'payer-return')}`;

  return {
    /**
     * The payment order and its link, in one activity so the caller's checkout URL waits for one
     * step. It may run again after its answer was lost (a retry, or a local activity re-run after a
     * worker crash, `lookFirst`): it then first looks for the link an earlier run made, by our payment
     * id in the link's metadata, and answers with that link and its order, so a payment never has two
     * live links. An earlier run that died between the two creates leaves an empty order at Ping;
     * orders cannot be found by a reference of ours, and an order with no link charges nobody.
     */
    async createPaymentLink(input: {
      paymentId: string;
      request: PaymentLinkRequest;
      /** Set by a workflow that may have run this before (a re-run after a crash). */
      lookFirst?: boolean;
    }): Promise<{ orderId: string; linkId: string; checkoutUrl: string }> {
      const { paymentId, request } = input;
      if (isRetry() || input.lookFirst) {
        const links = await call(() => ping.listPaymentLinks());
        const earlier = links.find((l) => l.metadata?.orchestrator_payment_id === paymentId && l.status !== 'CANCELLED' && l.checkout_url && l.payment_order_id);
        if (earlier) return { orderId: earlier.payment_order_id!, linkId: earlier.payment_link_id, checkoutUrl: earlier.checkout_url! };
      }
      const order = await call(() => ping.createPaymentOrder({ currency: request.currency }));
      const created = await call(() =>
        ping.createPaymentLink({
          payment_order_id: order.id,
          currency: request.currency,
          total_amount: paymentLinkAmount(request),
          locale: request.locale,
          items: request.items.map((i) => ({ ...i, unit: i.unit ?? 'st' })),
          customer: request.customer,
          supplier: request.supplier,
          payment_provider_methods: request.payment_methods,
          ...(request.due_at ? { due_date: pingDueDate(request.due_at) } : {}),
          ...(request.success_url ? { checkout_success_url: request.success_url } : {}),
          ...(request.cancel_url ? { checkout_cancel_url: request.cancel_url } : {}),
          payment_link_status_callback_url: callbackUrl('payment-links', paymentId),
          metadata: { ...request.metadata, orchestrator_payment_id: paymentId },
        }),
      );
      if (!created.checkout_url) throw ApplicationFailure.nonRetryable('Ping created the link but returned no checkout_url', PING_REJECTED, { code: 'no_checkout_url' });
      return { orderId: order.id, linkId: created.id, checkoutUrl: created.checkout_url };
    },

    async distributePaymentLink(input: { linkId: string; sms: boolean; email: boolean; phone?: string; emailAddress?: string }): Promise<void> {
      const methods = [...(input.sms ? ['sms' as const] : []), ...(input.email ? ['email' as const] : [])];
      await call(() =>
        ping.distributePaymentLink(input.linkId, {
          methods,
          ...(input.sms && input.phone ? { customer_phone: input.phone } : {}),
          ...(input.email && input.emailAddress ? { customer_email: input.emailAddress } : {}),
        }),
      );
    },

    /** Ping answers 403 to a second invoice; on a retry that means our first attempt made it. */
    async createInvoice(input: { linkId: string; referenceType: 'OCR' | 'KID' }): Promise<{ url: string; reference_type: string; reference: string }> {
      try {
        await ping.createPaymentLinkInvoice(input.linkId, { reference_type: input.referenceType });
      } catch (err) {
        if (!(err instanceof PingApiError && err.status === 403 && isRetry())) toActivityFailure(err);
      }
      const invoice = await call(() => ping.getPaymentLinkInvoice(input.linkId));
      return { url: invoice.url, reference_type: invoice.reference_type, reference: invoice.reference };
    },

    /** Only what the workflow decides on, to keep its history small. */
    async getPaymentLink(input: { linkId: string }): Promise<{ status: string; paymentId: string | null }> {
      const link = await call(() => ping.getPaymentLink(input.linkId));
      return { status: link.status, paymentId: link.payment_id ?? null };
    },

    async cancelPaymentLink(input: { linkId: string }): Promise<void> {
      await call(() => ping.cancelPaymentLink(input.linkId));
    },

    /**
     * The payment order and the open-banking payment on it, in one activity. Ping does not give an
     * earlier payment's bank checkout URL back (GET does not echo provider_method_response), so a run
     * that may have run before (a retry, or `lookFirst` after a worker crash) cannot reuse what it
     * initiated. It stops every live PIS payment of ours first instead, found by our payment id among
     * the payments initiated since `startedAt` (the workflow's start): the payer can only ever reach one.
     */
    async initiatePisPayment(input: {
      paymentId: string;
      request: PisPaymentRequest;
      lookFirst?: boolean;
      startedAt: string;
    }): Promise<{ orderId: string; pingPaymentId: string; checkoutUrl: string }> {
      const { paymentId, request } = input;
      if (isRetry() || input.lookFirst) {
        // A minute's margin for clocks; the payment id decides, the time only narrows the list.
        const since = new Date(Date.parse(input.startedAt) - 60_000).toISOString();
        const recent = await call(() => ping.listPayments({ fromInitiated: since, provider: 'open_payments', method: 'pis' }));
        for (const earlier of recent) {
          const mine = earlier.metadata?.orchestrator_payment_id === paymentId;
          if (mine && earlier.payment_order_id && !FINAL_PAYMENT_STATUSES.has(earlier.status)) {
            await call(() => ping.stopPayment(earlier.payment_order_id!, earlier.id));
          }
        }
      }
      const order = await call(() => ping.createPaymentOrder({ currency: request.currency }));
      const initiated = await call(() =>
        ping.initiatePayment(order.id, {
          currency: request.currency,
          total_amount: pisPaymentAmount(request),
          order_items: request.order_items,
          provider: 'open_payments',
          method: 'pis',
          provider_method_parameters: {
            success_url: returnUrl(paymentId, 'success'),
            cancel_url: returnUrl(paymentId, 'cancel'),
            error_url: returnUrl(paymentId, 'error'),
            reference: request.reference ?? paymentId.slice(-35),
          },
          status_callback_url: callbackUrl('payments', paymentId),
          metadata: { ...request.metadata, orchestrator_payment_id: paymentId },
        }),
      );
      if (!initiated.checkoutUrl) {
        throw ApplicationFailure.nonRetryable('Ping initiated the payment but returned no bank checkout URL', PING_REJECTED, { code: 'no_checkout_url' });
      }
      return { orderId: order.id, pingPaymentId: initiated.id, checkoutUrl: initiated.checkoutUrl };
    },

    /** Ping's status and its own history of it (what support staff read in the Web UI). */
    async getPayment(input: { orderId: string; paymentId: string }): Promise<{ status: string; history: Array<{ status: string; at: string }> }> {
      const payment = await call(() => ping.getPayment(input.orderId, input.paymentId));
      return { status: payment.status, history: (payment.status_history ?? []).map((h) => ({ status: h.status, at: h.occurred_at })) };
    },

    async stopPayment(input: { orderId: string; paymentId: string }): Promise<void> {
      await call(() => ping.stopPayment(input.orderId, input.paymentId));
    },

    async getReceipt(input: { linkId: string }): Promise<{ url: string }> {
      const receipt = await call(() => ping.getPaymentLinkReceipt(input.linkId));
      return { url: receipt.url! };
    },
  };
}

export type PingActivities = ReturnType<typeof createPingActivities>;
