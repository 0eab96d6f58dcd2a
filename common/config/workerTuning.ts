import { z } from 'zod';
import { ConfigError, count, parseEnv, type Env } from './values';

/** The worker's heap cap, concurrency and workflow cache. */

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

/** The worker-tuning variables, listed with all the others in ./variables.ts. */
export const workerTuningVariables = {
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
};

const workerTuningSchema = z.object(workerTuningVariables);
const heapSchema = workerTuningSchema.pick({ WORKER_MAX_HEAP_MB: true });

/** The node flag that caps the worker's heap, from WORKER_MAX_HEAP_MB. Throws ConfigError. */
export function workerHeapFlag(env: Env = process.env): string {
  return `--max-old-space-size=${parseEnv(heapSchema, env).WORKER_MAX_HEAP_MB}`;
}

/**
 * The WORKER_* concurrency variables, checked against each other as the SDK would (it only warns,
 * or fails later). Throws ConfigError.
 */
export function workerTuning(e: z.infer<typeof workerTuningSchema>): WorkerTuning {
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
