import { Connection } from '@temporalio/client';
import { spawnService } from '../scripts/childProcess';
import { startDevServer } from '../scripts/devServer';
import { waitForWorkerProcess } from '../scripts/readiness';
import { ensureTemporalCli } from '../scripts/temporalCli';
import { freePort } from '../test/helpers/ports';
import { workerChildEnv } from '../test/helpers/workerEnv';
import { usageOf } from './stack';

/**
 * Process start → first poll of a worker (`worker/main.ts` as `npm run worker` runs it): what a
 * restart after a crash costs before the worker takes work again. The first poll is seen from the
 * server (DescribeTaskQueue lists a poller whose identity is the child's pid), not from the worker's log.
 * A first start that is not counted fills what a restart finds warm: the OS file cache and, since
 * worker/workflowBundle.ts, the bundle cache.
 */

export interface WorkerStartRun {
  /** Spawn → the log line 'worker starting to poll'. */
  logLineMs: number;
  /** Spawn → the server sees the worker's first workflow-task poll. */
  firstPollMs: number;
  /** CPU the worker process spent until then (user + system). */
  cpuMs: number;
}

export interface WorkerStartResult {
  runs: WorkerStartRun[];
  median: WorkerStartRun;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function measureWorkerStart(o: { runs: number; log?: (line: string) => void }): Promise<WorkerStartResult> {
  const log = o.log ?? (() => undefined);
  const cli = await ensureTemporalCli({ log });
  const server = await startDevServer({ cli, port: await freePort(), namespace: 'default' });
  const connection = await Connection.connect({ address: server.address });
  const runs: WorkerStartRun[] = [];
  try {
    for (let i = -1; i < o.runs; i++) {
      // A task queue per run, so a poller the server remembers from the run before cannot count.
      const taskQueue = `worker-start-${i}-${Date.now()}`;
      const env = {
        ...workerChildEnv({
          temporalAddress: server.address,
          taskQueue,
          // Nothing is paid here: the worker only has to start and poll.
          sandbox: { paymentsApiUrl: 'http://127.0.0.1:9/payments', paymentLinksApiUrl: 'http://127.0.0.1:9/links', tenantId: '00000000-0000-4000-8000-000000000000' },
          publicBaseUrl: 'http://127.0.0.1:9',
          webhookSecret: 'worker-start-webhook-secret-0123456789',
          notificationSecret: 'whsec_worker_start_0123456789',
          smtpUrl: 'smtp://127.0.0.1:9',
          timing: { pollInitialMs: 1000, pollMaxMs: 4000 },
        }),
        LOG_LEVEL: 'info',
      };
      const spawned = Date.now();
      const worker = spawnService('worker', env, { stdio: ['ignore', 'pipe', 'inherit'] });
      let logLineMs = NaN;
      let out = '';
      worker.child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (Number.isNaN(logLineMs) && out.includes('worker starting to poll')) logLineMs = Date.now() - spawned;
      });
      let firstPollMs = NaN;
      let cpuMs = NaN;
      try {
        // Asked every 20 ms: the figure is only as fine as the asking.
        if (await waitForWorkerProcess(connection, 'default', taskQueue, worker.child, { timeoutMs: 120_000, intervalMs: 20 })) {
          firstPollMs = Date.now() - spawned;
          cpuMs = Math.round((usageOf(worker.child.pid!)?.cpuSeconds ?? NaN) * 1000);
        }
      } finally {
        worker.child.kill('SIGKILL');
        await worker.exited;
      }
      if (Number.isNaN(firstPollMs)) throw new Error(`run ${i + 1}: the worker did not poll (exit ${worker.child.exitCode ?? worker.child.signalCode})`);
      if (i < 0) {
        log(`  warm-up: first poll ${firstPollMs} ms after spawn (not counted)`);
        continue;
      }
      runs.push({ logLineMs, firstPollMs, cpuMs });
      log(`  run ${i + 1}: first poll ${firstPollMs} ms after spawn (log line at ${logLineMs} ms), ${cpuMs} ms CPU`);
    }
  } finally {
    await connection.close();
    await server.stop();
  }
  return {
    runs,
    median: { logLineMs: median(runs.map((r) => r.logLineMs)), firstPollMs: median(runs.map((r) => r.firstPollMs)), cpuMs: median(runs.map((r) => r.cpuMs)) },
  };
}
