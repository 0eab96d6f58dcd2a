import { loadDevServerTuning } from '../common/config/devServer';
import { startDevServer, type DevServer } from '../scripts/devServer';
import { freePort } from './helpers/ports';
import { ensureTemporalCli } from '../scripts/temporalCli';
import { publishHarnessEnv } from './harnessEnv';
import { TEST_API_KEY } from './helpers/api';
import { startCodecServer, uiOrigins, type RunningCodecServer } from './helpers/encryption';
import { projectWorkflowBundle } from '../worker/workflowBundle';

declare global {
  // Shared with globalTeardown, which jest runs in the same process.
  var __temporalDevServer: DevServer | undefined;
  var __codecServer: RunningCodecServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  // Once for the run, while the dev server starts: the test files' workers then find it cached
  // instead of each bundling the same code. A failure is left to the tests that start a worker.
  const bundled = projectWorkflowBundle().catch((err: unknown) => {
    process.stderr.write(`workflow bundle not prebuilt: ${err instanceof Error ? err.message : String(err)}\n`);
  });
  const cli = await ensureTemporalCli({ log: (line) => process.stderr.write(`${line}\n`) });
  const uiPort = await freePort();
  // Payloads are encrypted with the test keys; the Web UI decodes them through this endpoint, which
  // must exist before the dev server starts (the UI takes its URL as a start argument).
  const codec = await startCodecServer({ apiKeys: [TEST_API_KEY], allowedOrigins: uiOrigins(`http://127.0.0.1:${uiPort}`) });
  globalThis.__codecServer = codec;
  let server: DevServer;
  try {
    server = await startDevServer({
      cli,
      port: await freePort(),
      uiPort,
      codecEndpoint: codec.url,
      namespace: 'default',
      // TEMPORAL_DEV_DYNAMIC_CONFIG applies (an in-memory server: no SQLite pragmas).
      tuning: loadDevServerTuning(process.env),
    });
  } catch (err) {
    await codec.stop();
    throw err;
  }
  globalThis.__temporalDevServer = server;
  await bundled;
  publishHarnessEnv({ temporalAddress: server.address, temporalUiUrl: server.uiUrl!, namespace: server.namespace, codecUrl: codec.url });
}
