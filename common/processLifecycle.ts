import type http from 'node:http';
import type { Logger } from './logger';

/**
 * What every long-running entry point does the same way: stop once on SIGINT/SIGTERM, drain HTTP
 * servers, and turn a crash at start-up into one line on stderr and exit code 1.
 */

/** Runs `stop` once on SIGINT or SIGTERM and exits 0; a stop that hangs is cut short after `graceMs`. */
export function onShutdown(name: string, logger: Logger, stop: () => Promise<void>, graceMs = 15_000): void {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${name} shutting down`);
    setTimeout(() => {
      logger.warn(`${name} did not stop within ${graceMs} ms; exiting anyway`);
      process.exit(1);
    }, graceMs).unref();
    void stop()
      .catch((err: unknown) => logger.error({ err }, `${name} stopped with an error`))
      .finally(() => {
        logger.info(`${name} stopped`);
        process.exit(0);
      });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** Refuses new connections, lets in-flight requests finish, and drops idle keep-alive sockets at once. */
export function closeHttpServer(server: http.Server, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), graceMs).unref();
  });
}

export function listen(server: http.Server, port: number, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
