import { runClusterSuite } from '../test/cluster/clusterRun';
import { formatTimings } from './clusterStack';
import { ensureClusterBinaries } from './clusterBinaries';
import { ensurePostgresBin } from './clusterPostgres';

/**
 * `npm run test:cluster`: the payment flows against a real Temporal cluster (test/cluster/clusterRun.ts)
 * with two workers, one SIGKILLed mid-run. The server binaries are built first, with progress on
 * screen, if the tool cache does not have them (2 to 6 minutes, once per machine). Ends with the
 * plain line `cluster: N passed, N failed`; exit code 1 if anything failed.
 */

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function main(): Promise<number> {
  const started = Date.now();
  ensurePostgresBin({ install: false, log: say });
  const binaries = await ensureClusterBinaries({ log: say });
  if (binaries.buildMs) say(`Temporal server binaries built in ${(binaries.buildMs / 1000).toFixed(0)} s`);

  const result = await runClusterSuite({ log: say });
  say('');
  if (result.coldStart) say(`cluster start, empty data folder: ${formatTimings(result.coldStart)}`);
  if (result.warmStart) say(`cluster start, same folder again: ${formatTimings(result.warmStart)}`);
  say(`wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const failed = result.checks.filter((c) => !c.ok);
  for (const c of failed) say(`FAILED: ${c.name}${c.detail ? `\n  ${c.detail}` : ''}`);
  say(`\ncluster: ${result.checks.length - failed.length} passed, ${failed.length} failed`);
  return failed.length === 0 && result.checks.length > 0 ? 0 : 1;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // The suite's 'exit' handler kills the workers and stops the server and PostgreSQL.
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping\n`);
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`test:cluster failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
