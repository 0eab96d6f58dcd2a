import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { EncryptionKeysError, parseEncryptionKeys, type EncryptionKeys } from './payloadCodec';

/**
 * The one place the environment is read. Every process (api, worker, sandbox, `npm start`) calls
 * `loadConfig()` once at start-up and receives plain values; nothing else touches `process.env`.
 */

export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** Ping's sandbox accepts any tenant; ours needs a stable one so counters and state line up. */
export const SANDBOX_TENANT_ID = '00000000-0000-4000-8000-000000000001';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be an integer port number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

/** A port to listen on, or `0` / empty to not listen at all (undefined); unset is `fallback`. */
const portOrOff = (fallback: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return fallback;
      if (value === '' || value === '0') return undefined;
      const n = Number(value);
      if (/^\d+$/.test(value) && n >= 1 && n <= 65535) return n;
      ctx.issues.push({ code: 'custom', message: 'must be a port number (1-65535), or 0 or empty to turn it off', input: value });
      return z.NEVER;
    });

/** `true`/`1` or `false`/`0` (any case); empty is false. */
const flag = z
  .string()
  .trim()
  .toLowerCase()
  .transform((value, ctx) => {
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0' || value === '') return false;
    ctx.issues.push({ code: 'custom', message: 'must be true or false', input: value });
    return z.NEVER;
  });

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  // Ping's SDK resolves every path against the base URL, which therefore must end with "/".
  .transform((u) => (u.endsWith('/') ? u : `${u}/`));

const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/** A whole number of at least `min`. */
const count = (min: number) =>
  z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(min, `must be at least ${min}`);

/**
 * `name=value,name=value`, each entry one repetition of a CLI flag; unset is `fallback`, empty is
 * none. A value cannot contain a comma. Later entries win over earlier ones of the same name.
 */
const keyValueList = (fallback: string, format: { what: string; example: string; name: RegExp; value: (value: string) => boolean }) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const pairs: Array<[string, string]> = [];
      for (const entry of (raw ?? fallback).split(',').map((e) => e.trim()).filter(Boolean)) {
        const eq = entry.indexOf('=');
        const name = entry.slice(0, Math.max(eq, 0)).trim();
        const value = entry.slice(eq + 1).trim();
        if (eq < 1 || !format.name.test(name) || !format.value(value)) {
          const shown = entry.length > 60 ? `${entry.slice(0, 60)}…` : entry;
          ctx.issues.push({ code: 'custom', message: `must be comma-separated ${format.what}, e.g. ${format.example}; ${JSON.stringify(shown)} is not one`, input: raw });
          return z.NEVER;
        }
        pairs.push([name, value]);
      }
      // fromEntries defines own properties, so even a name like __proto__ stays a plain entry.
      return Object.fromEntries(pairs);
    });

const isJson = (value: string): boolean => {
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
};

/**
 * TEMPORAL_DEV_SQLITE_PRAGMAS: the SQLite pragmas of the dev server's database file (`--sqlite-pragma`).
 * The CLI's own SQLite settings (rollback journal, synchronous=FULL) fsync several times per
 * transaction, all through its single connection; measured here, WAL with synchronous=NORMAL doubled
 * end-to-end throughput. WAL+NORMAL stays durable when a process crashes (only an OS crash or power
 * loss can lose the last transactions), which is what a dev server needs.
 */
export const DEFAULT_DEV_SQLITE_PRAGMAS = 'journal_mode=wal,synchronous=normal';

/**
 * TEMPORAL_DEV_DYNAMIC_CONFIG: dynamic config of the dev server (`--dynamic-config-value`), each
 * value JSON. One task-queue partition (read and write): on a single-node server, more partitions
 * only forward polls and tasks between them. No search-attribute read from the database on every
 * read (the CLI forces it; ours are registered at start, before anything runs). Eager activities:
 * the worker takes an activity task in the reply to the workflow task that scheduled it.
 */
