import { ApplicationFailure } from '@temporalio/common';
import { request } from 'undici';
import { merchantSigningSecret } from '../common/merchantSigning';
import { SIGNATURE_HEADER, signNotification } from '../common/notificationSignature';
import { guardedAgent, OutboundAddressRefused, outboundUrlRefusal, type OutboundUrlPolicy } from '../common/outboundUrl';
import type { PaymentEventType, PaymentResource } from '../domain/payment';
import type { SubscriptionEventType, SubscriptionResource } from '../domain/subscription';

/** The failure type of a delivery the outbound URL policy refuses; non-retryable, since another attempt would be refused too. */
export const OUTBOUND_URL_NOT_ALLOWED = 'OutboundUrlNotAllowed';

export interface NotificationDeps {
  signingSecret: string;
  /**
   * ALLOW_HTTP_WEBHOOK_URLS and ALLOW_PRIVATE_WEBHOOK_URLS (common/outboundUrl.ts). Applied again at
   * delivery: the URL was checked when the payment was created, but its name may point elsewhere now.
   */
  outboundUrls: OutboundUrlPolicy;
  /** The signing-secret version a merchant's rotations have reached (its workflow's query; worker/merchantSigningVersions.ts). */
  signingVersionOf?: (merchantId: string) => Promise<number>;
  timeoutMs?: number;
}

/** A payment's event carries the payment; a subscription's (issue 16), the subscription. */
export type MerchantEvent = EventOf<PaymentEventType, PaymentResource>;
export type SubscriptionMerchantEvent = EventOf<SubscriptionEventType, SubscriptionResource>;

interface EventOf<T, D> {
  /** The same for every delivery attempt of one event, so the merchant can drop duplicates. */
  id: string;
  type: T;
  created_at: string;
  data: D;
}

const notAllowed = (reason: string) => ApplicationFailure.nonRetryable(`notify_url is not allowed: ${reason}`, OUTBOUND_URL_NOT_ALLOWED);

/** Tells the merchant's backend what happened, with a signature it can check. */
export function createNotificationActivities({ signingSecret, outboundUrls, signingVersionOf, timeoutMs = 10_000 }: NotificationDeps) {
  // The address checks happen on the addresses the connection is made to (DNS rebinding cannot slip past them).
  const dispatcher = outboundUrls.allowPrivate ? undefined : guardedAgent(outboundUrls);
  return {
    /** A merchant's payment (`merchantId`) is signed with that merchant's own secret, the platform's with the platform's. */
    async notifyMerchant(input: { url: string; event: MerchantEvent | SubscriptionMerchantEvent; merchantId?: string }): Promise<{ status: number }> {
      const refusal = outboundUrlRefusal(input.url, outboundUrls);
      if (refusal !== undefined) throw notAllowed(refusal);
      const body = JSON.stringify(input.event);
      // Signed at send time, not at event time: a retry hours later must still pass the receiver's replay window.
      const secret = input.merchantId && signingVersionOf ? merchantSigningSecret(signingSecret, input.merchantId, await signingVersionOf(input.merchantId)) : signingSecret;
      const signature = signNotification(secret, body, Math.floor(Date.now() / 1000));
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(input.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature, 'user-agent': 'ping-orchestrator' },
          body,
          signal: AbortSignal.timeout(timeoutMs),
          dispatcher,
        });
      } catch (err) {
        if (err instanceof OutboundAddressRefused) throw notAllowed(err.message);
        throw err;
      }
      await res.body.dump();
      // Any non-2xx is retried by the activity's policy, as Stripe does: a merchant's 4xx is often a deploy in progress.
      if (res.statusCode < 200 || res.statusCode >= 300) {
        throw ApplicationFailure.retryable(`notify_url answered ${res.statusCode}`, 'MerchantEndpointFailed');
      }
      return { status: res.statusCode };
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
