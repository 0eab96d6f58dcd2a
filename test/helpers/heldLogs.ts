import pino, { type Logger } from 'pino';

/**
 * Logs the harness writes while a test runs (our services' loggers, the Temporal Runtime's and core
 * SDK's lines) are expected noise as long as the test passes: a negative replay test's
 * nondeterminism warnings, an API's 503 while Temporal is away, the SDK's warnings about an activity
 * a test makes fail. They are held per test and printed only when that test fails, by the test
 * environment in ./heldLogsEnvironment.ts (jest.config.js). Without that environment there is no
 * holder, and every line goes to stderr as it comes, so nothing is ever hidden.
 */
export const HELD_LOGS_KEY = '__pingOrchestratorHeldLogs';

export type HeldLogsScope = { [HELD_LOGS_KEY]?: string[] };

export function holdLog(line: string): void {
  const held = (globalThis as HeldLogsScope)[HELD_LOGS_KEY];
  if (held) held.push(line.replace(/\n$/, ''));
  else process.stderr.write(line.endsWith('\n') ? line : `${line}\n`);
}

/** A JSON logger for a service a test starts, writing to the held logs. */
export function heldLogger(name: string, level: pino.LevelWithSilent = 'error'): Logger {
  return pino({ name, level }, { write: holdLog });
}
