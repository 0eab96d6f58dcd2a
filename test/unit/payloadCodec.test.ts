import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { loadConfig } from '../../common/config/processConfig';
import { ConfigError } from '../../common/config/values';
import { failureConverter } from '../../common/failureConverter';
import {
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  EncryptionKeysError,
  PayloadEncryptionError,
  dataConverterFor,
  generateEncryptionKey,
  parseEncryptionKeys,
} from '../../common/payloadCodec';
import { loadOrCreateDevSecrets } from '../../scripts/devSecrets';

const key = (id: string): string => `${id}:${randomBytes(32).toString('base64')}`;
const text = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? []).toString('utf8');
const meta = (payload: Payload, name: string): string => text(payload.metadata?.[name]);
const payer = { first_name: 'Ingeborg', last_name: 'Krypteringsson', email: 'ingeborg@example.com', phone: '0709876543' };

describe('EncryptionCodec', () => {
  const k1 = key('k1');
  const k2 = key('k2');

  it('round-trips any payload, metadata included, and hides its content', async () => {
    const codec = new EncryptionCodec(parseEncryptionKeys(k1));
    const plain = [defaultPayloadConverter.toPayload(payer), defaultPayloadConverter.toPayload(undefined), defaultPayloadConverter.toPayload(new Uint8Array([1, 2, 3]))];
    const sealed = await codec.encode(plain);
    expect(sealed).toHaveLength(3);
    for (const p of sealed) {
      expect(meta(p, 'encoding')).toBe(ENCRYPTED_ENCODING);
      expect(meta(p, 'encryption-key-id')).toBe('k1');
      expect(Object.keys(p.metadata!)).toEqual(['encoding', 'encryption-key-id']);
    }
    expect(Buffer.from(sealed[0]!.data!).includes('ingeborg@example.com')).toBe(false);
    expect(Buffer.from(sealed[0]!.data!).includes('json/plain')).toBe(false);
    const opened = await codec.decode(sealed);
    expect(defaultPayloadConverter.fromPayload(opened[0]!)).toEqual(payer);
    expect(meta(opened[0]!, 'encoding')).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(opened[1]!)).toBeUndefined();
    expect(opened[1]!.data).toBeInstanceOf(Uint8Array);
    expect([...(defaultPayloadConverter.fromPayload(opened[2]!) as Uint8Array)]).toEqual([1, 2, 3]);
  });

  it('uses a fresh IV for every payload: the same value never encrypts the same way twice', async () => {
    const codec = new EncryptionCodec(parseEncryptionKeys(k1));
    const same = defaultPayloadConverter.toPayload(payer);
    const sealed = [...(await codec.encode([same, same])), ...(await codec.encode([same]))];
    const ivs = sealed.map((p) => Buffer.from(p.data!).subarray(0, 12).toString('hex'));
    expect(new Set(ivs).size).toBe(3);
    expect(new Set(sealed.map((p) => Buffer.from(p.data!).toString('hex'))).size).toBe(3);
    // IV (12) + ciphertext + tag (16): the ciphertext is as long as the serialized payload.
    expect(sealed[0]!.data!.length).toBeGreaterThan(12 + 16 + JSON.stringify(payer).length);
  });

  it('keeps reading payloads of a retired key after rotation, and seals new ones with the new key', async () => {
    const before = new EncryptionCodec(parseEncryptionKeys(k1));
    const oldPayloads = await before.encode([defaultPayloadConverter.toPayload('written before the rotation')]);

    const after = new EncryptionCodec(parseEncryptionKeys(`${k2},${k1}`));
    const newPayloads = await after.encode([defaultPayloadConverter.toPayload('written after')]);
    expect(meta(newPayloads[0]!, 'encryption-key-id')).toBe('k2');
    const opened = await after.decode([...oldPayloads, ...newPayloads]);
    expect(opened.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual(['written before the rotation', 'written after']);

    // The old deployment (k1 only) cannot read what the new key sealed: roll out the new key list to
    // every reader before making a new key the active one.
    await expect(before.decode(newPayloads)).rejects.toThrow(/key id "k2", which is not in PAYLOAD_ENCRYPTION_KEYS \(known: k1\)/);
  });

  it('refuses a payload whose key id it does not know, naming the id and never a key', async () => {
    const sealed = await new EncryptionCodec(parseEncryptionKeys(k1)).encode([defaultPayloadConverter.toPayload(payer)]);
    const other = new EncryptionCodec(parseEncryptionKeys(k2));
    const error = (await other.decode(sealed).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(PayloadEncryptionError);
    expect(error.message).toMatch(/encrypted with key id "k1".*known: k2/);
    expect(error.message).not.toContain(k1.split(':')[1]);
    expect(error.message).not.toContain(k2.split(':')[1]);
  });

  it('refuses tampered bytes, a swapped key id, a wrong key under a known id, and a truncated payload', async () => {
    const codec = new EncryptionCodec(parseEncryptionKeys(`${k1},${k2}`));
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(payer)]);
    const flip = (at: number): Payload => {
      const data = Buffer.from(sealed!.data!);
      data[at] = data[at]! ^ 0x01;
      return { ...sealed, data };
    };
    for (const at of [0, 12, 20, sealed!.data!.length - 1]) {
      await expect(codec.decode([flip(at)])).rejects.toThrow(/key id "k1"\) failed authentication/);
    }
    // The key id is authenticated too: relabelling a k1 payload as k2 does not open it with k2.
    const relabelled: Payload = { ...sealed, metadata: { ...sealed!.metadata, 'encryption-key-id': new TextEncoder().encode('k2') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(PayloadEncryptionError);
    const impostor = new EncryptionCodec(parseEncryptionKeys(key('k1')));
    await expect(impostor.decode([sealed!])).rejects.toThrow(/failed authentication/);
    await expect(codec.decode([{ ...sealed, data: sealed!.data!.subarray(0, 20) }])).rejects.toThrow(/truncated/);
    const noKeyId: Payload = { metadata: { encoding: new TextEncoder().encode(ENCRYPTED_ENCODING) }, data: sealed!.data };
    await expect(codec.decode([noKeyId])).rejects.toThrow(/no encryption-key-id/);
  });

  it('passes payloads it did not encrypt through decode unchanged', async () => {
    const codec = new EncryptionCodec(parseEncryptionKeys(k1));
    const plain = [defaultPayloadConverter.toPayload(payer), defaultPayloadConverter.toPayload(null), { metadata: {}, data: new Uint8Array([7]) }, {}];
    await expect(codec.decode(plain)).resolves.toEqual(plain);
    await expect(codec.encode([])).resolves.toEqual([]);
    await expect(codec.decode([])).resolves.toEqual([]);
  });

  it('is the only codec of the data converter, which also moves failure texts into payloads', () => {
    const converter = dataConverterFor(parseEncryptionKeys(k1));
    expect(converter.payloadCodecs).toHaveLength(1);
    expect(converter.payloadCodecs![0]).toBeInstanceOf(EncryptionCodec);
    expect(converter.failureConverterPath).toBe(require.resolve('../../common/failureConverter'));
    const failure = failureConverter.errorToFailure(new Error('mail to ingeborg@example.com refused'), defaultPayloadConverter);
    expect(failure.message).toBe('Encoded failure');
    expect(JSON.stringify(failure)).not.toContain('ingeborg');
    expect(failureConverter.failureToError(failure, defaultPayloadConverter).message).toBe('mail to ingeborg@example.com refused');
  });
});

