import { createMailActivities } from '../activities/mail';
import { createMoneyActivities } from '../activities/money';
import { createNotificationActivities } from '../activities/notifications';
import { createPingActivities } from '../activities/ping';
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
}

export interface ActivityHooks {
  /** Told about every HTTP call to Ping (worker/metrics.ts records them). */
  pingObserver?: PingCallObserver;
}

/** Every activity the payment workflows call, built from config; `close()` releases their connections. */
export function createActivities(config: ActivityConfig, logger: Logger, hooks: ActivityHooks = {}) {
  const ping = createPingClient({ ...config.ping, observer: hooks.pingObserver });
  const mail = createMailActivities({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, logger });
  const activities = {
    ...createPingActivities({ ping, publicBaseUrl: config.publicBaseUrl, webhookSecret: config.webhookSecret }),
    ...createMoneyActivities({ ping }),
    ...createNotificationActivities({ signingSecret: config.notificationSigningSecret, outboundUrls: config.outboundUrls }),
    sendReceiptEmail: mail.sendReceiptEmail,
    sendRefundEmail: mail.sendRefundEmail,
  };
  return {
    activities,
    async close() {
      await ping.close();
      mail.close?.();
    },
  };
}
