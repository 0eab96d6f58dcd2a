import os from 'node:os';
import { measureWorkerStart } from '../bench/workerStart';

/**
 * `npm run bench:worker-start -- --runs=3`: how long a freshly spawned worker takes to poll
 * (bench/workerStart.ts says what is measured). Prints each run and the medians.
 */
async function main(): Promise<void> {
  const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.split('=')[1] ?? 3);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number, at least 1');
  const cpu = os.cpus();
  process.stdout.write(`worker start → first poll, ${runs} runs (${cpu.length} cores, ${cpu[0]?.model ?? 'unknown'}, Node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)})\n`);
  const result = await measureWorkerStart({ runs, log: (line) => process.stdout.write(`${line}\n`) });
  const m = result.median;
  process.stdout.write(`median: first poll ${m.firstPollMs} ms, log line ${m.logLineMs} ms, worker CPU ${m.cpuMs} ms\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`worker start failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
