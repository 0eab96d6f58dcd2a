import { loadConfig, type Config } from './processConfig';
import { requireSecrets, type ProcessSecrets, type SecretsProcess } from './secrets';
import { ConfigError, type Env } from './values';

/** For process entry points: a bad environment is a one-line message and exit code 1, never a stack trace. */
function orExit<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

export function loadConfigOrExit(env: Env = process.env): Config {
  return orExit(() => loadConfig(env));
}

/** The secrets `processName` requires, each a plain value; if any is missing, one line naming them all and exit 1. */
export function requireSecretsOrExit<P extends SecretsProcess>(config: Config, processName: P): ProcessSecrets<P> {
  return orExit(() => requireSecrets(config, processName));
}
