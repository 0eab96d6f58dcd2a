import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config/processConfig';

export type { Logger };

export interface LoggerOptions {
  name: string;
  level: Config['log']['level'];
  format: Config['log']['format'];
}

/**
 * One JSON line per event (what log shippers want), pretty only for a person at a terminal.
 * Credentials that may pass through a log call are redacted at the source.
 */
export function createLogger({ name, level, format }: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-api-secret"]',
        'req.headers.cookie',
        'apiSecret',
        '*.apiSecret',
        'webhookSecret',
        '*.webhookSecret',
      ],
      censor: '[redacted]',
    },
  };
  const usePretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  if (!usePretty) return pino(options);
  return pino(options, pretty({ colorize: true, sync: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l' }));
}
