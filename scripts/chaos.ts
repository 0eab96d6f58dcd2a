import { formatTable, runChaos } from '../test/chaos/chaosRun';

/**
 * `npm run test:chaos`: the full chaos run (a few hundred payments). Options: --payments=N
 * --concurrency=N --kills=N --restarts=N --settle=SECONDS. Exits 1 if anything was lost or doubled.
 */
function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.split('=')[1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number`);
  return value;
}

async function main(): Promise<void> {
  const options = {
    payments: option('payments', 300),
    concurrency: option('concurrency', 16),
    workerKills: option('kills', 5),
    serverRestarts: option('restarts', 1),
    settleSeconds: option('settle', 240),
    log: (line: string) => process.stdout.write(`${line}\n`),
  };
  process.stdout.write(`chaos: ${options.payments} payments, ${options.workerKills} worker kills, ${options.serverRestarts} server restarts\n`);
  const report = await runChaos(options);
  process.stdout.write(`\n${formatTable(report.table)}\n`);
  if (!report.ok) {
    process.stdout.write(`\nproblems:\n${report.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write('\nchaos: nothing lost, nothing doubled\n');
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`chaos failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
