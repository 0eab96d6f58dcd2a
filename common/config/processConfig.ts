import path from 'node:path';
import { EncryptionKeysError, parseEncryptionKeys, type EncryptionKeys } from '../payloadCodec';
import type { DevServerTuning } from './devServer';
import { isLocal } from './localServices';
import { type TemporalConnectionOptions, temporalConnectionOptions } from './temporalConnection';
import { ConfigError, parseEnv, type Env } from './values';
import { envSchema, type ParsedEnv } from './variables';
import { type WorkerTuning, workerTuning } from './workerTuning';

/**
 * The one place the environment is read. Every process (api, worker, sandbox, `npm start`) calls
 * `loadConfig()` once at start-up and receives plain values; nothing else touches `process.env`.
 */

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Ping's sandbox accepts any tenant; ours needs a stable one so counters and state line up. */
export const SANDBOX_TENANT_ID = '00000000-0000-4000-8000-000000000001';

export interface Config {
  log: { level: ParsedEnv['LOG_LEVEL']; format: 'auto' | 'json' | 'pretty' };
  temporal: {
    /** Where clients and workers connect. */
    address: string;
    /** True when TEMPORAL_ADDRESS was given: `npm start` then uses that cluster and starts no dev server. */
    external: boolean;
    /**
     * API key and TLS (mTLS client pair, CA, server name) for the connection, in the shape both the
     * client's `Connection` and the worker's `NativeConnection` take: spread it next to `address`.
     */
    connectionOptions: TemporalConnectionOptions;
    namespace: string;
    taskQueue: string;
    cliPath?: string;
    devPort: number;
    uiPort: number;
    /** TEMPORAL_DEV_SQLITE_PRAGMAS and TEMPORAL_DEV_DYNAMIC_CONFIG, for the dev server our scripts start. */
    devServer: DevServerTuning;
  };
  worker: { shutdownGraceMs: number; tuning: WorkerTuning; maxHeapMb: number };
  dataDir: string;
  api: {
    host: string;
    port: number;
    keys: string[];
    publicBaseUrl: string;
    webhookSecret?: string;
  };
  /** The API's rate limits (api/rateLimits.ts); 0 turns one off. */
  rateLimits: { perSecond: number; burst: number; authFailuresPerMinute: number };
  /** The Ping emulator: where it listens, and the base of the checkout/PDF URLs it hands out. */
  sandbox: { port: number; publicUrl: string };
  ping: {
    paymentsApiUrl: string;
    paymentLinksApiUrl: string;
    tenantId: string;
    apiSecret?: string;
  };
  mail: {
    /** Where receipts are sent; by default the local inbox that `npm start` runs. */
    smtpUrl: string;
    from: string;
    /** The local SMTP inbox (dev and tests): its SMTP port and the HTTP port its messages are read on. */
    inbox: { smtpPort: number; httpPort: number };
  };
  notifications: {
    /** HMAC key of the signature on merchant notifications (`Ping-Orchestrator-Signature`). */
    signingSecret?: string;
  };
  /**
   * What a caller's notify_url may point at, checked at create (API) and at delivery (worker):
   * ALLOW_HTTP_WEBHOOK_URLS lets plain http in, ALLOW_PRIVATE_WEBHOOK_URLS turns the address checks off.
   */
  outboundUrls: { allowHttp: boolean; allowPrivate: boolean };
  payments: {
    /** When no callback arrives, Ping is polled after this long, doubling up to the maximum. */
    pollInitialMs: number;
    pollMaxMs: number;
  };
  money: {
    /** SETTLEMENT_HOLD: a paid payment's order is settled at Ping this long after payment (automatic settlement). */
    settlementHoldMs: number;
    /** LATE_PAYMENT_WINDOW: an expired, cancelled or failed payment keeps asking Ping this long whether it was paid after all. */
    latePaymentWindowMs: number;
  };
  subscriptions: {
    /** SUBSCRIPTIONS_ALLOW_SHORT_INTERVALS: intervals, due dates, reminders and grace periods under a day are accepted. */
    allowShortIntervals: boolean;
  };
  encryption: {
    /** PAYLOAD_ENCRYPTION_KEYS parsed: the first key seals, all of them open. Required by api and worker. */
    keys?: EncryptionKeys;
    /** Browser origins (the Temporal Web UI) allowed to call the codec endpoint without an API key. */
    codecCorsOrigins: string[];
  };
  metrics: {
    /** Interface the worker's two metrics listeners bind to (`0.0.0.0` in a container). */
    host: string;
    /** The API's `GET /metrics` answers anyone; otherwise loopback callers or an API key only. */
    public: boolean;
    /** The worker's own metrics (Ping calls, process) at `/metrics`; undefined: not served. */
    workerPort?: number;
    /** The Temporal SDK's Prometheus exporter (task latencies, slots, sticky cache); undefined: off. */
    temporalPort?: number;
  };
}

/**
 * `CODEC_CORS_ORIGINS`: comma-separated `scheme://host[:port]` origins, or `none` (API keys only).
 * Unset: the Web UI of the dev server `npm start` runs.
 */
