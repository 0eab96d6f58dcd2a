import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Logger } from '../common/logger';
import { STRICT_OUTBOUND_URLS, type OutboundUrlPolicy } from '../common/outboundUrl';
import type { MoneyTiming, PollTiming } from '../domain/requests';
import { requireApiKey } from './auth';
import { createCodecRouter } from './codecRoutes';
import { errorHandler, methodNotAllowed, notFound } from './errors';
import { healthRoutes } from './health';
import { createMerchantKeys } from './merchantKeys';
import { metricsEndpoint, type ApiMetrics } from './metrics';
import { openApiRoutes } from './openapi';
import { createRateLimits, type RateLimitOptions } from './rateLimits';
import { requestLogging } from './requestLogging';
import { securityHeaders } from './securityHeaders';
import { payerReturnRoutes } from './routes/payerReturn';
import { merchantApiKeyRoutes } from './routes/merchantApiKeys';
import { merchantRoutes } from './routes/merchants';
import { paymentLinkRoutes } from './routes/paymentLinks';
import { paymentMoneyRoutes } from './routes/paymentMoney';
import { paymentSendRoutes } from './routes/paymentSend';
import { paymentRoutes } from './routes/payments';
import { pisPaymentRoutes } from './routes/pisPayments';
import { subscriptionRoutes } from './routes/subscriptions';
import { webhookRoutes } from './routes/webhooks';
import { createPayeeApp, type PayeeAppDeps } from '../app';

export interface AppDeps {
  logger: Logger;
  apiKeys: readonly string[];
  /** A Temporal client; its connection also answers /readyz. */
  client: Client;
  taskQueue: string;
  webhookSecret: string;
  timing: PollTiming;
  money: MoneyTiming;
  /**
   * The payload codec, served at /codec for the Temporal Web UI. `client` must carry the same codec in
   * its data converter. Without it there is no /codec route.
   */
  codec?: { codec: PayloadCodec; allowedOrigins: readonly string[] };
  /**
   * Prometheus metrics (api/metrics.ts, a registry of this app's own): requests by route and status,
   * payments created, webhook outcomes, served at `GET /metrics`. Without it there is no /metrics route.
   */
  metrics?: ApiMetrics;
  /** `GET /metrics` without an API key from anywhere (METRICS_PUBLIC); by default only for loopback callers. */
  metricsPublic?: boolean;
  /** Where a caller's notify_url may point (common/outboundUrl.ts); without it, public https only. */
  outboundUrls?: OutboundUrlPolicy;
  /** Per-key and bad-key flood limits on /v1 (api/rateLimits.ts); without them, no limits. */
  rateLimits?: RateLimitOptions;
  /** NOTIFICATION_SIGNING_SECRET: merchants' signing secrets derive from it (common/merchantSigning.ts); without it they cannot be shown (503). */
  notificationSigningSecret?: string;
  /** How often a new merchant's workflow asks Ping for its status while undecided; default 1 s doubling to 10 min. */
  merchantStatusPoll?: { initialMs: number; maxMs: number };
  /** SUBSCRIPTIONS_ALLOW_SHORT_INTERVALS: subscription durations under a day are accepted (tests and demos); off by default. */
  subscriptions?: { allowShortIntervals: boolean };
  /** The payee app at /app (app/, docs/payee-app.md): its session limits and the sale screen's polling; defaults without it. */
  payeeApp?: Omit<PayeeAppDeps, 'logger'>;
}

/** The HTTP API, built from its dependencies so tests can hand in real servers on free ports. */
export function createApp(deps: AppDeps): Express {
  const { client, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  if (metrics) app.use(metrics.httpMiddleware);
  app.use(requestLogging(deps.logger));
  app.use(securityHeaders());
  app.use(healthRoutes({ connection: client.connection, namespace: client.options.namespace }));
  app.use(openApiRoutes()); // The API contract, GET /openapi.json and GET /docs, open to all (api/openapi/).
  if (metrics) {
    app.get('/metrics', metricsEndpoint(metrics, { apiKeys: deps.apiKeys, public: deps.metricsPublic }));
    app.all('/metrics', methodNotAllowed('GET'));
  }
  // Ping's callbacks carry a per-payment token instead of our API key.
  app.use(webhookRoutes({ client, webhookSecret: deps.webhookSecret, onCallback: metrics?.webhookCallback, logger: deps.logger }));
  // The payer's browser comes back here from the bank, with a per-payment token.
  app.use(payerReturnRoutes({ client, webhookSecret: deps.webhookSecret }));

  // The Web UI decodes payloads here: API key, or a browser page from an allowed origin (see the file).
  if (deps.codec) {
    app.use('/codec', createCodecRouter({ codec: deps.codec.codec, apiKeys: deps.apiKeys, allowedOrigins: deps.codec.allowedOrigins }));
  }

  // The payee's phone app (docs/payee-app.md): HTML with its own CSP and error pages, a client of /v1 below.
  app.use('/app', createPayeeApp({ logger: deps.logger, ...deps.payeeApp }));

  const v1 = express.Router();
  const limits = deps.rateLimits && createRateLimits(deps.rateLimits);
  if (limits) v1.use(limits.beforeAuth);
  // Merchants' keys and On-Behalf-Of are known on /v1 only: /codec and /metrics take platform keys alone.
  const merchantKeys = createMerchantKeys({ client, logger: deps.logger });
  v1.use(requireApiKey(deps.apiKeys, merchantKeys));
  if (limits) v1.use(limits.afterAuth);
  v1.use(express.json({ limit: '100kb' }));
  const createDeps = { client, taskQueue: deps.taskQueue, timing: deps.timing, money: deps.money, onCreate: metrics?.paymentCreated, outboundUrls: deps.outboundUrls ?? STRICT_OUTBOUND_URLS };
  v1.use(paymentLinkRoutes(createDeps));
  v1.use(pisPaymentRoutes(createDeps));
  // List cursors are MACed so a forged or edited one is a 400, not a slow 500 from Temporal.
  v1.use(paymentRoutes({ client, cursorSecret: deps.webhookSecret }));
  v1.use(paymentMoneyRoutes({ client }));
  v1.use(paymentSendRoutes({ client }));
  const merchantDeps = { client, logger: deps.logger, merchantKeys };
  v1.use(merchantRoutes({ ...merchantDeps, taskQueue: deps.taskQueue, notificationSigningSecret: deps.notificationSigningSecret, statusPoll: deps.merchantStatusPoll, cursorSecret: deps.webhookSecret, outboundUrls: createDeps.outboundUrls }));
  v1.use(merchantApiKeyRoutes(merchantDeps));
  v1.use(subscriptionRoutes({ client, taskQueue: deps.taskQueue, cursorSecret: deps.webhookSecret, outboundUrls: createDeps.outboundUrls, allowShortIntervals: deps.subscriptions?.allowShortIntervals ?? false }));
  app.use('/v1', v1);

  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
