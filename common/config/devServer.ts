import { z } from 'zod';
import { keyValueList, parseEnv, type Env } from './values';

/** How our scripts tune the dev server they start (`temporal server start-dev`): npm start, the tests, the bench. */

/**
 * TEMPORAL_DEV_SQLITE_PRAGMAS: the SQLite pragmas of the dev server's database file (`--sqlite-pragma`).
 * The CLI's own SQLite settings (rollback journal, synchronous=FULL) fsync several times per
 * transaction, all through its single connection; measured here, WAL with synchronous=NORMAL doubled
 * end-to-end throughput. WAL+NORMAL stays durable when a process crashes (only an OS crash or power
 * loss can lose the last transactions), which is what a dev server needs.
 */
export const DEFAULT_DEV_SQLITE_PRAGMAS = 'journal_mode=wal,synchronous=normal';

/**
 * TEMPORAL_DEV_DYNAMIC_CONFIG: dynamic config of the dev server (`--dynamic-config-value`), each
 * value JSON. One task-queue partition (read and write): on a single-node server, more partitions
 * only forward polls and tasks between them. No search-attribute read from the database on every
 * read (the CLI forces it; ours are registered at start, before anything runs). Eager activities:
 * the worker takes an activity task in the reply to the workflow task that scheduled it.
 */
export const DEFAULT_DEV_DYNAMIC_CONFIG = [
  'matching.numTaskqueueReadPartitions=1',
  'matching.numTaskqueueWritePartitions=1',
  'system.forceSearchAttributesCacheRefreshOnRead=false',
  'system.enableActivityEagerExecution=true',
].join(',');

export interface DevServerTuning {
  /** `--sqlite-pragma name=value` each; only applies to a database file. */
  sqlitePragmas: Record<string, string>;
  /** `--dynamic-config-value key=value` each; every value is JSON text. */
  dynamicConfig: Record<string, string>;
}

const isJson = (value: string): boolean => {
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
};

/** The dev-server variables, listed with all the others in ./variables.ts. */
export const devServerVariables = {
  TEMPORAL_DEV_SQLITE_PRAGMAS: keyValueList(DEFAULT_DEV_SQLITE_PRAGMAS, {
    what: 'name=value SQLite pragmas',
    example: 'journal_mode=wal',
    name: /^[A-Za-z_]+$/,
    value: (v) => /^[A-Za-z0-9_-]+$/.test(v),
  }),
  TEMPORAL_DEV_DYNAMIC_CONFIG: keyValueList(DEFAULT_DEV_DYNAMIC_CONFIG, {
    what: 'key=value dynamic config entries, the value JSON (a number, true/false, or a "quoted" string)',
    example: 'matching.numTaskqueueReadPartitions=1',
    name: /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/,
    value: isJson,
  }),
};

const devServerSchema = z.object(devServerVariables);

/**
 * TEMPORAL_DEV_SQLITE_PRAGMAS and TEMPORAL_DEV_DYNAMIC_CONFIG alone (the same as
 * `loadConfig(env).temporal.devServer`), for a harness that starts a dev server without running
 * the app's processes itself. `{}` gives the defaults. Throws ConfigError.
 */
export function loadDevServerTuning(env: Env = process.env): DevServerTuning {
  const e = parseEnv(devServerSchema, env);
  return { sqlitePragmas: e.TEMPORAL_DEV_SQLITE_PRAGMAS, dynamicConfig: e.TEMPORAL_DEV_DYNAMIC_CONFIG };
}