function parseCodecOrigins(value: string | undefined, uiPort: number): string[] {
  if (value === undefined) return [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`];
  if (value.toLowerCase() === 'none') return [];
  return value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
    .map((raw) => {
      let parsed: URL | undefined;
      try {
        parsed = new URL(raw);
      } catch {
        parsed = undefined;
      }
      const bare = parsed && parsed.pathname === '/' && !parsed.search && !parsed.hash && !parsed.username && !parsed.password;
      // Browsers send the origin normalised (lower-case host, no default port), so it is stored that way.
      if (!parsed || !bare || !/^https?:$/.test(parsed.protocol) || raw.includes('*') || !/^https?:\/\/[^/]+\/?$/i.test(raw)) {
        throw new ConfigError(
          `Invalid configuration: CODEC_CORS_ORIGINS entries must be origins such as https://temporal.example.com (scheme, host and port; no path, no "*") (got ${JSON.stringify(raw.slice(0, 60))})`,
        );
      }
      return parsed.origin;
    });
}

/** Parses the environment once; throws ConfigError whose message names every bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const e = parseEnv(envSchema, env);
  const sandboxBase = `http://localhost:${e.SANDBOX_PORT}/`;
  const paymentsApiUrl = e.PING_PAYMENTS_API_URL ?? `${sandboxBase}payments/`;
  const paymentLinksApiUrl = e.PING_PAYMENT_LINKS_API_URL ?? `${sandboxBase}payment_links/`;
  const talksToRealPing = !isLocal(paymentsApiUrl) || !isLocal(paymentLinksApiUrl);
  if (talksToRealPing && (!e.PING_TENANT_ID || !e.PING_API_SECRET)) {
    // The sandbox defaults are fine locally; against Ping itself a missing credential is a deploy mistake.
    throw new ConfigError(
      'Invalid configuration: PING_TENANT_ID and PING_API_SECRET are required when the PING_*_URL variables point at Ping',
    );
  }
  const keys = (e.API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (keys.some((k) => k.length < 16)) {
    throw new ConfigError('Invalid configuration: API_KEYS entries must be at least 16 characters each');
  }
  let encryptionKeys: EncryptionKeys | undefined;
  if (e.PAYLOAD_ENCRYPTION_KEYS !== undefined) {
    try {
      encryptionKeys = parseEncryptionKeys(e.PAYLOAD_ENCRYPTION_KEYS);
    } catch (err) {
      // The parser's messages name ids and lengths, never key material.
      if (err instanceof EncryptionKeysError) throw new ConfigError(`Invalid configuration: PAYLOAD_ENCRYPTION_KEYS ${err.message}`);
      throw err;
    }
  }
  const codecCorsOrigins = parseCodecOrigins(e.CODEC_CORS_ORIGINS, e.TEMPORAL_UI_PORT);

  return {
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.TEMPORAL_DEV_PORT}`,
      external: e.TEMPORAL_ADDRESS !== undefined,
      connectionOptions: temporalConnectionOptions(e),
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      cliPath: e.TEMPORAL_CLI_PATH,
      devPort: e.TEMPORAL_DEV_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      devServer: { sqlitePragmas: e.TEMPORAL_DEV_SQLITE_PRAGMAS, dynamicConfig: e.TEMPORAL_DEV_DYNAMIC_CONFIG },
    },
    worker: { shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS, tuning: workerTuning(e), maxHeapMb: e.WORKER_MAX_HEAP_MB },
    dataDir: path.resolve(PROJECT_ROOT, e.DATA_DIR ?? '.data'),
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      keys,
      publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.API_PORT}/`).replace(/\/$/, ''),
      webhookSecret: e.WEBHOOK_SECRET,
    },
    rateLimits: { perSecond: e.RATE_LIMIT_PER_SECOND, burst: e.RATE_LIMIT_BURST, authFailuresPerMinute: e.AUTH_FAILURE_LIMIT_PER_MINUTE },
    sandbox: { port: e.SANDBOX_PORT, publicUrl: (e.SANDBOX_PUBLIC_URL ?? sandboxBase).replace(/\/$/, '') },
    ping: {
      paymentsApiUrl,
      paymentLinksApiUrl,
      tenantId: e.PING_TENANT_ID ?? SANDBOX_TENANT_ID,
      apiSecret: e.PING_API_SECRET,
    },
    mail: {
      smtpUrl: e.SMTP_URL ?? `smtp://localhost:${e.INBOX_SMTP_PORT}`,
      from: e.MAIL_FROM,
      inbox: { smtpPort: e.INBOX_SMTP_PORT, httpPort: e.INBOX_HTTP_PORT },
    },
    notifications: { signingSecret: e.NOTIFICATION_SIGNING_SECRET },
    outboundUrls: { allowHttp: e.ALLOW_HTTP_WEBHOOK_URLS, allowPrivate: e.ALLOW_PRIVATE_WEBHOOK_URLS },
    payments: { pollInitialMs: e.PAYMENT_POLL_INITIAL_MS, pollMaxMs: e.PAYMENT_POLL_MAX_MS },
    money: { settlementHoldMs: e.SETTLEMENT_HOLD, latePaymentWindowMs: e.LATE_PAYMENT_WINDOW },
    subscriptions: { allowShortIntervals: e.SUBSCRIPTIONS_ALLOW_SHORT_INTERVALS },
    encryption: { keys: encryptionKeys, codecCorsOrigins },
    metrics: { host: e.METRICS_HOST, public: e.METRICS_PUBLIC, workerPort: e.WORKER_METRICS_PORT, temporalPort: e.TEMPORAL_METRICS_PORT },
  };
}
