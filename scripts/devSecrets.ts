import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface DevSecrets {
  apiKey: string;
  webhookSecret: string;
  notificationSigningSecret: string;
}

/**
 * For `npm start` with nothing configured: an API key and the webhook and notification secrets made once and kept in the
 * data folder, so they stay the same across restarts (and are never committed: .data is ignored).
 */
export async function loadOrCreateDevSecrets(dataDir: string): Promise<DevSecrets> {
  const file = path.join(dataDir, 'dev-secrets.json');
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as Partial<DevSecrets>;
    if (saved.apiKey && saved.webhookSecret && saved.notificationSigningSecret) return saved as DevSecrets;
  } catch {
    // Missing or unreadable: make new ones below.
  }
  const secrets: DevSecrets = {
    apiKey: `sk_dev_${randomBytes(24).toString('base64url')}`,
    webhookSecret: randomBytes(32).toString('base64url'),
    notificationSigningSecret: `whsec_${randomBytes(24).toString('base64url')}`,
  };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
