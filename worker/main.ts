import { getHeapStatistics } from 'node:v8';
import { loadConfigOrExit, requireSecretsOrExit } from '../common/config/orExit';
import { createLogger } from '../common/logger';
import { dataConverterFor } from '../common/payloadCodec';
import { runMain } from '../common/processLifecycle';
import { createActivities } from './activities';
import { connectWorker, createWorker } from './createWorker';
import { merchantSigningVersions } from './merchantSigningVersions';
import { lazyTemporalClient } from './temporalClient';
import { registerTenantInBackground, type TenantRegistration } from './registerTenant';
import { createWorkerMetrics, serveMetrics, type MetricsServer } from './metrics';
import { installRuntime, sdkLogLevel } from './runtime';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ name: 'worker', ...config.log });
  const { webhookSecret, encryptionKeys, notificationSigningSecret } = requireSecretsOrExit(config, 'worker');
  // Ping calls and process metrics here; the SDK's own on TEMPORAL_METRICS_PORT (worker/metrics.ts says why two).
  const metrics = createWorkerMetrics();
  const dataConverter = dataConverterFor(encryptionKeys);
  const temporalClient = lazyTemporalClient({ address: config.temporal.address, namespace: config.temporal.namespace, connectionOptions: config.temporal.connectionOptions, dataConverter });
  const signingVersions = merchantSigningVersions({ client: temporalClient.get });
  const { activities, ping, close } = createActivities(
    {
      ping: config.ping,
      publicBaseUrl: config.api.publicBaseUrl,
      webhookSecret,
      notificationSigningSecret,
      mail: config.mail,
      outboundUrls: config.outboundUrls,
      taskQueue: config.temporal.taskQueue,
      payments: config.payments,
      money: config.money,
    },
    logger,
    { pingObserver: metrics.pingObserver, signingVersionOf: signingVersions.versionOf, temporalClient: temporalClient.get },
  );
  const { host, workerPort, temporalPort } = config.metrics;
  let metricsServer: MetricsServer | undefined;
  if (workerPort) {
    try {
      metricsServer = await serveMetrics(metrics.registry, { host, port: workerPort });
    } catch (err) {
      // A busy port costs the metrics, not the payments.
      logger.warn({ host, port: workerPort, err: err instanceof Error ? err.message : String(err) }, 'worker metrics not served');
    }
  }
  // The Runtime's default shutdown signals (SIGINT, SIGTERM, ...) make worker.run() drain and resolve.
  const temporalMetrics = installRuntime(logger, sdkLogLevel(config.log.level), {
    prometheusBindAddress: temporalPort ? `${host.includes(':') ? `[${host}]` : host}:${temporalPort}` : undefined,
  });
  logger.info({ metrics: metricsServer?.url, temporalMetrics: temporalMetrics && `http://${temporalMetrics}/metrics` }, 'worker metrics');
  const { address, namespace, taskQueue } = config.temporal;
  const connection = await connectWorker(
    address,
    30,
    (err) => logger.warn({ address, err: String(err) }, 'Temporal not reachable yet, retrying'),
    config.temporal.connectionOptions,
  );
  let tenantRegistration: TenantRegistration | undefined;
  try {
    const worker = await createWorker({
      connection,
      namespace,
      taskQueue,
      activities,
      shutdownGraceMs: config.worker.shutdownGraceMs,
      dataConverter,
      tuning: config.worker.tuning,
    });
    // Ping's merchant callbacks reach us only once the tenant names our URL; a failure is retried in the background.
    tenantRegistration = registerTenantInBackground({ ping, publicBaseUrl: config.api.publicBaseUrl, webhookSecret, logger });
    // The effective WORKER_* concurrency and cache (defaults included), once.
    const heapLimitMb = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
    logger.info({ address, namespace, taskQueue, tuning: config.worker.tuning, heapLimitMb }, 'worker starting to poll');
    // Started some other way than ours (plain `node worker/main`): say so, since memory will look high.
    if (heapLimitMb > config.worker.maxHeapMb * 1.5) {
      logger.warn({ heapLimitMb, WORKER_MAX_HEAP_MB: config.worker.maxHeapMb }, 'worker heap is not capped; start it with node --max-old-space-size (or NODE_OPTIONS)');
    }
    await worker.run();
    logger.info('worker stopped');
  } finally {
    tenantRegistration?.stop();
    await close();
    await temporalClient.close();
    await connection.close();
    await metricsServer?.close();
  }
}

runMain('worker', main);
