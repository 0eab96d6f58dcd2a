import { createMailActivities } from '../activities/mail';
import { createMerchantActivities } from '../activities/merchants';
import { createMoneyActivities } from '../activities/money';
import { createNotificationActivities } from '../activities/notifications';
import { createPingActivities } from '../activities/ping';
import { createSubscriptionActivities } from '../activities/subscriptions';
import type { Client } from '@temporalio/client';
import type { MoneyTiming, PollTiming } from '../domain/requests';
import type { Logger } from '../common/logger';
import type { OutboundUrlPolicy } from '../common/outboundUrl';
import { createPingClient, type PingCallObserver } from '../ping';

export interface ActivityConfig {
  ping: { paymentsApiUrl: string; paymentLinksApiUrl: string; tenantId: string; apiSecret?: string };
  publicBaseUrl: string;
  webhookSecret: string;
  notificationSigningSecret: string;
  /** Which notify_url addresses and schemes deliveries may reach (ALLOW_HTTP_WEBHOOK_URLS, ALLOW_PRIVATE_WEBHOOK_URLS). */
  outboundUrls: OutboundUrlPolicy;
  mail: { smtpUrl: string; from: string };
  /** Where a subscription's invoices are started, and the timing each invoice's payment gets. */
  taskQueue: string;
  payments: PollTiming;
  money: MoneyTiming;
}

export interface ActivityHooks {
  /** Told about every HTTP call to Ping (worker/metrics.ts records them). */
  pingObserver?: PingCallObserver;
  /** A merchant's signing-secret version, for the signature on its events (worker/merchantSigningVersions.ts). */
  signingVersionOf?: (merchantId: string) => Promise<number>;
  /** The worker's client of Temporal, for the subscription activities (worker/temporalClient.ts). */
  temporalClient: () => Promise<Client>;
}

/** Every activity the workflows call, built from config; `close()` releases their connections. */
export function createActivities(config: ActivityConfig, logger: Logger, hooks: ActivityHooks) {
  const ping = createPingClient({ ...config.ping, observer: hooks.pingObserver });
  const mail = createMailActivities({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, logger });
  const notifications = createNotificationActivities({ signingSecret: config.notificationSigningSecret, outboundUrls: config.outboundUrls, signingVersionOf: hooks.signingVersionOf });
  const activities = {
    ...createPingActivities({ ping, publicBaseUrl: config.publicBaseUrl, webhookSecret: config.webhookSecret }),
    ...createMoneyActivities({ ping }),
    ...createMerchantActivities({ ping }),
    ...notifications,
    ...createSubscriptionActivities({
      client: hooks.temporalClient,
      taskQueue: config.taskQueue,
      timing: config.payments,
      money: config.money,
      notifyMerchant: notifications.notifyMerchant,
    }),
    sendReceiptEmail: mail.sendReceiptEmail,
    sendRefundEmail: mail.sendRefundEmail,
  };
  return {
    activities,
    /** The same client, for what the worker itself asks of Ping (worker/registerTenant.ts); closed by `close()`. */
    ping,
    async close() {
      await ping.close();
      mail.close?.();
    },
  };
}
