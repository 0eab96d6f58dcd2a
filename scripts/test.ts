import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../common/config/processConfig';
import { ensureTemporalCli } from './temporalCli';

/**
 * `npm test`: type check, lint, then the jest suites (unit, integration against a real Temporal dev
 * server, browser). Arguments after `--` go to jest, e.g. `npm test -- test/unit`.
 */

const bin = (name: string) => path.join(PROJECT_ROOT, 'node_modules', '.bin', name);

function step(title: string, command: string, args: string[]): number {
  process.stdout.write(`\n== ${title}\n`);
  const started = Date.now();
  const { status } = spawnSync(command, args, { cwd: PROJECT_ROOT, stdio: 'inherit' });
  process.stdout.write(`== ${title}: ${status === 0 ? 'ok' : `failed (exit ${status})`} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return status ?? 1;
}

interface JestSummary {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTotalTests: number;
}

async function main(): Promise<number> {
  const jestArgs = process.argv.slice(2);
  // Fetch or build the CLI here, with progress on screen, rather than silently inside jest's setup.
  await ensureTemporalCli({ log: (line) => process.stdout.write(`${line}\n`) });

  if (step('type check', bin('tsc'), ['--noEmit']) !== 0) return 1;
  if (step('lint', bin('eslint'), ['.']) !== 0) return 1;

  const out = mkdtempSync(path.join(os.tmpdir(), 'jest-summary-'));
  const summaryFile = path.join(out, 'summary.json');
  try {
    const status = step('jest', bin('jest'), ['--json', `--outputFile=${summaryFile}`, ...jestArgs]);
    let summary: JestSummary | undefined;
    try {
      summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as JestSummary;
    } catch {
      // jest failed before writing a summary; its own output says why.
    }
    if (summary) {
      // The plain closing line CI reads, whatever the runner.
      const skipped = summary.numPendingTests ? `, ${summary.numPendingTests} skipped` : '';
      process.stdout.write(`\njest: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed${skipped}\n`);
      if (summary.numTotalTests === 0) {
        process.stderr.write('no test ran\n');
        return 1;
      }
    }
    return status;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
