import path from 'node:path';
import { usesLocalInbox, usesLocalSandbox } from '../common/config/localServices';
import { loadConfigOrExit } from '../common/config/orExit';
import type { Config } from '../common/config/processConfig';
import { spawnService, type Service } from './childProcess';
import { loadOrCreateDevSecrets } from './devSecrets';
import { ensureDevMerchant } from './devMerchant';
import { startDevServer, type DevServer } from './devServer';
import { waitForHttpOk, waitForWorker } from './readiness';
import { cliVersion, ensureTemporalCli } from './temporalCli';
import { projectWorkflowBundle } from '../worker/workflowBundle';

/**
 * `npm start`: the whole stack on one machine. A Temporal dev server on a SQLite file in the data
 * folder (unless TEMPORAL_ADDRESS points at a cluster), then the worker and the API as child processes.
 * Ctrl-C stops the API and worker first, Temporal last, and leaves no process behind.
 */

const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

const displayHost = (host: string): string => (host === '0.0.0.0' || host === '::' ? 'localhost' : host);
const mask = (secret: string): string => `${secret.slice(0, 7)}…${secret.slice(-4)}`;

class Stack {
  private readonly services: Service[] = [];
  private devServer?: DevServer;
  private stopping?: Promise<void>;

  constructor(private readonly config: Config) {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void this.stop(0));
    // Last resort if this process dies on an exception: the services run in their own process groups,
    // so nothing else would stop them.
    process.on('exit', () => {
      for (const s of this.services) if (s.child.exitCode === null) s.child.kill('SIGKILL');
      if (this.devServer?.pid && !this.stopping) {
        try {
          process.kill(this.devServer.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    });
  }

  stop(exitCode: number): Promise<void> {
    this.stopping ??= (async () => {
      say('\nStopping...');
      await Promise.all(this.services.map((s) => s.stop()));
      await this.devServer?.stop();
      say('Stopped.');
      process.exit(exitCode);
    })();
    return this.stopping;
  }

  async start(): Promise<void> {
    const { config } = this;
    const secrets = await loadOrCreateDevSecrets(config.dataDir);
    const apiKeyFromEnv = config.api.keys.length > 0;

    const apiUrl = `http://${displayHost(config.api.host)}:${config.api.port}`;
    // The Web UI runs in the browser and calls this to show encrypted payloads in clear.
    const codecUrl = `${apiUrl}/codec`;

    // While Temporal starts; the worker then finds the bundle cached and polls about a second after it starts.
    const bundled = projectWorkflowBundle();
    bundled.catch(() => undefined); // awaited below, after the dev server
    let temporalAddress = config.temporal.address;
    if (config.temporal.external) {
      say(`Using the Temporal cluster at ${temporalAddress} (TEMPORAL_ADDRESS)`);
    } else {
      const cli = await ensureTemporalCli({ log: say });
      const from = cli.source === 'sdk-download' ? 'downloaded by the SDK' : `${cli.path}, ${cliVersion(cli.path) ?? 'version unknown'}`;
      say(`Starting Temporal dev server (${from})...`);
      this.devServer = await startDevServer({
        cli,
        port: config.temporal.devPort,
        uiPort: config.temporal.uiPort,
        codecEndpoint: codecUrl,
        namespace: config.temporal.namespace,
        dbFile: path.join(config.dataDir, 'temporal.db'),
        logFile: path.join(config.dataDir, 'logs', 'temporal-dev-server.log'),
        detached: true,
        tuning: config.temporal.devServer,
      });
      temporalAddress = this.devServer.address;
    }

    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: temporalAddress,
      API_KEYS: apiKeyFromEnv ? process.env.API_KEYS : secrets.apiKey,
      WEBHOOK_SECRET: config.api.webhookSecret ?? secrets.webhookSecret,
      NOTIFICATION_SIGNING_SECRET: config.notifications.signingSecret ?? secrets.notificationSigningSecret,
      // The worker seals payloads with it, the API's client and codec endpoint open them.
      PAYLOAD_ENCRYPTION_KEYS: config.encryption.keys ? process.env.PAYLOAD_ENCRYPTION_KEYS : secrets.payloadEncryptionKeys,
      DATA_DIR: config.dataDir,
      // The dev stack settles a paid payment at once, so a first payment shows its whole trip (docs/money.md).
      SETTLEMENT_HOLD: process.env.SETTLEMENT_HOLD ?? 'PT0S',
      // A developer's merchant receiver runs on this machine, over plain http (docs/configuration.md).
      ALLOW_PRIVATE_WEBHOOK_URLS: process.env.ALLOW_PRIVATE_WEBHOOK_URLS ?? 'true',
      ALLOW_HTTP_WEBHOOK_URLS: process.env.ALLOW_HTTP_WEBHOOK_URLS ?? 'true',
      // A demo subscription can run its periods in seconds (docs/subscriptions.md).
      SUBSCRIPTIONS_ALLOW_SHORT_INTERVALS: process.env.SUBSCRIPTIONS_ALLOW_SHORT_INTERVALS ?? 'true',
    };
    const bundle = await bundled;
    if (bundle.from === 'build') say(`Bundled the workflow code in ${(bundle.ms / 1000).toFixed(1)} s (kept by content in dist/workflow-bundle/)`);
    const withSandbox = usesLocalSandbox(config);
    const withInbox = usesLocalInbox(config);
    const names = [...(withSandbox ? ['sandbox'] : []), ...(withInbox ? ['inbox'] : []), 'worker', 'api'];
    say(`Starting ${names.join(', ')}...`);
    const startupFailed = new AbortController();
    for (const name of names) {
      const service = spawnService(name, childEnv);
      this.services.push(service);
      void service.exited.then((code) => {
        startupFailed.abort();
        if (this.stopping) return;
        process.stderr.write(`${name} exited unexpectedly (${code}); stopping the stack\n`);
        void this.stop(1);
      });
    }

    const sandboxUrl = `http://localhost:${config.sandbox.port}`;
    const inboxUrl = `http://127.0.0.1:${config.mail.inbox.httpPort}`;
    await Promise.all([
      withSandbox ? waitForHttpOk(`${sandboxUrl}/_sandbox/`, 60_000, startupFailed.signal) : undefined,
      withInbox ? waitForHttpOk(`${inboxUrl}/healthz`, 60_000, startupFailed.signal) : undefined,
      waitForHttpOk(`${apiUrl}/readyz`, 60_000, startupFailed.signal),
      waitForWorker(temporalAddress, config.temporal.namespace, config.temporal.taskQueue, 120_000, startupFailed.signal, config.temporal.connectionOptions),
    ]);

    const apiKey = apiKeyFromEnv ? `${mask(config.api.keys[0]!)} (from API_KEYS)` : `${secrets.apiKey} (generated, kept in ${config.dataDir})`;
    // Only against the local sandbox: a start pointed at Ping's own API must not create merchants there.
    const devMerchant = withSandbox ? await ensureDevMerchant(apiUrl, apiKeyFromEnv ? config.api.keys[0]! : secrets.apiKey, config.dataDir) : undefined;
    say('');
    say('Ping orchestrator is running.');
    say(`  API            ${apiUrl}`);
    say(`  API key        ${apiKey}`);
    if (devMerchant) say(`  Payee app      ${apiUrl}/app (sign in with ${devMerchant.key}, the key of the dev merchant ${devMerchant.merchantId})`);
    say(`  Temporal gRPC  ${temporalAddress} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})`);
    if (this.devServer?.uiUrl) say(`  Temporal UI    ${this.devServer.uiUrl} (decodes encrypted payloads through ${codecUrl})`);
    else say(`  Payload codec  ${codecUrl} (point your Temporal UI's codec endpoint here)`);
    say(withSandbox ? `  Ping sandbox   ${config.sandbox.publicUrl} (control API: ${config.sandbox.publicUrl}/_sandbox/)` : `  Ping API       ${config.ping.paymentsApiUrl}`);
    say(withInbox ? `  Mail inbox     ${inboxUrl} (receipts sent to ${config.mail.smtpUrl})` : `  SMTP           ${config.mail.smtpUrl}`);
    say(`  Data folder    ${config.dataDir}`);
    say('');
    say('Try a payment link:');
    say(`  curl -s ${apiUrl}/v1/payment-links \\`);
    say(`    -H "Authorization: Bearer ${apiKeyFromEnv ? '<your API key>' : secrets.apiKey}" -H "Idempotency-Key: first-try-1" -H "Content-Type: application/json" \\`);
    say(`    -d '{"currency":"SEK","locale":"sv-SE","merchant_reference":"first-try-1",`);
    say(`         "items":[{"description":"Pizza","merchant_id":"3f1d2c4b-5a69-4e7f-8a1b-2c3d4e5f6a7b","price":7000,"quantity":2,"vat":12}],`);
    say(`         "customer":{"first_name":"Bertil","last_name":"Jönsson","email":"bertil@example.com"},`);
    say(`         "supplier":{"name":"Pizzeria AB"},"payment_methods":[{"provider":"payment_iq","method":"card"}]}'`);
    say('  then open its checkout_url in a browser and pay.');
    say('');
    say('Press Ctrl-C to stop.');
  }
}

const stack = new Stack(loadConfigOrExit());
stack.start().catch(async (err: unknown) => {
  process.stderr.write(`npm start failed: ${err instanceof Error ? err.message : String(err)}\n`);
  await stack.stop(1);
});
