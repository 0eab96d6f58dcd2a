#!/usr/bin/env node
// The entry of every npm script. It runs before node_modules may exist, so it is plain JavaScript with
// Node built-ins only: it installs the npm dependencies when they are missing or stale, then runs the
// TypeScript entry point in this same process (so Ctrl-C and SIGTERM reach it directly).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const TARGETS = {
  start: 'scripts/start.ts',
  test: 'scripts/test.ts',
  api: 'api/main.ts',
  worker: 'worker/main.ts',
  sandbox: 'sandbox/main.ts',
  inbox: 'devservices/main.ts',
  'temporal-install': 'scripts/installTemporalCli.ts',
  chaos: 'scripts/chaos.ts',
  cluster: 'scripts/cluster.ts',
  'test-cluster': 'scripts/clusterTest.ts',
  bench: 'scripts/bench.ts',
  'replay-record': 'scripts/recordReplayFixtures.ts',
  'build-workflows': 'worker/buildWorkflowBundle.ts',
  'bench-worker-start': 'scripts/workerStart.ts',
};

function dependenciesAreCurrent() {
  // npm writes this hidden lockfile on every install; if package-lock.json changed after it, the
  // installed tree is stale (a pull brought new dependencies).
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  return existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs;
}

function ensureDependencies() {
  if (dependenciesAreCurrent()) return;
  process.stderr.write('Installing npm dependencies (npm ci)...\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`npm ci failed (exit ${result.status}); fix the error above and run again\n`);
    process.exit(result.status ?? 1);
  }
}

const [name, ...rest] = process.argv.slice(2);
const target = TARGETS[name];
if (!target) {
  process.stderr.write(`usage: node scripts/bootstrap.mjs <${Object.keys(TARGETS).join('|')}> [args...]\n`);
  process.exit(2);
}
ensureDependencies();

// The worker runs with a capped V8 heap (WORKER_MAX_HEAP_MB, see common/config/workerTuning.ts): uncapped on a
// big machine, V8 lets garbage pile up to gigabytes before collecting. Heap flags only take effect
// at start, so a worker started without one (`npm run worker`) runs again as a child that has it;
// our own launchers (scripts/childProcess.ts) pass the flag and need no second process.
const hasHeapFlag = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('--max-old-space-size'));
if (name === 'worker' && !hasHeapFlag) {
  const mb = process.env.WORKER_MAX_HEAP_MB?.trim() || '512';
  if (!/^\d+$/.test(mb) || Number(mb) < 128) {
    process.stderr.write(`Invalid configuration: WORKER_MAX_HEAP_MB must be a whole number of MiB, at least 128 (got ${JSON.stringify(mb)})\n`);
    process.exit(1);
  }
  const child = spawn(process.execPath, [`--max-old-space-size=${mb}`, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 143)));
} else {
  run();
}

function run() {
  const require = createRequire(import.meta.url);
  // A restarted worker should poll again within about a second. The SDK is plain JavaScript, and
  // loading it before tsx's hooks are in place spares each of its ~600 modules the hooks' resolution
  // (about a third of the worker's start); our TypeScript files then find it in require's cache.
  if (name === 'worker') require('@temporalio/worker');
  require('tsx/cjs/api').register();
  const entry = path.join(root, target);
  // The entry point sees its own path and arguments, as if run directly.
  process.argv = [process.argv[0], entry, ...rest];
  require(entry);
}
