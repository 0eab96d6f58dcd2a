import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { loadDevServerTuning, type DevServerTuning } from '../common/config/devServer';
import { SEARCH_ATTRIBUTES } from '../domain/searchAttributes';
import type { TemporalCli } from './temporalCli';

export interface DevServerOptions {
  cli: TemporalCli;
  ip?: string;
  port: number;
  /** Web UI port; undefined runs the server headless. */
  uiPort?: number;
  /**
   * Remote codec endpoint the Web UI calls from the browser to show encrypted payloads in clear
   * (`--ui-codec-endpoint`), e.g. `http://127.0.0.1:3000/codec`.
   */
  codecEndpoint?: string;
  namespace: string;
  /** SQLite file: state survives a restart. Undefined keeps everything in memory. */
  dbFile?: string;
  /** Server output goes here rather than into the terminal of the person running the stack. */
  logFile?: string;
  startTimeoutMs?: number;
  /**
   * Own process group: a terminal's Ctrl-C then reaches only our supervisor, which stops the server
   * after the worker has drained. Tests leave it in jest's group so an interrupted run takes it down.
   */
  detached?: boolean;
  /**
   * SQLite pragmas and dynamic config: `loadConfig(env).temporal.devServer` (or
   * `loadDevServerTuning(env)`). Undefined: the config module's defaults, not the environment's.
   */
  tuning?: DevServerTuning;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  namespace: string;
  /** The server process, when we spawned it ourselves (not the SDK fallback). */
  pid?: number;
  stop(): Promise<void>;
}

/** The CLI's names for the SDK's search-attribute types. */
const CLI_TYPE: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

function codecArgs(options: DevServerOptions): string[] {
  return options.uiPort && options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : [];
}

export function searchAttributeArgs(): string[] {
  return SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE[key.type]}`]);
}

/**
 * `--sqlite-pragma name=value` per pragma (only with a database file: an in-memory server has no
 * journal to tune) and `--dynamic-config-value key=value` per dynamic config entry.
 */
export function devServerTuningArgs(tuning: DevServerTuning, withDbFile: boolean): string[] {
  return [
    ...(withDbFile ? Object.entries(tuning.sqlitePragmas).flatMap(([name, value]) => ['--sqlite-pragma', `${name}=${value}`]) : []),
    ...Object.entries(tuning.dynamicConfig).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${value}`]),
  ];
}

function tuningArgs(options: DevServerOptions): string[] {
  return devServerTuningArgs(options.tuning ?? loadDevServerTuning({}), Boolean(options.dbFile));
}

/** Starts a Temporal dev server and resolves once it serves the namespace with our search attributes. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const address = `${ip}:${options.port}`;
  const uiUrl = options.uiPort ? `http://${ip === '0.0.0.0' ? 'localhost' : ip}:${options.uiPort}` : undefined;
  if (options.cli.source === 'sdk-download') return startWithSdk(options, ip, address, uiUrl);

  if (options.dbFile) await mkdir(path.dirname(options.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(options.port),
    ...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    ...codecArgs(options),
    '--namespace',
    options.namespace,
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    '--log-level',
    'warn',
    '--log-format',
    'json',
    ...searchAttributeArgs(),
    ...tuningArgs(options),
  ];
  const child = spawn(options.cli.path, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false });
  const recent: string[] = [];
  const keep = (chunk: Buffer): void => {
    recent.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    recent.splice(0, Math.max(0, recent.length - 30));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  if (options.logFile) {
    await mkdir(path.dirname(options.logFile), { recursive: true });
    const file = createWriteStream(options.logFile, { flags: 'a' });
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = () => stopProcess(child, exited);

  try {
    await Promise.race([
      waitUntilServing(address, options.namespace, options.startTimeoutMs ?? 60_000),
      exited.then((code) => {
        throw new Error(`Temporal dev server exited with code ${code} during start:\n${recent.join('\n')}`);
      }),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, uiUrl, namespace: options.namespace, pid: child.pid, stop };
}

async function stopProcess(child: ChildProcess, exited: Promise<unknown>, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Polls until the namespace answers and every search attribute is registered (the CLI adds them just after start). */
async function waitUntilServing(address: string, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 1000 });
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      const missing = SEARCH_ATTRIBUTES.filter((k) => !customAttributes || !(k.name in customAttributes));
      if (missing.length === 0) return;
      lastError = new Error(`search attributes not registered yet: ${missing.map((k) => k.name).join(', ')}`);
    } catch (err) {
      lastError = err;
    } finally {
      await connection?.close();
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Temporal dev server at ${address} did not become ready in ${timeoutMs} ms: ${String(lastError)}`);
}

/** Laptop fallback: the SDK downloads the CLI and runs it. Only used when no binary and no Go are at hand. */
async function startWithSdk(options: DevServerOptions, ip: string, address: string, uiUrl?: string): Promise<DevServer> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip,
      port: options.port,
      ui: options.uiPort !== undefined,
      uiPort: options.uiPort,
      namespace: options.namespace,
      dbFilename: options.dbFile,
      searchAttributes: [...SEARCH_ATTRIBUTES],
      extraArgs: [...codecArgs(options), ...tuningArgs(options)],
    },
  });
  return { address, uiUrl, namespace: options.namespace, stop: () => env.teardown() };
}
