import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findOnPath, isExecutableFile, type Env } from './goInstall';

/**
 * Debian's PostgreSQL for the local cluster: one database server in `<dataDir>/postgres`, created on
 * the first run and reused after, listening on loopback TCP only (no Unix socket, so nothing is
 * written outside the data folder). When we run as root (CI does), every PostgreSQL program runs as
 * the `postgres` user, which owns the data folder: PostgreSQL refuses to run as root.
 */

export interface PostgresCredentials {
  /** The `postgres` superuser: only the launcher uses it, to create the role and the databases. */
  superuserPassword: string;
  /** The role the Temporal server and SQL tool connect as. */
  user: string;
  password: string;
}

export interface RunningPostgres {
  host: string;
  port: number;
  credentials: PostgresCredentials;
  /** PostgreSQL's own log. */
  logFile: string;
  /** Runs SQL as the superuser in `database` and returns psql's unaligned output. */
  sql(database: string, statement: string): string;
  stop(): Promise<void>;
  /** For a process 'exit' handler: stops at once, synchronously. */
  stopNow(): void;
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** The folder of `initdb`, `pg_ctl`, `postgres`, `psql`: Debian's versioned folder, else PATH. */
export function findPostgresBin(env: Env = process.env): string | undefined {
  const explicit = env.PG_BIN_DIR?.trim();
  if (explicit) return isExecutableFile(path.join(explicit, 'initdb')) ? explicit : undefined;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v) && isExecutableFile(path.join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(debian, versions[0], 'bin');
  }
  const initdb = findOnPath('initdb', env);
  return initdb ? path.dirname(initdb) : undefined;
}

/**
 * Finds PostgreSQL; if it is missing and `install` is set and we are root on Debian, installs the
 * `postgresql` package (saying so). Otherwise a message that says what to install.
 */
export function ensurePostgresBin(options: { env?: Env; install?: boolean; log: (line: string) => void }): string {
  const env = options.env ?? process.env;
  const found = findPostgresBin(env);
  if (found) return found;
  const hasApt = isExecutableFile('/usr/bin/apt-get');
  if (options.install && isRoot() && hasApt) {
    options.log('PostgreSQL not found: running `apt-get update && apt-get install -y postgresql` (Debian package)...');
    const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'postgresql']]) {
      const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: aptEnv });
      if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${result.status})`);
    }
    const installed = findPostgresBin(env);
    if (installed) return installed;
  }
  throw new Error(
    'PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or on PATH). ' +
      (hasApt ? 'Install it with `sudo apt-get install -y postgresql`' : 'Install PostgreSQL 12 or newer') +
      ', or set PG_BIN_DIR to the folder holding initdb and pg_ctl.',
  );
}

/** Runs a PostgreSQL program as the user that owns the data (the `postgres` user when we are root). */
function asOwner(command: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function run(command: string, args: string[], what: string, env: Env = process.env): SpawnSyncReturns<string> {
  const [cmd, argv] = asOwner(command, args);
  const result = spawnSync(cmd, argv, { encoding: 'utf8', env, timeout: 120_000 });
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status}): ${(result.stderr || result.stdout).trim()}`);
  return result;
}

function postgresUserIds(): { uid: number; gid: number } {
  const result = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const group = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (result.status !== 0 || group.status !== 0) {
    throw new Error('We run as root, so PostgreSQL must run as the `postgres` user, which does not exist (the Debian postgresql package creates it)');
  }
  return { uid: Number(result.stdout.trim()), gid: Number(group.stdout.trim()) };
}

/** The folder PostgreSQL writes to, owned by whoever runs it; root must hand the `postgres` user a way in. */
function prepareOwnedFolder(folder: string): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  if (!isRoot()) return;
  const { uid, gid } = postgresUserIds();
  chownSync(folder, uid, gid);
  chmodSync(folder, 0o700);
  // Every folder above it must let `postgres` pass (a mkdtemp folder is 0700, a home folder may be).
  const probe = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', folder], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `The postgres user cannot reach ${folder}: a folder above it is closed to other users. ` +
        'Choose a data folder under a world-traversable path (e.g. /var/tmp or the clone if it is not under /root), or chmod o+x the parents.',
    );
  }
}

function loadOrCreateCredentials(file: string, dataExists: boolean): PostgresCredentials {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as PostgresCredentials;
  if (dataExists) {
    throw new Error(`${file} is missing but the PostgreSQL data folder exists: remove ${path.dirname(file)}/postgres to start over`);
  }
  const credentials: PostgresCredentials = {
    superuserPassword: randomBytes(18).toString('base64url'),
    user: 'temporal',
    password: randomBytes(18).toString('base64url'),
  };
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  return credentials;
}

export interface StartPostgresOptions {
  bin: string;
  /** `<dataDir>/postgres` is PostgreSQL's; the credentials file sits beside it. */
  dataDir: string;
  port: number;
  databases: string[];
  log: (line: string) => void;
}

