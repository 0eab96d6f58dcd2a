import { formatTable, MIN_EVENT_SPACING_MS, runChaos } from '../test/chaos/chaosRun';

/** `npm run test:chaos`: the full chaos run (a few hundred payments); `-- --help` for its options. */
const USAGE = `usage: npm run test:chaos -- [--payments=300] [--concurrency=16] [--kills=5] [--restarts=1] [--settle=240]
  The payments are started over a window of max(payments × 100 ms, (kills + restarts + 1) × ${MIN_EVENT_SPACING_MS / 1000} s);
  the worker kills and server restarts are spread evenly over it, each kill once the worker has
  polled for a second,
  e.g. --payments=40 --kills=8 --restarts=0 kills every ${MIN_EVENT_SPACING_MS / 1000} s.
  Exits 1 if anything was lost or doubled.
`;

function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.split('=')[1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number`);
  return value;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
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
