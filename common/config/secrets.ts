import type { EncryptionKeys } from '../payloadCodec';
import type { Config } from './processConfig';
import { ConfigError } from './values';

/** The secrets each long-running process refuses to start without; `npm start` generates them all. */
export const REQUIRED_SECRETS = {
  api: ['API_KEYS', 'WEBHOOK_SECRET', 'NOTIFICATION_SIGNING_SECRET', 'PAYLOAD_ENCRYPTION_KEYS'],
  worker: ['WEBHOOK_SECRET', 'NOTIFICATION_SIGNING_SECRET', 'PAYLOAD_ENCRYPTION_KEYS'],
} as const;

export type SecretsProcess = keyof typeof REQUIRED_SECRETS;
type SecretName = (typeof REQUIRED_SECRETS)[SecretsProcess][number];

/** Per secret: the name a process receives it under, where the config holds it (undefined: unset), how to make one. */
const SECRETS = {
  API_KEYS: {
    as: 'apiKeys',
    value: (config: Config): string[] | undefined => (config.api.keys.length > 0 ? config.api.keys : undefined),
    hint: 'comma-separated bearer keys, 16+ characters each',
  },
  WEBHOOK_SECRET: {
    as: 'webhookSecret',
    value: (config: Config): string | undefined => config.api.webhookSecret,
    hint: '16+ characters; it signs the callback URLs given to Ping',
  },
  NOTIFICATION_SIGNING_SECRET: {
    as: 'notificationSigningSecret',
    value: (config: Config): string | undefined => config.notifications.signingSecret,
    hint: '16+ characters; it signs merchant notifications',
  },
  PAYLOAD_ENCRYPTION_KEYS: {
    as: 'encryptionKeys',
    value: (config: Config): EncryptionKeys | undefined => config.encryption.keys,
    hint: 'id:base64key, the key 32 random bytes, e.g. k1:$(openssl rand -base64 32)',
  },
} as const satisfies Record<SecretName, { as: string; value: (config: Config) => unknown; hint: string }>;

type Secret<N extends SecretName> = (typeof SECRETS)[N];

/**
 * The secrets process `P` requires, each present, derived from REQUIRED_SECRETS: the worker's are
 * `{ webhookSecret: string; notificationSigningSecret: string; encryptionKeys: EncryptionKeys }`.
 */
export type ProcessSecrets<P extends SecretsProcess> = {
  [N in (typeof REQUIRED_SECRETS)[P][number] as Secret<N>['as']]: NonNullable<ReturnType<Secret<N>['value']>>;
};
export type ApiSecrets = ProcessSecrets<'api'>;
export type WorkerSecrets = ProcessSecrets<'worker'>;

/** The secrets `processName` requires; throws a ConfigError naming every missing one. */
export function requireSecrets<P extends SecretsProcess>(config: Config, processName: P): ProcessSecrets<P> {
  const required: readonly SecretName[] = REQUIRED_SECRETS[processName];
  const missing = required.filter((name) => SECRETS[name].value(config) === undefined);
  if (missing.length > 0) {
    const reasons = missing.map((name) => `${name} is required (${SECRETS[name].hint})`).join('; ');
    throw new ConfigError(`Invalid configuration: ${reasons}; npm start generates them`);
  }
  // Built by a loop over the list, which the mapped type cannot follow; each entry is present (checked above).
  return Object.fromEntries(required.map((name) => [SECRETS[name].as, SECRETS[name].value(config)])) as ProcessSecrets<P>;
}
