import http from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../common/config';
import { createLogger } from '../common/logger';
import { createApp } from './app';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ name: 'api', ...config.log });
  if (config.api.keys.length === 0) {
    process.stderr.write('Invalid configuration: API_KEYS must list at least one API key (comma-separated, 16+ characters each)\n');
    process.exit(1);
  }
  const { webhookSecret } = config.api;
  if (!webhookSecret) {
    process.stderr.write('Invalid configuration: WEBHOOK_SECRET is required (16+ characters; it signs the callback URLs given to Ping)\n');
    process.exit(1);
  }
  // Lazy: the API comes up (and /readyz says 503) even while Temporal is still starting.
  const connection = Connection.lazy({ address: config.temporal.address });
  const app = createApp({
    logger,
    apiKeys: config.api.keys,
    client: new Client({ connection, namespace: config.temporal.namespace }),
    taskQueue: config.temporal.taskQueue,
    webhookSecret,
    timing: config.payments,
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.api.port, config.api.host, resolve);
  });
  logger.info({ url: `http://${config.api.host}:${config.api.port}`, temporal: config.temporal.address }, 'api listening');

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api shutting down');
    // Finish in-flight requests, refuse new ones; idle keep-alive sockets must not hold us open.
    server.close(() => {
      void connection.close().finally(() => {
        logger.info('api stopped');
        process.exit(0);
      });
    });
    server.closeIdleConnections();
    setTimeout(() => {
      server.closeAllConnections();
    }, 10_000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`api failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
