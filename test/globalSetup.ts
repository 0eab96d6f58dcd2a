import { startDevServer, type DevServer } from '../scripts/devServer';
import { freePort } from './helpers/ports';
import { ensureTemporalCli } from '../scripts/temporalCli';
import { publishHarnessEnv } from './harnessEnv';

declare global {
  // Shared with globalTeardown, which jest runs in the same process.
  var __temporalDevServer: DevServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  const cli = await ensureTemporalCli({ log: (line) => process.stderr.write(`${line}\n`) });
  const server = await startDevServer({
    cli,
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
  });
  globalThis.__temporalDevServer = server;
  publishHarnessEnv({ temporalAddress: server.address, temporalUiUrl: server.uiUrl!, namespace: server.namespace });
}
