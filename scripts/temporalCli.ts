import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { findGo, findOnPath, goInstall, isExecutableFile, type Env } from './goInstall';

/** The one place the CLI version is pinned (CLI 1.5.1 = Temporal Server 1.29.1 + UI 2.42.1). */
export const TEMPORAL_CLI_VERSION = '1.5.1';
const GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';

export type { Env } from './goInstall';

/**
 * Where the CLI came from. `sdk-download` has no path: the TypeScript SDK fetches and runs the
 * binary itself (needs internet, so only for an ordinary laptop).
 */
export type TemporalCli =
  | { source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'go install'; path: string }
  | { source: 'sdk-download' };

export interface AcquireOptions {
  env?: Env;
  /** Progress lines for a person; the build takes minutes and must not look hung. */
  log?: (line: string) => void;
  /** Tests of the lookup order turn the slow fallbacks off. */
  allowBuild?: boolean;
}

/** Outside the clone, so every clone, CI run and later session on this machine shares one build. */
export function toolCacheDir(env: Env = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'ping-orchestrator');
}

export function cachedCliPath(env: Env = process.env): string {
  return path.join(toolCacheDir(env), 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal');
}

/** The lookup order, without building anything: TEMPORAL_CLI_PATH, PATH, the tool cache. */
export function findTemporalCli(env: Env = process.env): TemporalCli | undefined {
  const explicit = env.TEMPORAL_CLI_PATH?.trim();
  if (explicit) {
    if (!isExecutableFile(explicit)) {
      throw new Error(`TEMPORAL_CLI_PATH is set to ${explicit}, which is not an executable file`);
    }
    return { source: 'TEMPORAL_CLI_PATH', path: explicit };
  }
  const onPath = findOnPath('temporal', env);
  if (onPath) return { source: 'PATH', path: onPath };
  const cached = cachedCliPath(env);
  if (isExecutableFile(cached)) return { source: 'cache', path: cached };
  return undefined;
}

/**
 * Finds the CLI, or builds the pinned version into the tool cache with `go install` (about five
 * minutes on two cores), or last falls back to the SDK's own download.
 */
export async function ensureTemporalCli(options: AcquireOptions = {}): Promise<TemporalCli> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const found = findTemporalCli(env);
  if (found) return found;
  if (options.allowBuild === false) {
    throw new Error('No Temporal CLI found (TEMPORAL_CLI_PATH, PATH, tool cache) and building is disabled');
  }
  const go = findGo(env);
  if (go) return { source: 'go install', path: await buildWithGo(go, env, log) };
  log(
    `Temporal CLI not found and Go is not installed: the Temporal SDK will download CLI ${TEMPORAL_CLI_VERSION} ` +
      '(needs internet). Set TEMPORAL_CLI_PATH or put `temporal` on PATH to avoid this.',
  );
  return { source: 'sdk-download' };
}

async function buildWithGo(go: string, env: Env, log: (line: string) => void): Promise<string> {
  const target = cachedCliPath(env);
  await goInstall({
    go,
    packages: [`${GO_PACKAGE}@v${TEMPORAL_CLI_VERSION}`],
    outputs: { temporal: target },
    label: `Temporal CLI ${TEMPORAL_CLI_VERSION}`,
    estimate: 'about 5 minutes on 2 cores',
    env,
    log,
  });
  return target;
}

/** `temporal --version` output, for logs; undefined if the binary does not run. */
export function cliVersion(cliPath: string): string | undefined {
  const result = spawnSync(cliPath, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 ? result.stdout.trim() : undefined;
}