export const DEFAULT_DEV_DYNAMIC_CONFIG = [
  'matching.numTaskqueueReadPartitions=1',
  'matching.numTaskqueueWritePartitions=1',
  'system.forceSearchAttributesCacheRefreshOnRead=false',
  'system.enableActivityEagerExecution=true',
].join(',');

/**
 * The worker's concurrency and cache, the SDK's defaults (SDK 1.24) written out except the cache.
 * WORKER_MAX_CACHED_WORKFLOWS: the SDK's default grows with the heap limit (about 2 300 on a
 * 24 GiB machine), and each cached payment costs a few hundred KiB of V8 heap; an evicted payment
 * simply replays its short history on its next wake-up.
 */
export const WORKER_TUNING_DEFAULTS = {
  maxCachedWorkflows: 1000,
  maxConcurrentWorkflowTaskExecutions: 40,
  maxConcurrentActivityTaskExecutions: 100,
  maxConcurrentLocalActivityExecutions: 100,
  /** The SDK's default poller count: min(10, the matching maxConcurrent* above). */
  maxPollers: 10,
} as const;

export const DEFAULT_WORKER_MAX_HEAP_MB = 512;

const envSchema = z.object({
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
  // The dev server our scripts start (npm start, the tests, the bench); see the two defaults above.
  TEMPORAL_DEV_SQLITE_PRAGMAS: keyValueList(DEFAULT_DEV_SQLITE_PRAGMAS, {
    what: 'name=value SQLite pragmas',
    example: 'journal_mode=wal',
    name: /^[A-Za-z_]+$/,
    value: (v) => /^[A-Za-z0-9_-]+$/.test(v),
  }),
  TEMPORAL_DEV_DYNAMIC_CONFIG: keyValueList(DEFAULT_DEV_DYNAMIC_CONFIG, {
    what: 'key=value dynamic config entries, the value JSON (a number, true/false, or a "quoted" string)',
    example: 'matching.numTaskqueueReadPartitions=1',
    name: /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/,
    value: isJson,
  }),
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  // The worker's V8 heap cap (--max-old-space-size), set by whoever starts it: scripts/bootstrap.mjs,
  // scripts/childProcess.ts, the Dockerfile. Uncapped on a 24 GiB machine V8 allows about 4 GiB and
  // collects late: 3 000 open payments grew the worker to 940 MiB RSS, with the cap it held 600 MiB.
  WORKER_MAX_HEAP_MB: count(128).default(DEFAULT_WORKER_MAX_HEAP_MB),
  // Worker concurrency (WORKER_TUNING_DEFAULTS says why these values). The SDK's core refuses fewer
  // than 2 workflow-task slots or pollers when the cache is on, and turns a cache of 1 into 2.
  WORKER_MAX_CACHED_WORKFLOWS: count(2).default(WORKER_TUNING_DEFAULTS.maxCachedWorkflows),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: count(2).default(WORKER_TUNING_DEFAULTS.maxConcurrentWorkflowTaskExecutions),
  WORKER_MAX_CONCURRENT_ACTIVITIES: count(1).default(WORKER_TUNING_DEFAULTS.maxConcurrentActivityTaskExecutions),
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: count(1).default(WORKER_TUNING_DEFAULTS.maxConcurrentLocalActivityExecutions),
  // Unset: min(10, the slots they poll for), as the SDK does.
  WORKER_WORKFLOW_TASK_POLLERS: count(2).optional(),
  WORKER_ACTIVITY_TASK_POLLERS: count(1).optional(),

  DATA_DIR: optionalString,
  API_HOST: z.string().trim().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  API_KEYS: optionalString,
  PUBLIC_BASE_URL: httpUrl.optional(),
  WEBHOOK_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),

  SANDBOX_PORT: port.default(4010),
  SANDBOX_PUBLIC_URL: httpUrl.optional(),
  PING_PAYMENTS_API_URL: httpUrl.optional(),
  PING_PAYMENT_LINKS_API_URL: httpUrl.optional(),
  PING_TENANT_ID: optionalString.pipe(z.uuid('must be a UUID').optional()),
  PING_API_SECRET: optionalString,

  SMTP_URL: optionalString.pipe(z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// URL' }).optional()),
  MAIL_FROM: z.string().trim().min(3).default('Ping orchestrator <receipts@localhost>'),
  INBOX_SMTP_PORT: port.default(1025),
  INBOX_HTTP_PORT: port.default(8025),

  NOTIFICATION_SIGNING_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  // Polls only back up Ping's callbacks; their rate is open payments / interval, hence minutes (README).
  PAYMENT_POLL_INITIAL_MS: z.coerce.number().int().min(100).default(120_000),
  PAYMENT_POLL_MAX_MS: z.coerce.number().int().min(100).default(1_800_000),

  PAYLOAD_ENCRYPTION_KEYS: optionalString,
  CODEC_CORS_ORIGINS: optionalString,

  METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  METRICS_PUBLIC: flag.default(false),
  WORKER_METRICS_PORT: portOrOff(9464),
  TEMPORAL_METRICS_PORT: portOrOff(9465),
});

