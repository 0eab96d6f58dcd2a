import { DefaultLogger, Runtime, makeTelemetryFilterString, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../common/logger';

const TO_PINO = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * Routes the SDK's own logs, workflow/activity context logs and (forwarded) Rust core logs through
 * our pino logger, so a worker writes one stream of JSON lines. Call once per process.
 */
export function installRuntime(logger: Logger, level: LogLevel = 'INFO'): void {
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: entryLevel, message, meta }) => {
      logger[TO_PINO[entryLevel]](meta ?? {}, message);
    }),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
    },
  });
}

/** pino's level names to the SDK's. */
export function sdkLogLevel(pinoLevel: string): LogLevel {
  switch (pinoLevel) {
    case 'trace':
      return 'TRACE';
    case 'debug':
      return 'DEBUG';
    case 'info':
      return 'INFO';
    case 'warn':
      return 'WARN';
    default:
      return 'ERROR';
  }
}
