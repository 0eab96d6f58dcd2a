import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import type { ApiMetrics } from '../../api/metrics';
import type { RateLimitOptions } from '../../api/rateLimits';
import type { Logger } from '../../common/logger';
import type { OutboundUrlPolicy } from '../../common/outboundUrl';
import { dataConverterFor, EncryptionCodec, type EncryptionKeys } from '../../common/payloadCodec';
import { harnessEnv } from '../harnessEnv';
import { testEncryptionKeys, uiOrigins } from './encryption';
import { heldLogger } from './heldLogs';
import { queryInterceptors } from '../../common/workflowQueries';

export interface RunningApi {
  url: string;
  stop(): Promise<void>;
}

export const TEST_MONEY_TIMING = { settlementHoldMs: 0, latePaymentWindowMs: 1000 };
export const TEST_API_KEY = 'test-key-0123456789abcdef';
export const TEST_WEBHOOK_SECRET = 'test-webhook-secret-0123456789';
/** NOTIFICATION_SIGNING_SECRET of the test stacks (the worker's in paymentsStack.ts is the same): merchants' signing secrets derive from it. */
export const TEST_NOTIFICATION_SECRET = 'whsec_test_0123456789abcdef';
/** ALLOW_HTTP_WEBHOOK_URLS and ALLOW_PRIVATE_WEBHOOK_URLS on, as the test stacks run. */
export const TEST_OUTBOUND_URLS: OutboundUrlPolicy = { allowHttp: true, allowPrivate: true };

export interface ApiOptions {
  apiKeys?: string[];
  taskQueue?: string;
  webhookSecret?: string;
  timing?: { pollInitialMs: number; pollMaxMs: number };
  /** Default: settle at once (SETTLEMENT_HOLD=PT0S) and watch an ended payment for late payment for 1 s. */
  money?: { settlementHoldMs: number; latePaymentWindowMs: number };
  logger?: Logger;
  /** Defaults to the harness's dev server; a test of readiness can point it elsewhere. */
  temporalAddress?: string;
  /** Payload encryption of its client and /codec endpoint; defaults to the test keys. */
  encryptionKeys?: EncryptionKeys;
  /** Browser origins its /codec endpoint accepts; defaults to the harness's Web UI (as CODEC_CORS_ORIGINS does). */
  codecOrigins?: string[];
  /** Prometheus metrics and `GET /metrics` (none by default), and whether that answers without a key from anywhere. */
  metrics?: ApiMetrics;
  metricsPublic?: boolean;
  /** The interface to listen on; default loopback (`url` always names 127.0.0.1). */
  host?: string;
  /** Where a notify_url may point; default: anywhere over http(s), since the tests' merchant receivers listen on 127.0.0.1. */
  outboundUrls?: OutboundUrlPolicy;
  /** Per-key and bad-key flood limits (api/rateLimits.ts); none by default, so no test is throttled by another's traffic. */
  rateLimits?: RateLimitOptions;
  /** Merchants' signing secrets derive from it; default TEST_NOTIFICATION_SECRET. */
  notificationSigningSecret?: string;
  /** A new merchant's polling of Ping; default 200 ms doubling to 2 s, so a lost callback costs a test little. */
  merchantStatusPoll?: { initialMs: number; maxMs: number };
  /** SUBSCRIPTIONS_ALLOW_SHORT_INTERVALS; default on, as the test stacks run second-long periods. */
  allowShortIntervals?: boolean;
}

/** Starts the real express app on a free port, connected to a real Temporal server. */
export async function startApi(options: ApiOptions = {}): Promise<RunningApi> {
  const { temporalAddress, namespace, temporalUiUrl } = harnessEnv();
  const connection = Connection.lazy({ address: options.temporalAddress ?? temporalAddress });
  const codec = new EncryptionCodec(options.encryptionKeys ?? testEncryptionKeys());
  const app = createApp({
    logger: options.logger ?? heldLogger('test-api'),
    apiKeys: options.apiKeys ?? [TEST_API_KEY],
    client: new Client({ connection, namespace, dataConverter: dataConverterFor(codec), interceptors: queryInterceptors(connection) }),
    taskQueue: options.taskQueue ?? 'payments-test',
    webhookSecret: options.webhookSecret ?? TEST_WEBHOOK_SECRET,
    timing: options.timing ?? { pollInitialMs: 30_000, pollMaxMs: 600_000 },
    money: options.money ?? TEST_MONEY_TIMING,
    codec: { codec, allowedOrigins: options.codecOrigins ?? uiOrigins(temporalUiUrl) },
    metrics: options.metrics,
    metricsPublic: options.metricsPublic,
    outboundUrls: options.outboundUrls ?? TEST_OUTBOUND_URLS,
    rateLimits: options.rateLimits,
    notificationSigningSecret: options.notificationSigningSecret ?? TEST_NOTIFICATION_SECRET,
    merchantStatusPoll: options.merchantStatusPoll ?? { initialMs: 200, maxMs: 2000 },
    subscriptions: { allowShortIntervals: options.allowShortIntervals ?? true },
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await connection.close();
    },
  };
}
