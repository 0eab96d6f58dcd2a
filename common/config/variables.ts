import { z } from 'zod';
import { PING_GUID_PATTERN } from '../../domain/ids';
import { devServerVariables } from './devServer';
import { count, flag, httpUrl, isoDuration, optionalString, port, portOrOff } from './values';
import { workerTuningVariables } from './workerTuning';

/**
 * Every environment variable the app reads, in one list (the compose test checks docker-compose.yml
 * and .env.example against it). Each process parses it once, through `loadConfig()`.
 */
export const envSchema = z.object({
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),

  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default('payments'),
  TEMPORAL_CLI_PATH: optionalString,
  // How to reach a secured cluster (Temporal Cloud, or a self-hosted one with TLS): the same names
  // the `temporal` CLI reads. An API key implies TLS; TEMPORAL_TLS=true turns TLS on without one.
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS: optionalString.pipe(z.enum(['true', 'false'], { error: 'must be true or false' }).optional()),
  TEMPORAL_TLS_CERT: optionalString,
  TEMPORAL_TLS_KEY: optionalString,
  TEMPORAL_TLS_CA: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  // The dev server our scripts start (npm start, the tests, the bench); ./devServer.ts says why its defaults.
  TEMPORAL_DEV_SQLITE_PRAGMAS: devServerVariables.TEMPORAL_DEV_SQLITE_PRAGMAS,
  TEMPORAL_DEV_DYNAMIC_CONFIG: devServerVariables.TEMPORAL_DEV_DYNAMIC_CONFIG,
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  // The worker's heap cap and concurrency; ./workerTuning.ts says why their defaults and limits.
  WORKER_MAX_HEAP_MB: workerTuningVariables.WORKER_MAX_HEAP_MB,
  WORKER_MAX_CACHED_WORKFLOWS: workerTuningVariables.WORKER_MAX_CACHED_WORKFLOWS,
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: workerTuningVariables.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
  WORKER_MAX_CONCURRENT_ACTIVITIES: workerTuningVariables.WORKER_MAX_CONCURRENT_ACTIVITIES,
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: workerTuningVariables.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
  WORKER_WORKFLOW_TASK_POLLERS: workerTuningVariables.WORKER_WORKFLOW_TASK_POLLERS,
  WORKER_ACTIVITY_TASK_POLLERS: workerTuningVariables.WORKER_ACTIVITY_TASK_POLLERS,

  DATA_DIR: optionalString,
  API_HOST: z.string().trim().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  API_KEYS: optionalString,
  PUBLIC_BASE_URL: httpUrl.optional(),
  WEBHOOK_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  // The API's rate limits, per process (api/rateLimits.ts, docs/http-api.md#rate-limits); 0 turns one off.
  RATE_LIMIT_PER_SECOND: count(0).default(100),
  RATE_LIMIT_BURST: count(0).default(200),
  AUTH_FAILURE_LIMIT_PER_MINUTE: count(0).default(20),

  SANDBOX_PORT: port.default(4010),
  SANDBOX_PUBLIC_URL: httpUrl.optional(),
  // How soon the sandbox approves a new merchant: ms, or `off`; parsed by sandbox/merchants.ts, the one process that reads it.
  SANDBOX_MERCHANT_APPROVAL_MS: optionalString,
  PING_PAYMENTS_API_URL: httpUrl.optional(),
  PING_PAYMENT_LINKS_API_URL: httpUrl.optional(),
  PING_TENANT_ID: optionalString.pipe(z.string().regex(PING_GUID_PATTERN, 'must be a Ping id (8-4-4-4-12 hex digits)').optional()),
  PING_API_SECRET: optionalString,

  SMTP_URL: optionalString.pipe(z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// URL' }).optional()),
  MAIL_FROM: z.string().trim().min(3).default('Ping orchestrator <receipts@localhost>'),
  INBOX_SMTP_PORT: port.default(1025),
  INBOX_HTTP_PORT: port.default(8025),

  NOTIFICATION_SIGNING_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  // What a caller's notify_url may point at (common/outboundUrl.ts): off, public https only. `npm start`
  // and the tests turn both on for their receivers on 127.0.0.1; docs/configuration.md says why two.
  ALLOW_PRIVATE_WEBHOOK_URLS: flag.default(false),
  ALLOW_HTTP_WEBHOOK_URLS: flag.default(false),
  // Polls only back up Ping's callbacks; their rate is open payments / interval, hence minutes (docs/configuration.md).
  PAYMENT_POLL_INITIAL_MS: z.coerce.number().int().min(100).default(120_000),
  PAYMENT_POLL_MAX_MS: z.coerce.number().int().min(100).default(1_800_000),
  // The money after the payment (docs/configuration.md): a paid payment's hold before settlement, and
  // how long an ended one watches for a late payment. `npm start` and the tests run with SETTLEMENT_HOLD=PT0S.
  SETTLEMENT_HOLD: isoDuration.prefault('P3D'),
  LATE_PAYMENT_WINDOW: isoDuration.prefault('PT24H'),

  // Subscription intervals and offsets under a day are refused unless this is on (tests and demos run PT5S periods).
  SUBSCRIPTIONS_ALLOW_SHORT_INTERVALS: flag.default(false),

  PAYLOAD_ENCRYPTION_KEYS: optionalString,
  CODEC_CORS_ORIGINS: optionalString,

  METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  METRICS_PUBLIC: flag.default(false),
  WORKER_METRICS_PORT: portOrOff(9464),
  TEMPORAL_METRICS_PORT: portOrOff(9465),
});

/** The environment once parsed: every variable checked, defaults filled in. */
export type ParsedEnv = z.infer<typeof envSchema>;
