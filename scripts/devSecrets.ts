import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateEncryptionKey } from '../common/payloadCodec';

export interface DevSecrets {
  apiKey: string;
  webhookSecret: string;
  notificationSigningSecret: string;
  /** PAYLOAD_ENCRYPTION_KEYS: one key, `dev-1:<base64 of 32 bytes>`. */
  payloadEncryptionKeys: string;
}

const MAKERS: { [K in keyof DevSecrets]: () => string } = {
  apiKey: () => `sk_dev_${randomBytes(24).toString('base64url')}`,
  webhookSecret: () => randomBytes(32).toString('base64url'),
  notificationSigningSecret: () => `whsec_${randomBytes(24).toString('base64url')}`,
  payloadEncryptionKeys: () => generateEncryptionKey('dev-1'),
};

/**
 * For `npm start` with nothing configured: an API key, the webhook and notification secrets and the
 * payload encryption key, made once and kept in the data folder, so they stay the same across restarts
 * (and are never committed: .data is ignored). A file from an older version keeps what it has and only
 * gains what is missing: a new API key would lock out its users, a new encryption key its histories.
 */
export async function loadOrCreateDevSecrets(dataDir: string): Promise<DevSecrets> {
  const file = path.join(dataDir, 'dev-secrets.json');
  let saved: Partial<DevSecrets> = {};
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object') saved = parsed as Partial<DevSecrets>;
  } catch {
    // Missing or unreadable: make new ones below.
  }
  const secrets = { ...saved } as DevSecrets;
  let changed = false;
  for (const name of Object.keys(MAKERS) as Array<keyof DevSecrets>) {
    if (typeof secrets[name] === 'string' && secrets[name]) continue;
    secrets[name] = MAKERS[name]();
    changed = true;
  }
  if (changed) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}
