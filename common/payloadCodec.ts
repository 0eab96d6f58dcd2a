import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/**
 * Payload encryption: every payload a client or worker sends to Temporal (workflow inputs and results,
 * activity inputs and results, signal/update/query arguments and answers, memos, user metadata such as
 * the Web UI summary, failure messages and stack traces) is sealed with AES-256-GCM before it leaves the process.
 * The Temporal server, its database and anyone reading raw history see only ciphertext; the payer's
 * name, e-mail and phone stay out of it.
 *
 * Wire shape of an encrypted payload (the same idea as Temporal's encryption samples):
 *   metadata.encoding          = "binary/encrypted"
 *   metadata.encryption-key-id = the id of the key that sealed it
 *   data                       = IV (12 random bytes) ‖ ciphertext ‖ GCM tag (16 bytes)
 * The plaintext is the whole original Payload proto (its metadata included), so the original encoding
 * is restored on decode. The key id is bound into the tag as additional authenticated data.
 *
 * Rotation: the first key of PAYLOAD_ENCRYPTION_KEYS seals new payloads; every listed key still opens
 * what it sealed, so old histories stay readable for as long as their key stays in the list.
 */

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCODING_KEY = 'encoding';
export const METADATA_KEY_ID_KEY = 'encryption-key-id';

const CIPHER = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The keys a codec knows: `activeKeyId` seals, every key in `keys` opens. */
export interface EncryptionKeys {
  readonly activeKeyId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/** A payload that claims to be ours but cannot be opened: unknown key, tampered bytes, wrong key. */
export class PayloadEncryptionError extends Error {
  override name = 'PayloadEncryptionError';
}

/** A bad PAYLOAD_ENCRYPTION_KEYS value. Messages never contain key material. */
export class EncryptionKeysError extends Error {
  override name = 'EncryptionKeysError';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Parses `id1:base64key,id2:base64key`. The first key is the active one (it seals new payloads); the
 * others only open payloads sealed earlier. Each key is 32 bytes (standard or URL-safe base64); ids are
 * 1-32 of `A-Z a-z 0-9 . _ -` and unique.
 */
export function parseEncryptionKeys(value: string): EncryptionKeys {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new EncryptionKeysError('must list at least one key as id:base64key (32 bytes), e.g. k1:$(openssl rand -base64 32)');
  const keys = new Map<string, Buffer>();
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const position = `entry ${index + 1}`;
    if (colon < 0) throw new EncryptionKeysError(`${position} must be id:base64key`);
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) throw new EncryptionKeysError(`${position} has an invalid key id (1-32 characters of A-Z a-z 0-9 . _ -)`);
    if (keys.has(id)) throw new EncryptionKeysError(`key id "${id}" is listed twice`);
    if (!encoded || !(BASE64.test(encoded) || BASE64URL.test(encoded))) throw new EncryptionKeysError(`key "${id}" is not base64`);
    const key = Buffer.from(encoded, BASE64.test(encoded) ? 'base64' : 'base64url');
    if (key.length !== KEY_BYTES) {
      throw new EncryptionKeysError(`key "${id}" must decode to exactly ${KEY_BYTES} bytes (got ${key.length}); make one with: openssl rand -base64 32`);
    }
    keys.set(id, key);
  });
  return { activeKeyId: entries[0]!.slice(0, entries[0]!.indexOf(':')).trim(), keys };
}

/** A fresh key entry for PAYLOAD_ENCRYPTION_KEYS, e.g. for `npm start`'s dev secrets. */
export function generateEncryptionKey(id: string): string {
  if (!KEY_ID.test(id)) throw new EncryptionKeysError('invalid key id');
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

function metadataString(payload: Payload, key: string): string | undefined {
  const value = payload.metadata?.[key];
  return value == null ? undefined : decoder.decode(value);
}

/** AES-256-GCM payload codec; see the top of this file. */
export class EncryptionCodec implements PayloadCodec {
  private readonly activeKeyId: string;
  private readonly activeKey: Buffer;
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(keys: EncryptionKeys) {
    const active = keys.keys.get(keys.activeKeyId);
    if (!active) throw new EncryptionKeysError(`the active key "${keys.activeKeyId}" is not among the keys`);
    for (const [id, key] of keys.keys) {
      if (key.length !== KEY_BYTES) throw new EncryptionKeysError(`key "${id}" must be ${KEY_BYTES} bytes`);
    }
    this.activeKeyId = keys.activeKeyId;
    this.activeKey = active;
    this.keys = new Map(keys.keys);
  }

  /** The ids this codec can open, active first. */
  get keyIds(): string[] {
    return [this.activeKeyId, ...[...this.keys.keys()].filter((id) => id !== this.activeKeyId)];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  private encrypt(payload: Payload): Payload {
    const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.activeKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(encoder.encode(this.activeKeyId));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: encoder.encode(ENCRYPTED_ENCODING),
        [METADATA_KEY_ID_KEY]: encoder.encode(this.activeKeyId),
      },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    // Not ours (written before encryption was turned on, or by another tool): leave it as it is.
    if (metadataString(payload, METADATA_ENCODING_KEY) !== ENCRYPTED_ENCODING) return payload;
    const keyId = metadataString(payload, METADATA_KEY_ID_KEY);
    if (keyId === undefined) throw new PayloadEncryptionError(`Encrypted payload has no ${METADATA_KEY_ID_KEY} metadata`);
    const key = this.keys.get(keyId);
    if (!key) {
      throw new PayloadEncryptionError(
        `Payload is encrypted with key id "${keyId}", which is not in PAYLOAD_ENCRYPTION_KEYS (known: ${this.keyIds.join(', ')}); keep retired keys in the list to read old histories`,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadEncryptionError(`Encrypted payload (key id "${keyId}") is truncated`);
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const decipher = createDecipheriv(CIPHER, key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(encoder.encode(keyId));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadEncryptionError(`Encrypted payload (key id "${keyId}") failed authentication: it was altered, or sealed with a different key under that id`);
    }
    const decoded = temporal.api.common.v1.Payload.decode(plaintext);
    // protobufjs leaves an empty bytes field as a plain array; callers expect a Uint8Array.
    return {
      metadata: Object.fromEntries(Object.entries(decoded.metadata ?? {}).map(([k, v]) => [k, Uint8Array.from(v)])),
      data: Uint8Array.from(decoded.data ?? []),
      ...(decoded.externalPayloads?.length ? { externalPayloads: decoded.externalPayloads } : {}),
    };
  }
}

/**
 * Error messages and stack traces are plain text in history unless the failure converter moves them
 * into a payload (which the codec then encrypts). A Ping or SMTP error may quote the payer's address,
 * so they are encoded too. A path, not an instance: the worker bundles it into the workflow sandbox.
 */
export const FAILURE_CONVERTER_PATH = require.resolve('./failureConverter');

/** The data converter of every client and worker of this project: encrypted payloads and failure texts. */
export function dataConverterFor(keys: EncryptionKeys | EncryptionCodec): DataConverter {
  const codec = keys instanceof EncryptionCodec ? keys : new EncryptionCodec(keys);
  return { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH };
}
