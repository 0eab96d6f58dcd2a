import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createWorker, type WorkerDeps } from '../../worker/createWorker';
import { installRuntime } from '../../worker/runtime';
import { harnessEnv } from '../harnessEnv';
import { testDataConverter } from './encryption';
import { heldLogger } from './heldLogs';
import { queryInterceptors } from '../../common/workflowQueries';

/**
 * A client of the harness's dev server, with the test run's payload encryption (as production's
 * clients have theirs); close it in afterAll.
 */
export async function connectClient(options: { dataConverter?: DataConverter } = {}): Promise<{ client: Client; connection: Connection }> {
  const { temporalAddress, namespace } = harnessEnv();
  const connection = await Connection.connect({ address: temporalAddress });
  return { client: new Client({ connection, namespace, dataConverter: options.dataConverter ?? testDataConverter(), interceptors: queryInterceptors(connection) }), connection };
}

let runtimeInstalled = false;

/**
 * The SDK's and core's warnings (an activity a test makes fail, a replay that must fail) are held
 * back unless the test fails (./heldLogs.ts); the Runtime can be installed once per test file.
 */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  installRuntime(heldLogger('test-worker', 'warn'), 'WARN');
}

export interface RunningWorker {
  worker: Worker;
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * Starts a real worker (the project's factory) on the harness's server, on a task queue of its own,
 * encrypting with the test keys unless given another `dataConverter`.
 */
export async function startWorker(
  options: Omit<WorkerDeps, 'connection' | 'namespace' | 'taskQueue'> & { taskQueue?: string },
): Promise<RunningWorker> {
  installQuietRuntime();
  const { temporalAddress, namespace } = harnessEnv();
  const connection = await NativeConnection.connect({ address: temporalAddress });
  const taskQueue = options.taskQueue ?? `test-${Math.random().toString(36).slice(2, 10)}`;
  const worker = await createWorker({ dataConverter: testDataConverter(), ...options, connection, namespace, taskQueue });
  const running = worker.run();
  let stopped: Promise<void> | undefined;
  return {
    worker,
    taskQueue,
    // Once: a test may stop its stack's worker early, and the stack's stop stops it again.
    stop: () =>
      (stopped ??= (async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
        await connection.close();
      })()),
  };
}
