import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { PROJECT_ROOT } from '../common/config/processConfig';
import { SEARCH_ATTRIBUTES } from '../domain/searchAttributes';
import { ensureClusterBinaries, type ClusterBinaries } from './clusterBinaries';
import { ensurePostgresBin, startPostgres, type RunningPostgres } from './clusterPostgres';
import { freePorts, portIsFree } from './freePorts';

/**
 * A production-shaped Temporal cluster on one machine, without Docker: Debian's PostgreSQL (history
 * and visibility in two databases), the Temporal server 1.29.1 built from source, configured by the
 * checked-in deploy/temporal-server.yaml (the file docker-compose mounts), the namespace created and
 * our search attributes registered in PostgreSQL visibility. `npm run cluster` and `npm run
 * test:cluster` start it through `startCluster`.
 */

/** The server config: `--config deploy --env temporal-server` makes the server read deploy/temporal-server.yaml. */
export const SERVER_CONFIG_DIR = 'deploy';
export const SERVER_CONFIG_ENV = 'temporal-server';
const DATABASES = { history: 'temporal', visibility: 'temporal_visibility' };

export interface ClusterOptions {
  /** PostgreSQL's data, its credentials and the logs live here; reused on later runs. */
  dataDir: string;
  /** Frontend gRPC port (what TEMPORAL_ADDRESS points at); a free port when not given. */
  frontendPort?: number;
  pgPort?: number;
  namespace?: string;
  /** How long closed workflows stay visible; 3 days unless told. */
  retentionDays?: number;
  /** `npm run cluster` may apt-get install PostgreSQL when it is missing (only as root, on Debian). */
  installPostgres?: boolean;
  /** The server's own log level (its output goes to <dataDir>/logs/temporal-server.log). */
  serverLogLevel?: 'debug' | 'info' | 'warn' | 'error';
  startTimeoutMs?: number;
  /**
   * Own process group for the server: a terminal's Ctrl-C then reaches only our supervisor, which
   * stops the server before PostgreSQL. Tests leave it in their group.
   */
  detached?: boolean;
  log?: (line: string) => void;
}

export interface ClusterTimings {
  /** Finding or building the server binaries; includes the build when there was one. */
  binariesMs: number;
  buildMs?: number;
  postgresMs: number;
  schemaMs: number;
  /** From spawning the server until the frontend answers. */
  serverMs: number;
  /** Namespace and search attributes until usable, and every service answering through the frontend. */
  namespaceMs: number;
  totalMs: number;
}

export interface Cluster {
  /** host:port of the frontend, for TEMPORAL_ADDRESS. */
  address: string;
  namespace: string;
  postgres: { host: string; port: number; user: string; databases: string[] };
  binaries: ClusterBinaries;
  serverPid?: number;
  serverLogFile: string;
  /** Resolves with the server's exit code whenever it ends (after `stop()`, or on its own). */
  serverExited: Promise<number | null>;
  timings: ClusterTimings;
  /** Stops the Temporal server, then PostgreSQL. */
  stop(): Promise<void>;
  /** For a process 'exit' handler: kills the server and stops PostgreSQL synchronously. */
  stopNow(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the SQL tool: `setup-schema -v 0.0` is a no-op on a set-up database and `update-schema` applies only what is new. */
function setUpSchemas(sqlTool: string, pg: RunningPostgres): void {
  const env = {
    PATH: process.env.PATH,
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: pg.host,
    SQL_PORT: String(pg.port),
    SQL_USER: pg.credentials.user,
    // In the environment, not on the command line where `ps` shows it.
    SQL_PASSWORD: pg.credentials.password,
  };
  const schemas: Array<[string, string]> = [
    [DATABASES.history, 'postgresql/v12/temporal'],
    [DATABASES.visibility, 'postgresql/v12/visibility'],
  ];
  for (const [database, schemaName] of schemas) {
    for (const args of [['setup-schema', '-v', '0.0'], ['update-schema', '--schema-name', schemaName]]) {
      const result = spawnSync(sqlTool, args, { env: { ...env, SQL_DATABASE: database }, encoding: 'utf8', timeout: 120_000 });
      if (result.status !== 0) {
        throw new Error(`temporal-sql-tool ${args.join(' ')} on ${database} failed (exit ${result.status}):\n${(result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n')}`);
      }
    }
  }
}

export interface ServerPorts {
  frontendGrpc: number;
  frontendHttp: number;
  frontendMembership: number;
  historyGrpc: number;
  historyMembership: number;
  matchingGrpc: number;
  matchingMembership: number;
  workerGrpc: number;
  workerMembership: number;
}

/** The variables deploy/temporal-server.yaml reads; nothing else of our environment reaches the server. */
export function serverEnvironment(pg: RunningPostgres, ports: ServerPorts, logLevel: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: logLevel,
    DB: 'postgres12',
    POSTGRES_SEEDS: pg.host,
    DB_PORT: String(pg.port),
    POSTGRES_USER: pg.credentials.user,
    POSTGRES_PWD: pg.credentials.password,
    DBNAME: DATABASES.history,
    VISIBILITY_DBNAME: DATABASES.visibility,
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    FRONTEND_GRPC_PORT: String(ports.frontendGrpc),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    HISTORY_GRPC_PORT: String(ports.historyGrpc),
    HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    MATCHING_GRPC_PORT: String(ports.matchingGrpc),
    MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    WORKER_GRPC_PORT: String(ports.workerGrpc),
    WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
  };
}

async function stopServerProcess(child: ChildProcess, exited: Promise<unknown>, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

const INDEXED_TYPE: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  TEXT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

const GRPC_NOT_FOUND = 5;
const GRPC_ALREADY_EXISTS = 6;

/** Retries `fn` until it resolves or the deadline passes (a cluster just started answers "not ready" for a while). */
async function retrying<T>(what: string, deadline: number, fn: () => Promise<T>): Promise<T> {
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await sleep(250);
    }
  }
  throw new Error(`${what}: ${last instanceof Error ? last.message : String(last)}`);
}