/** Creates the database server on the first run (initdb), starts it on `port`, and makes sure the role and databases exist. */
export async function startPostgres(options: StartPostgresOptions): Promise<RunningPostgres> {
  const { bin, port, log } = options;
  const root = path.join(options.dataDir, 'postgres');
  const pgdata = path.join(root, 'data');
  const logFile = path.join(root, 'postgres.log');
  const initialised = existsSync(path.join(pgdata, 'PG_VERSION'));
  const credentials = loadOrCreateCredentials(path.join(options.dataDir, 'postgres-credentials.json'), initialised);
  prepareOwnedFolder(root);
  const pgCtl = path.join(bin, 'pg_ctl');

  if (!initialised) {
    log(`  initdb ${pgdata}${isRoot() ? ' (as the postgres user)' : ''}`);
    rmSync(pgdata, { recursive: true, force: true });
    const pwfile = path.join(root, '.pwfile');
    writeFileSync(pwfile, `${credentials.superuserPassword}\n`, { mode: 0o600 });
    if (isRoot()) chownSync(pwfile, postgresUserIds().uid, postgresUserIds().gid);
    try {
      run(path.join(bin, 'initdb'), ['-D', pgdata, '-U', 'postgres', '--pwfile', pwfile, '--auth-local=peer', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-locale'], 'initdb');
    } finally {
      rmSync(pwfile, { force: true });
    }
    // Loopback TCP only; no Unix socket (its default folder belongs to the system's PostgreSQL).
    const conf = path.join(pgdata, 'postgresql.conf');
    writeFileSync(
      conf,
      `${readFileSync(conf, 'utf8')}\n# ping-orchestrator cluster (scripts/clusterPostgres.ts)\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nmax_connections = 200\nfsync = on\n`,
    );
  }

  // A server left running by a run that crashed: stop it, it may be on another port.
  if (spawnSync(...asOwner(pgCtl, ['status', '-D', pgdata]), { encoding: 'utf8' }).status === 0) {
    log('  stopping a PostgreSQL left running by an earlier run');
    run(pgCtl, ['stop', '-D', pgdata, '-m', 'fast', '-w'], 'pg_ctl stop');
  }
  run(pgCtl, ['start', '-D', pgdata, '-l', logFile, '-w', '-t', '60', '-o', `-p ${port}`], `pg_ctl start (log: ${logFile})`);

  let stopped = false;
  const stopNow = (): void => {
    if (stopped) return;
    stopped = true;
    const [cmd, argv] = asOwner(pgCtl, ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '30']);
    spawnSync(cmd, argv, { stdio: 'ignore', timeout: 40_000 });
  };
  const running: RunningPostgres = {
    host: '127.0.0.1',
    port,
    credentials,
    logFile,
    sql: (database, statement) => psql(bin, running, statement, database),
    stopNow,
    async stop() {
      if (stopped) return;
      stopped = true;
      const [cmd, argv] = asOwner(pgCtl, ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '30']);
      await new Promise<void>((resolve) => spawn(cmd, argv, { stdio: 'ignore' }).once('close', () => resolve()));
    },
  };
  try {
    ensureRoleAndDatabases(bin, running, options.databases);
  } catch (err) {
    stopNow();
    throw err;
  }
  return running;
}

/** psql over loopback TCP as the superuser; needs no `postgres` user, the password is the key. */
function psql(bin: string, pg: RunningPostgres, sql: string, database = 'postgres'): string {
  const result = spawnSync(
    path.join(bin, 'psql'),
    ['-h', pg.host, '-p', String(pg.port), '-U', 'postgres', '-d', database, '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-c', sql],
    { encoding: 'utf8', env: { ...process.env, PGPASSWORD: pg.credentials.superuserPassword, PGCONNECT_TIMEOUT: '10' }, timeout: 60_000 },
  );
  if (result.status !== 0) throw new Error(`psql failed: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout.trim();
}

const literal = (value: string): string => `'${value.replace(/'/g, "''")}'`;
const ident = (value: string): string => `"${value.replace(/"/g, '""')}"`;

function ensureRoleAndDatabases(bin: string, pg: RunningPostgres, databases: string[]): void {
  const { user, password } = pg.credentials;
  if (psql(bin, pg, `SELECT 1 FROM pg_roles WHERE rolname = ${literal(user)}`) !== '1') {
    psql(bin, pg, `CREATE ROLE ${ident(user)} LOGIN PASSWORD ${literal(password)}`);
  }
  const existing = new Set(psql(bin, pg, 'SELECT datname FROM pg_database').split('\n'));
  for (const db of databases) {
    if (!existing.has(db)) psql(bin, pg, `CREATE DATABASE ${ident(db)} OWNER ${ident(user)} ENCODING 'UTF8'`);
  }
}
