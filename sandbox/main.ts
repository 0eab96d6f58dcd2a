import http from 'node:http';
import { loadConfigOrExit } from '../common/config';
import { createLogger } from '../common/logger';
import { createSandbox } from './createSandbox';

/** `npm run sandbox`: the Ping emulator on SANDBOX_PORT, handing out URLs under SANDBOX_PUBLIC_URL. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ name: 'sandbox', ...config.log });
  const sandbox = createSandbox({ publicUrl: config.sandbox.publicUrl, logger, apiSecret: config.ping.apiSecret });
  const server = http.createServer(sandbox.app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // All interfaces: the dev stack and docker-compose reach it by host name, browsers by localhost.
    server.listen(config.sandbox.port, resolve);
  });
  const url = config.sandbox.publicUrl;
  logger.info(
    { url, paymentsApi: `${url}/payments/`, paymentLinksApi: `${url}/payment_links/`, control: `${url}/_sandbox/`, checksSecret: config.ping.apiSecret !== undefined },
    `sandbox listening on ${url}`,
  );

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'sandbox shutting down');
    server.close(() => {
      void sandbox.close().finally(() => {
        logger.info('sandbox stopped');
        process.exit(0);
      });
    });
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 5_000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`sandbox failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
