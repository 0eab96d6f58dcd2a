import { ApplicationFailure } from '@temporalio/common';
import { request } from 'undici';
import { SIGNATURE_HEADER, signNotification } from '../common/notificationSignature';
import type { PaymentEventType, PaymentResource } from '../domain/payment';

export interface NotificationDeps {
  signingSecret: string;
  timeoutMs?: number;
}

export interface MerchantEvent {
  /** The same for every delivery attempt of one event, so the merchant can drop duplicates. */
  id: string;
  type: PaymentEventType;
  created_at: string;
  data: PaymentResource;
}

/** Tells the merchant's backend what happened, with a signature it can check. */
export function createNotificationActivities({ signingSecret, timeoutMs = 10_000 }: NotificationDeps) {
  return {
    async notifyMerchant(input: { url: string; event: MerchantEvent }): Promise<{ status: number }> {
      const body = JSON.stringify(input.event);
      // Signed at send time, not at event time: a retry hours later must still pass the receiver's replay window.
      const signature = signNotification(signingSecret, body, Math.floor(Date.now() / 1000));
      const res = await request(input.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature, 'user-agent': 'ping-orchestrator' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
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
