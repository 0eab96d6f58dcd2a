import { TEST_ENCRYPTION_KEYS } from './encryption';
import type { RunningSandbox } from './sandbox';

export interface WorkerEnvOptions {
  temporalAddress: string;
  namespace?: string;
  taskQueue: string;
  sandbox: Pick<RunningSandbox, 'paymentsApiUrl' | 'paymentLinksApiUrl' | 'tenantId'>;
  /** Our API, where Ping's callbacks and the payer's returns go. */
  publicBaseUrl: string;
  webhookSecret: string;
  notificationSecret: string;
  smtpUrl: string;
  timing: { pollInitialMs: number; pollMaxMs: number };
}

/** The environment of a worker child process (`spawnService('worker', ...)`) wired to a test stack. */
export function workerChildEnv(o: WorkerEnvOptions): NodeJS.ProcessEnv {
  return {
    ...process.env,
    LOG_LEVEL: 'error',
    LOG_FORMAT: 'json',
    TEMPORAL_ADDRESS: o.temporalAddress,
    ...(o.namespace ? { TEMPORAL_NAMESPACE: o.namespace } : {}),
    TEMPORAL_TASK_QUEUE: o.taskQueue,
    PING_PAYMENTS_API_URL: o.sandbox.paymentsApiUrl,
    PING_PAYMENT_LINKS_API_URL: o.sandbox.paymentLinksApiUrl,
    PING_TENANT_ID: o.sandbox.tenantId,
    PUBLIC_BASE_URL: o.publicBaseUrl,
    WEBHOOK_SECRET: o.webhookSecret,
    NOTIFICATION_SIGNING_SECRET: o.notificationSecret,
    SMTP_URL: o.smtpUrl,
    PAYMENT_POLL_INITIAL_MS: String(o.timing.pollInitialMs),
    PAYMENT_POLL_MAX_MS: String(o.timing.pollMaxMs),
    WORKER_SHUTDOWN_GRACE_MS: '1000',
    PAYLOAD_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
    // The stacks' merchant receivers listen on http://127.0.0.1.
    ALLOW_PRIVATE_WEBHOOK_URLS: 'true',
    ALLOW_HTTP_WEBHOOK_URLS: 'true',
    // Subscriptions with second-long periods (docs/subscriptions.md).
    SUBSCRIPTIONS_ALLOW_SHORT_INTERVALS: 'true',
    // Several workers on one machine: no fixed metrics ports for them to fight over ('0' is off).
    WORKER_METRICS_PORT: '0',
    TEMPORAL_METRICS_PORT: '0',
  };
}
