import { testDataConverter } from '../helpers/encryption';

/** Secrets the chaos run hands to its API (in-process) and worker (child process) alike. */
export function chaosSecrets() {
  return {
    webhookSecret: 'chaos-webhook-secret-0123456789',
    notificationSecret: 'whsec_test_0123456789abcdef',
    /** The worker encrypts payloads with these keys, so the API's client must decode with them. */
    clientOptions: { dataConverter: testDataConverter() },
  };
}