/** Creates the namespace if missing and registers every search attribute of workflows/searchAttributes.ts. */
export async function ensureNamespaceAndSearchAttributes(
  connection: Connection,
  namespace: string,
  retentionDays: number,
  deadline: number,
  log: (line: string) => void,
): Promise<void> {
  await retrying(`namespace ${namespace}`, deadline, async () => {
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch (err) {
      if (!isGrpcServiceError(err) || err.code !== GRPC_NOT_FOUND) throw err;
      try {
        await connection.workflowService.registerNamespace({
          namespace,
          description: 'Ping orchestrator payments',
          workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`),
        });
        log(`  namespace ${namespace} created (retention ${retentionDays} days)`);
      } catch (regErr) {
        if (!isGrpcServiceError(regErr) || regErr.code !== GRPC_ALREADY_EXISTS) throw regErr;
      }
      // Visible to every service after the namespace registry refreshes (2 s by default).
      await connection.workflowService.describeNamespace({ namespace });
    }
  });

  const missing = async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    return SEARCH_ATTRIBUTES.filter((k) => !customAttributes || !(k.name in customAttributes));
  };
  const toAdd = await retrying('list search attributes', deadline, missing);
  if (toAdd.length === 0) return;
  await retrying('add search attributes', deadline, () =>
    connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(toAdd.map((k) => [k.name, INDEXED_TYPE[k.type]])),
    }),
  );
  log(`  search attributes registered: ${toAdd.map((k) => k.name).join(', ')}`);
  // Every service must see them before a workflow starts with them: wait until the frontend lists
  // them and a visibility query naming each one is accepted, then one namespace refresh more.
  const query = SEARCH_ATTRIBUTES.map((k) => `${k.name} IS NULL`).join(' AND ');
  await retrying('search attributes not usable yet', deadline, async () => {
    const still = await missing();
    if (still.length > 0) throw new Error(`not listed yet: ${still.map((k) => k.name).join(', ')}`);
    await connection.workflowService.countWorkflowExecutions({ namespace, query });
  });
  await sleep(2500);
}

/**
 * The frontend answers before matching and history have joined the membership ring; a worker's
 * first poll or a start would then fail with "Not enough hosts to serve the request". Ready means
 * both answer through the frontend: a task queue describes (matching), an unknown workflow is
 * NOT_FOUND (history).
 */
async function waitForAllServices(connection: Connection, namespace: string, deadline: number): Promise<void> {
  await retrying('matching and history services not reachable through the frontend', deadline, () =>
    connection.withDeadline(Date.now() + 2000, async () => {
      await connection.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: 'cluster-readiness-probe', kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      try {
        await connection.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId: 'cluster-readiness-probe' } });
      } catch (err) {
        if (!isGrpcServiceError(err) || err.code !== GRPC_NOT_FOUND) throw err;
      }
    }),
  );
}

/**
 * Starts PostgreSQL (initdb on the first run), sets up the schemas, starts the Temporal server and
 * resolves once the namespace serves with our search attributes.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const namespace = options.namespace ?? 'default';
  const started = Date.now();
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const logsDir = path.join(options.dataDir, 'logs');
  mkdirSync(logsDir, { recursive: true });

  let t = Date.now();
  const pgBin = ensurePostgresBin({ install: options.installPostgres, log });
  const binaries = await ensureClusterBinaries({ log });
  const binariesMs = Date.now() - t;

  if (options.frontendPort !== undefined && !(await portIsFree(options.frontendPort))) {
    throw new Error(
      `Port ${options.frontendPort} is taken: another Temporal (npm start's dev server, or a server left by an earlier run of this launcher?). Stop it, or choose another port with --port`,
    );
  }
  // PostgreSQL, then the server's eight other ports, then the frontend's unless it was given.
  const [pgPort, ...serverPorts] = await freePorts(options.frontendPort ? 9 : 10, options.frontendPort ? [options.frontendPort] : []);
  const ports: ServerPorts = {
    frontendGrpc: options.frontendPort ?? serverPorts.pop()!,
    frontendHttp: serverPorts[0]!,
    frontendMembership: serverPorts[1]!,
    historyGrpc: serverPorts[2]!,
    historyMembership: serverPorts[3]!,
    matchingGrpc: serverPorts[4]!,
    matchingMembership: serverPorts[5]!,
    workerGrpc: serverPorts[6]!,
    workerMembership: serverPorts[7]!,
  };

  t = Date.now();
  log(`Starting PostgreSQL (${pgBin}) on 127.0.0.1:${options.pgPort ?? pgPort}...`);
  const pg = await startPostgres({
    bin: pgBin,
    dataDir: options.dataDir,
    port: options.pgPort ?? pgPort!,
    databases: [DATABASES.history, DATABASES.visibility],
    log,
  });
  const postgresMs = Date.now() - t;

  let child: ChildProcess | undefined;
  let exited: Promise<number | null> | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child && exited) await stopServerProcess(child, exited);
      await pg.stop();
    })());
  const stopNow = (): void => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    pg.stopNow();
  };

  try {
    t = Date.now();
    log('Setting up the Temporal schemas (temporal, temporal_visibility)...');
    setUpSchemas(binaries.sqlTool, pg);
    // Membership rows of the previous server process (this database has no other) are stale: left
    // in place, the new process spends up to a minute trying to reach those dead hosts.
    pg.sql(DATABASES.history, 'DELETE FROM cluster_membership');
    const schemaMs = Date.now() - t;

    t = Date.now();
    const serverLogFile = path.join(logsDir, 'temporal-server.log');
    const address = `127.0.0.1:${ports.frontendGrpc}`;
    log(`Starting Temporal server ${path.basename(binaries.server)} with ${SERVER_CONFIG_DIR}/${SERVER_CONFIG_ENV}.yaml on ${address} (log: ${serverLogFile})...`);
    child = spawn(binaries.server, ['--root', PROJECT_ROOT, '--config', SERVER_CONFIG_DIR, '--env', SERVER_CONFIG_ENV, '--allow-no-auth', 'start'], {
      cwd: PROJECT_ROOT,
      env: serverEnvironment(pg, ports, options.serverLogLevel ?? 'warn'),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.detached ?? false,
    });
    const recent: string[] = [];
    const file = createWriteStream(serverLogFile, { flags: 'a' });
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.on('data', (chunk: Buffer) => {
        recent.push(...chunk.toString('utf8').split('\n').filter(Boolean).map((l) => (l.length > 500 ? `${l.slice(0, 500)}…` : l)));
        recent.splice(0, Math.max(0, recent.length - 20));
      });
      stream.pipe(file);
    }
    const serverProcess = child;
    exited = new Promise((resolve) => serverProcess.once('exit', (code) => resolve(code)));
    const died = exited.then((code) => {
      throw new Error(`Temporal server exited with code ${code} during start (log: ${serverLogFile}):\n${recent.join('\n')}`);
    });
    died.catch(() => undefined);

    const deadline = Date.now() + timeoutMs;
    const connection = await Promise.race([
      retrying(`Temporal frontend at ${address} did not answer within ${timeoutMs} ms`, deadline, async () => {
        const c = await Connection.connect({ address, connectTimeout: 1000 });
        try {
          await c.workflowService.getSystemInfo({});
          return c;
        } catch (err) {
          await c.close();
          throw err;
        }
      }),
      died,
    ]);
    const serverMs = Date.now() - t;
    t = Date.now();
    try {
      await Promise.race([ensureNamespaceAndSearchAttributes(connection, namespace, options.retentionDays ?? 3, deadline, log), died]);
      await Promise.race([waitForAllServices(connection, namespace, deadline), died]);
    } finally {
      await connection.close();
    }
    const namespaceMs = Date.now() - t;

    return {
      address,
      namespace,
      postgres: { host: pg.host, port: pg.port, user: pg.credentials.user, databases: Object.values(DATABASES) },
      binaries,
      serverPid: child.pid,
      serverLogFile,
      serverExited: exited,
      timings: { binariesMs, buildMs: binaries.buildMs, postgresMs, schemaMs, serverMs, namespaceMs, totalMs: Date.now() - started },
      stop,
      stopNow,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export function formatTimings(t: ClusterTimings): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    `binaries ${s(t.binariesMs)}${t.buildMs ? ` (built from source in ${s(t.buildMs)})` : ' (cached)'}`,
    `postgres ${s(t.postgresMs)}`,
    `schemas ${s(t.schemaMs)}`,
    `server ${s(t.serverMs)}`,
    `namespace, search attributes, services ready ${s(t.namespaceMs)}`,
    `total ${s(t.totalMs)}`,
  ].join(', ');
}
