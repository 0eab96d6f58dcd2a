import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../common/config/processConfig';
import { workerHeapFlag } from '../common/config/workerTuning';

export interface Service {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) when the process ends, however it ends. */
  exited: Promise<number | string>;
  stop(graceMs?: number): Promise<void>;
}

const BOOTSTRAP = path.join(PROJECT_ROOT, 'scripts', 'bootstrap.mjs');

/** Runs one of our entry points (`api`, `worker`, ...) as its own process, through the same bootstrap as npm. */
/** `nodeArgs`: flags for node itself, e.g. `--cpu-prof` (the bench's --profile). */
export function spawnService(name: string, env: NodeJS.ProcessEnv, { nodeArgs = [], ...options }: SpawnOptions & { nodeArgs?: string[] } = {}): Service {
  // The worker's heap cap goes on this process itself, so its pid is the worker's (bootstrap.mjs says why).
  const heap = name === 'worker' && !nodeArgs.some((a) => a.startsWith('--max-old-space-size')) ? [workerHeapFlag(env)] : [];
  const child = spawn(process.execPath, [...heap, ...nodeArgs, BOOTSTRAP, name], {
    cwd: PROJECT_ROOT,
    env,
    stdio: 'inherit',
    // Its own process group: a terminal's Ctrl-C reaches only the supervisor, which then stops the
    // services in order (API and worker first, Temporal last) instead of all at once.
    detached: true,
    ...options,
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return {
    name,
    child,
    exited,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
