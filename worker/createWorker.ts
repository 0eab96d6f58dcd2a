import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Runtime, Worker, type NativeConnectionOptions, type WorkerOptions } from '@temporalio/worker';
import type { WorkerTuning } from '../common/config/workerTuning';
import { projectWorkflowBundle, WORKFLOWS_PATH } from './workflowBundle';

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** Activity implementations, built by the `create*Activities(deps)` factories. */
  activities?: object;
  /**
   * Neither: this project's workflows, from the bundle cache (worker/workflowBundle.ts), so a restart
   * does not bundle again. Tests may hand in other workflows (bundled at start) or a bundle.
   */
  workflowsPath?: string;
  workflowBundle?: WorkerOptions['workflowBundle'];
  shutdownGraceMs?: number;
  /**
   * Payload encryption: `dataConverterFor(keys)` from common/payloadCodec. Every worker and client of a
   * namespace must share it (worker/main.ts always passes it). A prebuilt `workflowBundle` should be
   * bundled with its `failureConverterPath` too, or failures raised in workflow code stay plain text;
   * the project's bundle is made with this converter's paths.
   */
  dataConverter?: DataConverter;
  /** Concurrency and workflow cache (`config.worker.tuning`). Undefined: the SDK's defaults. */
  tuning?: WorkerTuning;
}

/**
 * The tuning as `WorkerOptions`. The poller counts go in as `*TaskPollerBehavior`: SDK 1.24 still
 * types `maxConcurrentWorkflowTaskPolls` / `maxConcurrentActivityTaskPolls` but ignores them.
 */
export function workerTuningOptions(tuning: WorkerTuning): Partial<WorkerOptions> {
  return {
    maxCachedWorkflows: tuning.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTaskExecutions,
    maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivityTaskExecutions,
    maxConcurrentLocalActivityExecutions: tuning.maxConcurrentLocalActivityExecutions,
    workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: tuning.workflowTaskPollers },
    activityTaskPollerBehavior: { type: 'simple-maximum', maximum: tuning.activityTaskPollers },
  };
}

/** This project's workflows module, for what bundles it itself (the replay test). */
export const DEFAULT_WORKFLOWS_PATH = WORKFLOWS_PATH;

async function workflowCode(deps: WorkerDeps): Promise<Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>> {
  if (deps.workflowBundle) return { workflowBundle: deps.workflowBundle };
  if (deps.workflowsPath) return { workflowsPath: deps.workflowsPath };
  // The logger Worker.create would bundle with: webpack's errors reach the worker's log.
  const { logger } = Runtime.instance();
  const { bundle, from, key, ms, notCached } = await projectWorkflowBundle({
    failureConverterPath: deps.dataConverter?.failureConverterPath,
    payloadConverterPath: deps.dataConverter?.payloadConverterPath,
    logger,
  });
  // Not cached: the build's seconds are paid again at the next start (in the image, its bundle is stale).
  if (notCached) logger.warn('workflow bundle built but not cached', { key, ms, notCached });
  else logger.info('workflow bundle', { from, key, ms });
  return { workflowBundle: bundle };
}

/** Builds (but does not run) the payments worker; `worker/main.ts` and the tests share it. */
export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    activities: deps.activities ?? {},
    ...(await workflowCode(deps)),
    shutdownGraceTime: deps.shutdownGraceMs ?? 10_000,
    ...(deps.dataConverter ? { dataConverter: deps.dataConverter } : {}),
    ...(deps.tuning ? workerTuningOptions(deps.tuning) : {}),
  });
}

/** Retries the first connection for a while: in a compose stack the server may still be starting. */
export async function connectWorker(
  address: string,
  attempts = 30,
  onRetry?: (err: unknown) => void,
  /** API key and TLS for a secured cluster (config.temporal.connectionOptions). */
  secure: Omit<NativeConnectionOptions, 'address'> = {},
): Promise<NativeConnection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await NativeConnection.connect({ ...secure, address });
    } catch (err) {
      if (attempt >= attempts) throw err;
      onRetry?.(err);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