describe('parseEncryptionKeys', () => {
  it('reads id:base64 pairs, the first one active, in standard or URL-safe base64', () => {
    const raw = randomBytes(32);
    const keys = parseEncryptionKeys(` new-2025.b:${raw.toString('base64url')} , old_1:${randomBytes(32).toString('base64')},`);
    expect(keys.activeKeyId).toBe('new-2025.b');
    expect([...keys.keys.keys()]).toEqual(['new-2025.b', 'old_1']);
    expect(keys.keys.get('new-2025.b')!.equals(raw)).toBe(true);
    expect(parseEncryptionKeys(generateEncryptionKey('dev-1')).activeKeyId).toBe('dev-1');
  });

  const good = randomBytes(32).toString('base64');
  it.each([
    ['an empty value', '', /at least one key/],
    ['only commas', ' , ', /at least one key/],
    ['a key without id', good, /entry 1 must be id:base64key/],
    ['a 16-byte key', `k1:${randomBytes(16).toString('base64')}`, /key "k1" must decode to exactly 32 bytes \(got 16\)/],
    ['a 33-byte key', `k1:${randomBytes(33).toString('base64')}`, /exactly 32 bytes \(got 33\)/],
    ['an empty key', 'k1:', /key "k1" is not base64/],
    ['a key that is not base64', 'k1:not base64!', /key "k1" is not base64/],
    ['an empty id', `:${good}`, /entry 1 has an invalid key id/],
    ['an id with a space', `bad id:${good}`, /invalid key id/],
    ['an id with a slash', `k/1:${good}`, /invalid key id/],
    ['a 33-character id', `${'x'.repeat(33)}:${good}`, /invalid key id/],
    ['a repeated id', `k1:${good},k1:${randomBytes(32).toString('base64')}`, /key id "k1" is listed twice/],
  ])('refuses %s', (_label, value, message) => {
    expect(() => parseEncryptionKeys(value)).toThrow(EncryptionKeysError);
    expect(() => parseEncryptionKeys(value)).toThrow(message);
    try {
      parseEncryptionKeys(value);
    } catch (err) {
      expect((err as Error).message).not.toContain(good);
    }
  });
});

