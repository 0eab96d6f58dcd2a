import http from 'node:http';
import { loadConfigOrExit } from '../common/config/orExit';
import { createLogger } from '../common/logger';
import { closeHttpServer, listen, onShutdown, runMain } from '../common/processLifecycle';
import { createSandbox } from './createSandbox';
import { merchantApprovalDelayFromEnv } from './merchants';

/**
 * Only the sandbox reads this variable, so it is parsed here; a bad value is one line and exit code
 * 1, as a bad configuration is for every process (common/config/orExit.ts).
 */
function merchantApprovalDelayOrExit(): number | null | undefined {
  try {
    return merchantApprovalDelayFromEnv(process.env.SANDBOX_MERCHANT_APPROVAL_MS);
  } catch (err) {
    process.stderr.write(`Invalid configuration: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

/** `npm run sandbox`: the Ping emulator on SANDBOX_PORT, handing out URLs under SANDBOX_PUBLIC_URL. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const merchantApprovalDelayMs = merchantApprovalDelayOrExit();
  const logger = createLogger({ name: 'sandbox', ...config.log });
  const sandbox = createSandbox({ publicUrl: config.sandbox.publicUrl, logger, apiSecret: config.ping.apiSecret, merchantApprovalDelayMs });
  const server = http.createServer(sandbox.app);
  // All interfaces: the dev stack and docker-compose reach it by host name, browsers by localhost.
  await listen(server, config.sandbox.port);
  const url = config.sandbox.publicUrl;
  logger.info(
    {
      url,
      paymentsApi: `${url}/payments/`,
      paymentLinksApi: `${url}/payment_links/`,
      control: `${url}/_sandbox/`,
      checksSecret: config.ping.apiSecret !== undefined,
      merchantApprovalMs: sandbox.context.merchantApprovalDelayMs ?? 'off',
    },
    `sandbox listening on ${url}`,
  );

  onShutdown('sandbox', logger, async () => {
    await closeHttpServer(server, 5_000);
    await sandbox.close();
  });
}

runMain('sandbox', main);
