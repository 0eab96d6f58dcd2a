import path from 'node:path';
import { findGo, goInstall, isExecutableFile, type Env } from './goInstall';
import { toolCacheDir } from './temporalCli';

/**
 * The Temporal server and its SQL schema tool, pinned to the server inside our CLI (1.5.1 = server
 * 1.29.1), built from source into the same tool cache as the CLI. No download exists for them here:
 * our machines reach the Go module proxy but not GitHub releases or Docker Hub.
 */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
const SERVER_MODULE = 'go.temporal.io/server';

export interface ClusterBinaries {
  server: string;
  sqlTool: string;
  /** How the binaries were found: already in the cache, or built just now (with the build time). */
  source: 'TEMPORAL_SERVER_PATH' | 'cache' | 'go install';
  buildMs?: number;
}

export function clusterBinaryDir(env: Env = process.env): string {
  return path.join(toolCacheDir(env), 'temporal-server', TEMPORAL_SERVER_VERSION);
}

/**
 * `TEMPORAL_SERVER_PATH` (with `temporal-sql-tool` beside it) wins; then the tool cache; then a
 * `go install` of both programs (2 to 6 minutes on 2 cores, once per machine).
 */
export async function ensureClusterBinaries(options: { env?: Env; log?: (line: string) => void } = {}): Promise<ClusterBinaries> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const explicit = env.TEMPORAL_SERVER_PATH?.trim();
  if (explicit) {
    const sqlTool = path.join(path.dirname(explicit), 'temporal-sql-tool');
    if (!isExecutableFile(explicit) || !isExecutableFile(sqlTool)) {
      throw new Error(`TEMPORAL_SERVER_PATH is set to ${explicit}: it and temporal-sql-tool beside it must be executable files`);
    }
    return { server: explicit, sqlTool, source: 'TEMPORAL_SERVER_PATH' };
  }
  const dir = clusterBinaryDir(env);
  const server = path.join(dir, 'temporal-server');
  const sqlTool = path.join(dir, 'temporal-sql-tool');
  if (isExecutableFile(server) && isExecutableFile(sqlTool)) return { server, sqlTool, source: 'cache' };

  const go = findGo(env);
  if (!go) {
    throw new Error(
      `The Temporal server ${TEMPORAL_SERVER_VERSION} is not in ${dir} and Go is not installed to build it. ` +
        'Install Go (https://go.dev/dl/), or put temporal-server and temporal-sql-tool in one folder and set TEMPORAL_SERVER_PATH.',
    );
  }
  const buildMs = await goInstall({
    go,
    packages: [`${SERVER_MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}`, `${SERVER_MODULE}/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`],
    // `go install` names a binary after its package folder: `server` and `sql`.
    outputs: { server, sql: sqlTool },
    label: `Temporal server ${TEMPORAL_SERVER_VERSION} and SQL tool`,
    estimate: '2 to 6 minutes on 2 cores',
    env,
    log,
  });
  return { server, sqlTool, source: 'go install', buildMs };
}