export type Env = Record<string, string | undefined>;

/** The part of `ConnectionOptions` / `NativeConnectionOptions` that secures the connection. */
export interface TemporalConnectionOptions {
  apiKey?: string;
  /** Undefined: plain gRPC (a local dev server or cluster). `{}`: TLS trusting the system's CAs. */
  tls?: {
    clientCertPair?: { crt: Buffer; key: Buffer };
    serverRootCACertificate?: Buffer;
    serverNameOverride?: string;
  };
}

/** How our scripts tune the dev server they start (`temporal server start-dev`). */
export interface DevServerTuning {
  /** `--sqlite-pragma name=value` each; only applies to a database file. */
  sqlitePragmas: Record<string, string>;
  /** `--dynamic-config-value key=value` each; every value is JSON text. */
  dynamicConfig: Record<string, string>;
}

/** The worker's concurrency and workflow cache, named as the SDK's `WorkerOptions` (pollers aside). */
export interface WorkerTuning {
  maxCachedWorkflows: number;
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentLocalActivityExecutions: number;
  /** Concurrent workflow-task polls (the SDK's `workflowTaskPollerBehavior` simple maximum). */
  workflowTaskPollers: number;
  /** Concurrent activity-task polls (the SDK's `activityTaskPollerBehavior` simple maximum). */
  activityTaskPollers: number;
}

