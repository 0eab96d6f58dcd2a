import { loadConfig } from '../../common/config/processConfig';
import { requireSecrets } from '../../common/config/secrets';
import { ConfigError } from '../../common/config/values';

const ALL = {
  API_KEYS: 'key-aaaaaaaaaaaaaaaa',
  WEBHOOK_SECRET: 'webhook-secret-0123456789',
  NOTIFICATION_SIGNING_SECRET: 'notification-secret-0123456789',
  PAYLOAD_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
};

describe('requireSecrets', () => {
  it('gives each process exactly the secrets it requires', () => {
    const config = loadConfig(ALL);
    expect(requireSecrets(config, 'api')).toEqual({ apiKeys: ['key-aaaaaaaaaaaaaaaa'], webhookSecret: ALL.WEBHOOK_SECRET, notificationSigningSecret: ALL.NOTIFICATION_SIGNING_SECRET, encryptionKeys: config.encryption.keys });
    expect(requireSecrets(config, 'worker')).toEqual({
      webhookSecret: ALL.WEBHOOK_SECRET,
      notificationSigningSecret: ALL.NOTIFICATION_SIGNING_SECRET,
      encryptionKeys: config.encryption.keys,
    });
  });

  it('names every missing secret of that process in one message', () => {
    const config = loadConfig({ WEBHOOK_SECRET: ALL.WEBHOOK_SECRET });
    expect(() => requireSecrets(config, 'worker')).toThrow(ConfigError);
    expect(() => requireSecrets(config, 'worker')).toThrow(
      'Invalid configuration: NOTIFICATION_SIGNING_SECRET is required (16+ characters; it signs merchant notifications); ' +
        'PAYLOAD_ENCRYPTION_KEYS is required (id:base64key, the key 32 random bytes, e.g. k1:$(openssl rand -base64 32)); npm start generates them',
    );
    // The API needs the notification secret too: it shows merchants their own derived signing secrets.
    expect(() => requireSecrets(loadConfig({ ...ALL, NOTIFICATION_SIGNING_SECRET: undefined }), 'api')).toThrow('NOTIFICATION_SIGNING_SECRET is required');
    // The worker does not need the API's keys.
    expect(() => requireSecrets(loadConfig({ ...ALL, API_KEYS: undefined }), 'worker')).not.toThrow();
  });
});
