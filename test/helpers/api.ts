import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createLogger, type Logger } from '../../common/logger';
import { harnessEnv } from '../harnessEnv';

export interface RunningApi {
  url: string;
  stop(): Promise<void>;
}

export interface ApiOptions {
  apiKeys?: string[];
  logger?: Logger;
  /** Defaults to the harness's dev server; a test of readiness can point it elsewhere. */
  temporalAddress?: string;
}

/** Starts the real express app on a free port, connected to a real Temporal server. */
export async function startApi(options: ApiOptions = {}): Promise<RunningApi> {
  const { temporalAddress, namespace } = harnessEnv();
  const connection = Connection.lazy({ address: options.temporalAddress ?? temporalAddress });
  const app = createApp({
    logger: options.logger ?? createLogger({ name: 'test-api', level: 'warn', format: 'json' }),
    apiKeys: options.apiKeys ?? ['test-key-0123456789abcdef'],
    temporal: { connection, namespace },
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await connection.close();
    },
  };
}
