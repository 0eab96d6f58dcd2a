import type { ChildProcess } from 'node:child_process';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls a URL until it answers 2xx. `abort` ends the wait early (e.g. the process being waited on died). */
export async function waitForHttpOk(url: string, timeoutMs: number, abort?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline && !abort?.aborted) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(250);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}

/** Resolves once a worker polls the task queue: proof that the worker connected and bundled its workflows. */
export async function waitForWorker(
  address: string,
  namespace: string,
  taskQueue: string,
  timeoutMs: number,
  abort?: AbortSignal,
  /** API key and TLS for a secured cluster (config.temporal.connectionOptions). */
  secure: Omit<ConnectionOptions, 'address'> = {},
): Promise<void> {
  const connection = await Connection.connect({ ...secure, address });
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !abort?.aborted) {
      if ((await workflowPollers(connection, namespace, taskQueue)).length > 0) return;
      await sleep(250);
    }
    throw new Error(`no worker polled task queue ${taskQueue} within ${timeoutMs} ms`);
  } finally {
    await connection.close();
  }
}

/** The workers the server saw polling a task queue for workflow tasks lately. */
export async function workflowPollers(connection: Connection, namespace: string, taskQueue: string): Promise<temporal.api.taskqueue.v1.IPollerInfo[]> {
  const { pollers } = await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return pollers ?? [];
}

/**
 * Resolves true once this worker process polls the task queue (a worker's identity is
 * `<pid>@<host>`, so another worker's polls do not count), false if it exits first, `stop()` says
 * so or the time is up. A failed describe counts as no poll yet: the server may be restarting.
 */
export async function waitForWorkerProcess(
  connection: Connection,
  namespace: string,
  taskQueue: string,
  child: ChildProcess,
  { timeoutMs = 120_000, intervalMs = 250, stop = () => false }: { timeoutMs?: number; intervalMs?: number; stop?: () => boolean } = {},
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const identity = `${child.pid}@`;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null && !stop()) {
    const pollers = await workflowPollers(connection, namespace, taskQueue).catch(() => []);
    if (pollers.some((p) => p.identity?.startsWith(identity))) return true;
    await sleep(intervalMs);
  }
  return false;
}
