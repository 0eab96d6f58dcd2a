import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDevServerTuning } from '../common/config/devServer';
import { spawnService, type Service } from '../scripts/childProcess';
import { startDevServer, type DevServer } from '../scripts/devServer';
import { waitForHttpOk, waitForWorker } from '../scripts/readiness';
import { ensureTemporalCli } from '../scripts/temporalCli';
import { TEST_ENCRYPTION_KEYS } from '../test/helpers/encryption';
import { freePort } from '../test/helpers/ports';

export const BENCH_API_KEY = 'sk_bench_0123456789abcdef';
export const BENCH_TENANT = '00000000-0000-4000-8000-0000000000be';

export interface ProcessUsage {
  cpuSeconds: number;
  rssMiB: number;
}

/** CPU time (user + system) and resident memory of one process, from /proc (Linux). */
export function usageOf(pid: number): ProcessUsage | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return { cpuSeconds: ticks / 100, rssMiB: rssKiB / 1024 };
  } catch {
    return undefined;
  }
}

/** The node process behind a service: spawnService runs bootstrap.mjs, which runs the entry in-process. */
export interface BenchStack {
  apiUrl: string;
  sandboxUrl: string;
  temporalAddress: string;
  processes: Record<'temporal' | 'sandbox' | 'inbox' | 'worker' | 'api', number>;
  /** `SETTLEMENT_HOLD` of the stack: PT0S unless `env` says otherwise, so a paid payment is settled at once (as under `npm start`). */
  settlementHold: string;
  setLatency(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The product as it runs for real, each part its own process on free ports: the Temporal dev server
 * on a SQLite file, the Ping sandbox, the SMTP inbox, the worker and the API.
 */
export async function startBenchStack(
  options: {
    env?: NodeJS.ProcessEnv;
    log?: (line: string) => void;
    /** Writes V8 CPU profiles of the worker and the API here when they stop (open them in Chrome DevTools). */
    profileDir?: string;
  } = {},
): Promise<BenchStack> {
  const log = options.log ?? (() => undefined);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const cli = await ensureTemporalCli({ log });
  const server: DevServer = await startDevServer({
    cli,
    port: await freePort(),
    namespace: 'default',
    dbFile: path.join(dataDir, 'temporal.db'),
    tuning: loadDevServerTuning({ ...process.env, ...options.env }),
  });
  const ports = { api: await freePort(), sandbox: await freePort(), smtp: await freePort(), inbox: await freePort() };
  const sandboxUrl = `http://127.0.0.1:${ports.sandbox}`;
  const apiUrl = `http://127.0.0.1:${ports.api}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: 'error',
    LOG_FORMAT: 'json',
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: 'payments-bench',
    API_PORT: String(ports.api),
    API_KEYS: BENCH_API_KEY,
    PUBLIC_BASE_URL: apiUrl,
    WEBHOOK_SECRET: 'bench-webhook-secret-0123456789',
    NOTIFICATION_SIGNING_SECRET: 'whsec_bench_0123456789abcdef',
    PAYLOAD_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
    SANDBOX_PORT: String(ports.sandbox),
    SANDBOX_PUBLIC_URL: sandboxUrl,
    PING_PAYMENTS_API_URL: `${sandboxUrl}/payments/`,
    PING_PAYMENT_LINKS_API_URL: `${sandboxUrl}/payment_links/`,
    PING_TENANT_ID: BENCH_TENANT,
    INBOX_SMTP_PORT: String(ports.smtp),
    INBOX_HTTP_PORT: String(ports.inbox),
    SMTP_URL: `smtp://127.0.0.1:${ports.smtp}`,
    // No metrics listeners: fixed ports would collide with a stack already running on this machine.
    WORKER_METRICS_PORT: '0',
    TEMPORAL_METRICS_PORT: '0',
    // The end-to-end scenario counts a payment done once it is settled at Ping: no hold, as under `npm start`.
    SETTLEMENT_HOLD: 'PT0S',
    // Hundreds of requests a second with one key: the bench measures the stack, not the rate limits.
    RATE_LIMIT_PER_SECOND: '0',
    AUTH_FAILURE_LIMIT_PER_MINUTE: '0',
    // The bench's merchant receiver listens on 127.0.0.1 over http, as under `npm start`.
    ALLOW_PRIVATE_WEBHOOK_URLS: 'true',
    ALLOW_HTTP_WEBHOOK_URLS: 'true',
    ...options.env,
  };
  const services: Service[] = [];
  const start = (name: string) => {
    const profile = options.profileDir && (name === 'worker' || name === 'api');
    const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
    const s = spawnService(name, env, { stdio: ['ignore', 'ignore', 'inherit'], nodeArgs });
    services.push(s);
    return s;
  };
  const stop = async () => {
    for (const s of services.reverse()) await s.stop(5000);
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const sandbox = start('sandbox');
    const inbox = start('inbox');
    const worker = start('worker');
    const api = start('api');
    await Promise.all([
      waitForHttpOk(`${sandboxUrl}/healthz`, 60_000),
      waitForHttpOk(`http://127.0.0.1:${ports.inbox}/healthz`, 60_000),
      waitForHttpOk(`${apiUrl}/readyz`, 60_000),
      waitForWorker(server.address, 'default', 'payments-bench', 120_000),
    ]);
    return {
      apiUrl,
      sandboxUrl,
      temporalAddress: server.address,
      processes: { temporal: server.pid!, sandbox: sandbox.child.pid!, inbox: inbox.child.pid!, worker: worker.child.pid!, api: api.child.pid! },
      settlementHold: env.SETTLEMENT_HOLD!,
      async setLatency(ms) {
        const res = await fetch(`${sandboxUrl}/_sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latency_ms: ms }) });
        if (!res.ok) throw new Error(`sandbox faults: ${res.status}`);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
