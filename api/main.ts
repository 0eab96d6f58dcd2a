import http from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { loadConfigOrExit, requireSecretsOrExit } from '../common/config/orExit';
import { createLogger } from '../common/logger';
import { dataConverterFor, EncryptionCodec } from '../common/payloadCodec';
import { closeHttpServer, listen, onShutdown, runMain } from '../common/processLifecycle';
import { createApp } from './app';
import { createApiMetrics } from './metrics';
import { queryInterceptors } from '../common/workflowQueries';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ name: 'api', ...config.log });
  const { webhookSecret, encryptionKeys, notificationSigningSecret } = requireSecretsOrExit(config, 'api');
  const codec = new EncryptionCodec(encryptionKeys);
  // Lazy: the API comes up (and /readyz says 503) even while Temporal is still starting.
  const connection = Connection.lazy({ ...config.temporal.connectionOptions, address: config.temporal.address });
  const app = createApp({
    logger,
    apiKeys: config.api.keys,
    // The client encrypts what it sends (inputs, signals, updates) and decrypts what it reads.
    client: new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(codec), interceptors: queryInterceptors(connection) }),
    taskQueue: config.temporal.taskQueue,
    webhookSecret,
    timing: config.payments,
    money: config.money,
    codec: { codec, allowedOrigins: config.encryption.codecCorsOrigins },
    // GET /metrics on the API's own port: loopback callers or an API key, unless METRICS_PUBLIC.
    metrics: createApiMetrics(),
    metricsPublic: config.metrics.public,
    outboundUrls: config.outboundUrls,
    rateLimits: config.rateLimits,
    // Shown to merchants as their own derived signing secrets; the worker signs their events with the same.
    notificationSigningSecret,
    subscriptions: { allowShortIntervals: config.subscriptions.allowShortIntervals },
  });
  const server = http.createServer(app);
  await listen(server, config.api.port, config.api.host);
  logger.info({ url: `http://${config.api.host}:${config.api.port}`, temporal: config.temporal.address }, 'api listening');
  onShutdown('api', logger, async () => {
    await closeHttpServer(server);
    await connection.close();
  });
}

runMain('api', main);
