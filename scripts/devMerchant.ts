import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

export interface DevMerchant {
  merchantId: string;
  /** The merchant's own secret key: what the payee app's sign-in takes. */
  key: string;
}

const FILE = 'dev-merchant.json';

/**
 * For `npm start` against the local sandbox: a merchant to try the payee app (and merchant keys) with
 * at once, made through the API as any platform would make one, approved by the sandbox, with a key
 * of its own. Kept in the data folder: a restart shows the same merchant and key (a key can only be
 * read when it is made, so a lost file makes a new key for the same merchant).
 */
export async function ensureDevMerchant(apiUrl: string, platformKey: string, dataDir: string): Promise<DevMerchant> {
  const file = path.join(dataDir, FILE);
  const call = async (method: string, url: string, key: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await request(`${apiUrl}${url}`, {
      method: method as 'GET' | 'POST',
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.statusCode, body: (await res.body.json().catch(() => undefined)) as Record<string, unknown> | undefined };
  };
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as DevMerchant;
    if ((await call('GET', `/v1/merchants/${saved.merchantId}`, saved.key)).status === 200) return saved;
  } catch {
    // No file yet, or its key is gone: make (or find) the merchant and a key below.
  }
  // The same Idempotency-Key every time: a second start finds the merchant the first one made.
  const created = await call(
    'POST',
    '/v1/merchants',
    platformKey,
    {
      name: 'Torgstånd Bertil AB',
      email: 'bertil@torgstand.example',
      organization: { country: 'SE', se_organization_number: '5591235378' },
      display_name: 'Bertils torgstånd',
      supplier: { name: 'Bertils torgstånd', city: 'Örebro' },
      locale: 'sv-SE',
      payment_methods: [
        { provider: 'swish', method: 'm_commerce' },
        { provider: 'payment_iq', method: 'card' },
      ],
    },
    { 'idempotency-key': 'npm-start-dev-merchant' },
  );
  const merchantId = created.body?.id;
  if ((created.status !== 201 && created.status !== 200) || typeof merchantId !== 'string') {
    throw new Error(`could not create the dev merchant: ${created.status} ${JSON.stringify(created.body)}`);
  }
  for (let tries = 0; ; tries++) {
    const read = await call('GET', `/v1/merchants/${merchantId}`, platformKey);
    if (read.body?.status === 'approved') break;
    if (tries > 100) throw new Error(`the dev merchant ${merchantId} was not approved by the sandbox: ${JSON.stringify(read.body)}`);
    await sleep(200);
  }
  const key = await call('POST', `/v1/merchants/${merchantId}/api-keys`, platformKey, {});
  if (key.status !== 201 || typeof key.body?.secret !== 'string') throw new Error(`could not make a key for the dev merchant: ${key.status} ${JSON.stringify(key.body)}`);
  const merchant = { merchantId, key: key.body.secret };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(merchant, null, 2)}\n`, { mode: 0o600 });
  return merchant;
}
