import path from 'node:path';
import { loadConfigOrExit } from '../common/config/orExit';
import { formatTimings, SERVER_CONFIG_DIR, SERVER_CONFIG_ENV, startCluster, type Cluster } from './clusterStack';

/**
 * `npm run cluster`: a production-shaped Temporal cluster on this machine (PostgreSQL + the Temporal
 * server built from source, configured by deploy/temporal-server.yaml). Options: --port=7233 (the
 * frontend), --pg-port=N (a free port if not given), --data-dir=DIR (default <DATA_DIR>/cluster).
 * Ctrl-C stops the server, then PostgreSQL; the data stays for the next run.
 */

const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

function option(name: string): string | undefined {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3);
}

function portOption(name: string, fallback?: number): number | undefined {
  const raw = option(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    process.stderr.write(`--${name} must be a port number (got ${JSON.stringify(raw)})\n`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const dataDir = path.resolve(option('data-dir') ?? path.join(config.dataDir, 'cluster'));
  const frontendPort = portOption('port', 7233);
  const pgPort = portOption('pg-port');
  const namespace = config.temporal.namespace;

  let cluster: Cluster | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\nStopping the Temporal server, then PostgreSQL...');
    await cluster?.stop();
    say('Stopped.');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));
  process.on('exit', () => {
    if (!stopping) cluster?.stopNow();
  });

  say(`Data folder ${dataDir}`);
  cluster = await startCluster({ dataDir, frontendPort, pgPort, namespace, installPostgres: true, detached: true, log: say });
  const { address } = cluster;
  void cluster.serverExited.then(async (code) => {
    if (stopping) return;
    process.stderr.write(`\nThe Temporal server exited on its own (code ${code}); see ${cluster?.serverLogFile}\n`);
    await stop(1);
  });
  say('');
  say('Temporal cluster is running.');
  say(`  Temporal gRPC   ${address} (namespace ${cluster.namespace}; search attributes registered)`);
  say(`  Server config   ${SERVER_CONFIG_DIR}/${SERVER_CONFIG_ENV}.yaml (server ${cluster.binaries.server})`);
  say(`  Server log      ${cluster.serverLogFile}`);
  say(
    `  PostgreSQL      ${cluster.postgres.host}:${cluster.postgres.port}, databases ${cluster.postgres.databases.join(' + ')}, ` +
      `user ${cluster.postgres.user} (password in ${path.join(dataDir, 'postgres-credentials.json')})`,
  );
  say(`  Came up in      ${formatTimings(cluster.timings)}`);
  say('');
  say('Point the stack at it, in another terminal:');
  say(`  TEMPORAL_ADDRESS=${address} npm start`);
  say(`Find payments by search attribute (with the Temporal CLI):`);
  say(`  temporal workflow list --address ${address} --query "PaymentStatus = 'completed'"`);
  say('');
  say('Press Ctrl-C to stop (the data folder is kept for the next run).');
}

main().catch((err: unknown) => {
  process.stderr.write(`npm run cluster failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