export interface Config {
  log: { level: z.infer<typeof envSchema>['LOG_LEVEL']; format: 'auto' | 'json' | 'pretty' };
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
  payments: {
    /** When no callback arrives, Ping is polled after this long, doubling up to the maximum. */
    pollInitialMs: number;
    pollMaxMs: number;
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

function isLocal(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
}

/** Their values are never echoed back in an error message: it may end up in a CI log. */
const SECRET_VARIABLES = new Set(['TEMPORAL_API_KEY', 'API_KEYS', 'WEBHOOK_SECRET', 'PING_API_SECRET', 'NOTIFICATION_SIGNING_SECRET', 'PAYLOAD_ENCRYPTION_KEYS']);

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

function readConfigFile(name: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`Invalid configuration: ${name} cannot be read (${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** TEMPORAL_API_KEY and TEMPORAL_TLS_*: files are read here, so a wrong path fails at start-up. */
function temporalConnectionOptions(e: z.infer<typeof envSchema>): TemporalConnectionOptions {
  if (Boolean(e.TEMPORAL_TLS_CERT) !== Boolean(e.TEMPORAL_TLS_KEY)) {
    throw new ConfigError('Invalid configuration: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (the mTLS client certificate and its key) go together');
  }
  const tlsDetails = e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_CA || e.TEMPORAL_TLS_SERVER_NAME;
  const tlsOn = e.TEMPORAL_TLS === 'true' || (e.TEMPORAL_TLS !== 'false' && Boolean(e.TEMPORAL_API_KEY || tlsDetails));
  if (!tlsOn) {
    if (tlsDetails) throw new ConfigError('Invalid configuration: TEMPORAL_TLS=false contradicts the TEMPORAL_TLS_* files given');
    return { apiKey: e.TEMPORAL_API_KEY };
  }
  return {
    apiKey: e.TEMPORAL_API_KEY,
    tls: {
      ...(e.TEMPORAL_TLS_CERT && e.TEMPORAL_TLS_KEY
        ? { clientCertPair: { crt: readConfigFile('TEMPORAL_TLS_CERT', e.TEMPORAL_TLS_CERT), key: readConfigFile('TEMPORAL_TLS_KEY', e.TEMPORAL_TLS_KEY) } }
        : {}),
      ...(e.TEMPORAL_TLS_CA ? { serverRootCACertificate: readConfigFile('TEMPORAL_TLS_CA', e.TEMPORAL_TLS_CA) } : {}),
      ...(e.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: e.TEMPORAL_TLS_SERVER_NAME } : {}),
    },
  };
}

function describeIssue(issue: z.core.$ZodIssue, env: Env): string {
  const name = String(issue.path[0] ?? 'environment');
  const raw = env[name];
  const got = raw === undefined || SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw)})`;
  const message = issue.code === 'invalid_value' ? `must be one of ${issue.values.join(', ')}` : issue.message;
  return `${name} ${message}${got}`;
}

function parseEnv<T>(schema: z.ZodType<T>, env: Env): T {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: ${parsed.error.issues.map((i) => describeIssue(i, env)).join('; ')}`);
  }
  return parsed.data;
}

const devServerSchema = envSchema.pick({ TEMPORAL_DEV_SQLITE_PRAGMAS: true, TEMPORAL_DEV_DYNAMIC_CONFIG: true });

/**
 * TEMPORAL_DEV_SQLITE_PRAGMAS and TEMPORAL_DEV_DYNAMIC_CONFIG alone (the same as
 * `loadConfig(env).temporal.devServer`), for a harness that starts a dev server without running
 * the app's processes itself. `{}` gives the defaults. Throws ConfigError.
 */
export function loadDevServerTuning(env: Env = process.env): DevServerTuning {
  const e = parseEnv(devServerSchema, env);
  return { sqlitePragmas: e.TEMPORAL_DEV_SQLITE_PRAGMAS, dynamicConfig: e.TEMPORAL_DEV_DYNAMIC_CONFIG };
}

const heapSchema = envSchema.pick({ WORKER_MAX_HEAP_MB: true });

/** The node flag that caps the worker's heap, from WORKER_MAX_HEAP_MB. Throws ConfigError. */
export function workerHeapFlag(env: Env = process.env): string {
  return `--max-old-space-size=${parseEnv(heapSchema, env).WORKER_MAX_HEAP_MB}`;
}

/** The WORKER_* concurrency variables, checked against each other as the SDK would (it only warns, or fails later). */
function workerTuning(e: z.infer<typeof envSchema>): WorkerTuning {
  const tuning: WorkerTuning = {
    maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivityTaskExecutions: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivityExecutions: e.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    workflowTaskPollers: e.WORKER_WORKFLOW_TASK_POLLERS ?? Math.min(WORKER_TUNING_DEFAULTS.maxPollers, e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS),
    activityTaskPollers: e.WORKER_ACTIVITY_TASK_POLLERS ?? Math.min(WORKER_TUNING_DEFAULTS.maxPollers, e.WORKER_MAX_CONCURRENT_ACTIVITIES),
  };
  const notAbove = (name: string, value: number, limitName: string, limit: number): string[] =>
    value > limit ? [`${name} (${value}) must not exceed ${limitName} (${limit})`] : [];
  const problems = [
    // A workflow task needs a cache slot for its workflow.
    ...notAbove('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', tuning.maxConcurrentWorkflowTaskExecutions, 'WORKER_MAX_CACHED_WORKFLOWS', tuning.maxCachedWorkflows),
    // A poll only starts with a free slot, so more pollers than slots never poll.
    ...notAbove('WORKER_WORKFLOW_TASK_POLLERS', tuning.workflowTaskPollers, 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', tuning.maxConcurrentWorkflowTaskExecutions),
    ...notAbove('WORKER_ACTIVITY_TASK_POLLERS', tuning.activityTaskPollers, 'WORKER_MAX_CONCURRENT_ACTIVITIES', tuning.maxConcurrentActivityTaskExecutions),
  ];
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return tuning;
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
    payments: { pollInitialMs: e.PAYMENT_POLL_INITIAL_MS, pollMaxMs: e.PAYMENT_POLL_MAX_MS },
    encryption: { keys: encryptionKeys, codecCorsOrigins },
    metrics: { host: e.METRICS_HOST, public: e.METRICS_PUBLIC, workerPort: e.WORKER_METRICS_PORT, temporalPort: e.TEMPORAL_METRICS_PORT },
  };
}

/** True when the Ping URLs point at our local emulator, so `npm start` should run it. */
export function usesLocalSandbox(config: Config): boolean {
  return [config.ping.paymentsApiUrl, config.ping.paymentLinksApiUrl].some((u) => {
    const url = new URL(u);
    return isLocal(u) && Number(url.port || 80) === config.sandbox.port;
  });
}

/** True when receipts go to the local SMTP inbox, so `npm start` should run it. */
export function usesLocalInbox(config: Config): boolean {
  const url = new URL(config.mail.smtpUrl);
  return isLocal(config.mail.smtpUrl) && Number(url.port || 25) === config.mail.inbox.smtpPort;
}

/** The secrets each long-running process refuses to start without; `npm start` generates them all. */
export const REQUIRED_SECRETS = {
  api: ['API_KEYS', 'WEBHOOK_SECRET', 'PAYLOAD_ENCRYPTION_KEYS'],
  worker: ['WEBHOOK_SECRET', 'NOTIFICATION_SIGNING_SECRET', 'PAYLOAD_ENCRYPTION_KEYS'],
} as const;

const SECRET_HINTS: Record<(typeof REQUIRED_SECRETS)[keyof typeof REQUIRED_SECRETS][number], string> = {
  API_KEYS: 'comma-separated bearer keys, 16+ characters each',
  WEBHOOK_SECRET: '16+ characters; it signs the callback URLs given to Ping',
  NOTIFICATION_SIGNING_SECRET: '16+ characters; it signs merchant notifications',
  PAYLOAD_ENCRYPTION_KEYS: 'id:base64key, the key 32 random bytes, e.g. k1:$(openssl rand -base64 32)',
};

export interface ProcessSecrets {
  webhookSecret: string;
  encryptionKeys: EncryptionKeys;
  notificationSigningSecret: string | undefined;
}

/** One line naming every missing secret and exit 1, or the secrets, present. */
export function requireSecretsOrExit(config: Config, processName: keyof typeof REQUIRED_SECRETS): ProcessSecrets {
  const present = {
    API_KEYS: config.api.keys.length > 0,
    WEBHOOK_SECRET: config.api.webhookSecret !== undefined,
    NOTIFICATION_SIGNING_SECRET: config.notifications.signingSecret !== undefined,
    PAYLOAD_ENCRYPTION_KEYS: config.encryption.keys !== undefined,
  };
  const missing = REQUIRED_SECRETS[processName].filter((name) => !present[name]);
  if (missing.length > 0) {
    const reasons = missing.map((name) => `${name} is required (${SECRET_HINTS[name]})`).join('; ');
    process.stderr.write(`Invalid configuration: ${reasons}; npm start generates them\n`);
    process.exit(1);
  }
  return { webhookSecret: config.api.webhookSecret!, encryptionKeys: config.encryption.keys!, notificationSigningSecret: config.notifications.signingSecret };
}

/** For process entry points: a bad environment is a one-line message and exit code 1, never a stack trace. */
export function loadConfigOrExit(env: Env = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
