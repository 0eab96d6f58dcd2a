import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Builds Go programs from source into the tool cache with `go install`, with progress lines (the
 * Temporal builds take minutes and must not look hung). Shared by the Temporal CLI (dev server) and
 * the Temporal server + SQL tool (`npm run cluster`).
 */

export type Env = Record<string, string | undefined>;

export function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export function findOnPath(name: string, env: Env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutableFile(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

export function findGo(env: Env): string | undefined {
  // Go's own installer puts it in /usr/local/go without touching PATH of non-login shells.
  return findOnPath('go', env) ?? (isExecutableFile('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

export function formatElapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export interface GoInstallOptions {
  go: string;
  /** `module/path/cmd/x@vX.Y.Z`, built in one `go install` (they share the compile work). */
  packages: string[];
  /** The name `go install` gives each binary (the package's last path element) → its final path. */
  outputs: Record<string, string>;
  /** For the progress lines, e.g. "Temporal CLI 1.5.1". */
  label: string;
  /** How long a person should expect, e.g. "about 5 minutes on 2 cores". */
  estimate: string;
  env: Env;
  log: (line: string) => void;
}

/** Runs `go install`, then moves the binaries to their paths in the cache. Resolves with the build time in ms. */
export async function goInstall(options: GoInstallOptions): Promise<number> {
  const { go, env, log } = options;
  const targets = Object.values(options.outputs);
  const cacheDir = path.dirname(targets[0]!);
  await mkdir(cacheDir, { recursive: true });
  // Build into a private folder and rename: a concurrent or interrupted build never leaves a half
  // written binary at the path every later run trusts.
  const staging = await mkdtemp(path.join(cacheDir, '.build-'));
  log(`Building ${options.label} from source into ${cacheDir} (once per machine; ${options.estimate})...`);
  const started = Date.now();
  let compiled = 0;
  let downloaded = 0;
  const tail: string[] = [];
  const child = spawn(go, ['install', '-v', ...options.packages], {
    // GOTOOLCHAIN=local: newer tags ask for a newer toolchain, which would mean a download.
    env: { ...env, GOTOOLCHAIN: 'local', GOBIN: staging, GOFLAGS: env.GOFLAGS ?? '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.setEncoding('utf8');
  let partial = '';
  child.stderr.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('go: downloading')) downloaded++;
      else if (/^[\w.\-/]+$/.test(line.trim())) compiled++;
      tail.push(line);
      if (tail.length > 20) tail.shift();
    }
  });
  const ticker = setInterval(() => {
    log(`  still building: ${downloaded} modules fetched, ${compiled} packages compiled, ${formatElapsed(Date.now() - started)} elapsed`);
  }, 15_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    }).finally(() => clearInterval(ticker));
    const missing = Object.keys(options.outputs).filter((name) => !existsSync(path.join(staging, name)));
    if (code !== 0 || missing.length > 0) {
      throw new Error(`go install of ${options.label} failed (exit ${code}${missing.length ? `; no ${missing.join(', ')}` : ''}):\n${tail.join('\n')}`);
    }
    for (const [built, target] of Object.entries(options.outputs)) {
      await mkdir(path.dirname(target), { recursive: true });
      await rename(path.join(staging, built), target);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  const elapsed = Date.now() - started;
  log(`${options.label} built in ${formatElapsed(elapsed)}: ${targets.join(', ')}`);
  return elapsed;
}