describe('encryption configuration', () => {
  it('parses PAYLOAD_ENCRYPTION_KEYS and defaults the codec origins to the dev server Web UI', () => {
    const config = loadConfig({ PAYLOAD_ENCRYPTION_KEYS: `${key('a')},${key('b')}`, TEMPORAL_UI_PORT: '9233' });
    expect(config.encryption.keys!.activeKeyId).toBe('a');
    expect(config.encryption.codecCorsOrigins).toEqual(['http://127.0.0.1:9233', 'http://localhost:9233']);
    expect(loadConfig({}).encryption).toEqual({ keys: undefined, codecCorsOrigins: ['http://127.0.0.1:8233', 'http://localhost:8233'] });
  });

  it('reads CODEC_CORS_ORIGINS as normalised origins, or none', () => {
    expect(loadConfig({ CODEC_CORS_ORIGINS: 'https://Temporal.Example.com/, http://ui.internal:8080' }).encryption.codecCorsOrigins).toEqual([
      'https://temporal.example.com',
      'http://ui.internal:8080',
    ]);
    expect(loadConfig({ CODEC_CORS_ORIGINS: 'none' }).encryption.codecCorsOrigins).toEqual([]);
  });

  it.each(['*', 'https://*.example.com', 'https://ui.example.com/path', 'ui.example.com', 'ftp://ui.example.com', 'https://ui.example.com?x=1'])(
    'refuses CODEC_CORS_ORIGINS=%j',
    (value) => {
      expect(() => loadConfig({ CODEC_CORS_ORIGINS: value })).toThrow(/^Invalid configuration: CODEC_CORS_ORIGINS entries must be origins/);
    },
  );

  it('names a bad PAYLOAD_ENCRYPTION_KEYS without echoing it', () => {
    const secret = randomBytes(16).toString('base64');
    const error = (() => {
      try {
        loadConfig({ PAYLOAD_ENCRYPTION_KEYS: `k1:${secret}` });
      } catch (err) {
        return err as Error;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      'Invalid configuration: PAYLOAD_ENCRYPTION_KEYS key "k1" must decode to exactly 32 bytes (got 16); make one with: openssl rand -base64 32',
    );
    expect(error.message).not.toContain(secret);
  });
});

describe('npm start dev secrets', () => {
  it('adds a payload encryption key to an older secrets file without replacing what it has, and keeps it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dev-secrets-'));
    try {
      const older = { apiKey: 'sk_dev_older_key_0123456789', webhookSecret: 'older-webhook-secret-0123', notificationSigningSecret: 'whsec_older_0123456789' };
      await writeFile(path.join(dir, 'dev-secrets.json'), JSON.stringify(older));
      const first = await loadOrCreateDevSecrets(dir);
      expect(first).toMatchObject(older);
      expect(parseEncryptionKeys(first.payloadEncryptionKeys).activeKeyId).toBe('dev-1');
      const second = await loadOrCreateDevSecrets(dir);
      expect(second).toEqual(first);
      expect(JSON.parse(await readFile(path.join(dir, 'dev-secrets.json'), 'utf8'))).toEqual(first);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
