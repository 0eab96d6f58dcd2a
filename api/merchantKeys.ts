import { createHash, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from '../common/logger';
import { merchantOfKey, merchantWorkflowId, type MerchantAuth } from '../domain/merchant';
import { keyUsedSignal, merchantAuthQuery } from '../domain/merchantMessages';

/**
 * What the key check knows of merchants: each merchant's `merchantAuth` (its keys' SHA-256 hashes,
 * status and settings) read from its workflow and kept in this process for at most `ttlMs` (2 s).
 * So a key check costs a hash and a few comparisons at p50, and a revoked key stops working on every
 * API process within 2 s and one query (docs/merchants.md promises 5 s). A change made through this
 * process (`forget`) is seen here at once.
 *
 * - A merchant read more than half a `ttlMs` ago is read again in the background while the old
 *   answer is still served, so a busy merchant never waits for the query; one read at a time.
 * - A key the cached answer does not know (or a merchant it says does not exist) is looked up again
 *   by a read that begins after the request arrived, so a key made a moment ago on another API
 *   process works here at once. Such reads begin at most once per `recheckAfterMs` per merchant (the
 *   request waits for the next one), so a stream of forged keys for one merchant costs at most that
 *   many queries, and the flood limit of api/rateLimits.ts counts their 401s per address.
 */

export interface VerifiedMerchantKey {
  keyId: string;
  merchant: MerchantAuth;
}

export interface MerchantKeys {
  /** The merchant and key id of a merchant key (`sk_…`), or undefined for one that is unknown, forged or revoked. */
  verify(key: string): Promise<VerifiedMerchantKey | undefined>;
  /** The merchant (for On-Behalf-Of), or undefined if there is none. */
  merchant(merchantId: string): Promise<MerchantAuth | undefined>;
  /** Drops what this process knows of the merchant: call it after changing its keys or settings. */
  forget(merchantId: string): void;
}

export interface MerchantKeysOptions {
  client: Client;
  logger: Logger;
  ttlMs?: number;
  recheckAfterMs?: number;
  /** How often a key's use is reported to its merchant (`keyUsedSignal`, its `last_used_at`), per key and process. */
  keyUsedEveryMs?: number;
  /** The most merchants (and verified keys) kept; the oldest go first. */
  maxEntries?: number;
}

interface Entry {
  auth: MerchantAuth | null;
  /** When the read began: the answer is at least this fresh. */
  readAt: number;
}

interface Reading {
  startedAt: number;
  promise: Promise<Entry>;
}

const digestOf = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Map insertion order is age order once each write deletes first; the oldest goes when full. */
function put<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value as K);
  map.set(key, value);
}

export function createMerchantKeys({ client, logger, ttlMs = 2000, recheckAfterMs = 250, keyUsedEveryMs = 60_000, maxEntries = 10_000 }: MerchantKeysOptions): MerchantKeys {
  const entries = new Map<string, Entry>();
  const reading = new Map<string, Reading>();
  /** A key verified against one entry stays verified as long as that very entry is current. */
  const verified = new Map<string, { keyId: string; entry: Entry }>();
  const usedReportedAt = new Map<string, number>();
  // Bumped by every `forget`: a read that began before it must not store its (older) answer.
  let generation = 0;

  /** One read at a time per merchant: joins the one under way if it began at or after `notBefore`. */
  const read = (merchantId: string, notBefore = 0): Promise<Entry> => {
    const pending = reading.get(merchantId);
    if (pending && pending.startedAt >= notBefore) return pending.promise;
    const startedIn = generation;
    const readAt = Date.now();
    const promise = (async (): Promise<Entry> => {
      let auth: MerchantAuth | null;
      try {
        auth = await client.workflow.getHandle(merchantWorkflowId(merchantId)).query(merchantAuthQuery);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        auth = null;
      }
      const entry = { auth, readAt };
      const stored = entries.get(merchantId);
      if (startedIn === generation && (!stored || stored.readAt <= readAt)) put(entries, merchantId, entry, maxEntries);
      return entry;
    })().finally(() => {
      if (reading.get(merchantId)?.promise === promise) reading.delete(merchantId);
    });
    reading.set(merchantId, { startedAt: readAt, promise });
    return promise;
  };

  /** A read that began at or after `since`, and no sooner than `recheckAfterMs` after the merchant's last one began. */
  const readSince = async (merchantId: string, since: number): Promise<Entry> => {
    const pending = reading.get(merchantId);
    if (pending && pending.startedAt >= since) return pending.promise;
    const last = Math.max(entries.get(merchantId)?.readAt ?? -Infinity, pending?.startedAt ?? -Infinity);
    const delay = Math.max(since, last + recheckAfterMs) - Date.now();
    if (delay > 0) await sleep(delay);
    return read(merchantId, since);
  };

  const current = async (merchantId: string): Promise<Entry> => {
    const entry = entries.get(merchantId);
    const age = entry ? Date.now() - entry.readAt : Infinity;
    if (entry && age < ttlMs) {
      if (age > ttlMs / 2 && !reading.has(merchantId)) {
        read(merchantId).catch((err: unknown) => logger.warn({ err, merchant: merchantId }, 'reading a merchant for the key check failed; its cached answer is served until it expires'));
      }
      return entry;
    }
    return read(merchantId);
  };

  const reportUse = (merchantId: string, keyId: string): void => {
    const now = Date.now();
    const last = usedReportedAt.get(keyId);
    if (last !== undefined && now - last < keyUsedEveryMs) return;
    put(usedReportedAt, keyId, now, maxEntries);
    client.workflow
      .getHandle(merchantWorkflowId(merchantId))
      .signal(keyUsedSignal, { keyId, at: new Date(now).toISOString() })
      .catch((err: unknown) => logger.warn({ err, merchant: merchantId, key_id: keyId }, "could not record a key's use on its merchant"));
  };

  /** Every stored hash is compared (and in constant time), so timing tells nothing about which key, if any, matched. */
  const match = (auth: MerchantAuth, presented: Buffer): { id: string; revoked: boolean } | undefined => {
    let found: { id: string; revoked: boolean } | undefined;
    for (const key of auth.keys) {
      const stored = Buffer.from(key.sha256, 'hex');
      if (stored.length === presented.length && timingSafeEqual(stored, presented)) found = key;
    }
    return found;
  };

  return {
    async verify(key) {
      const arrived = Date.now();
      const merchantId = merchantOfKey(key);
      if (!merchantId) return undefined;
      const presented = digestOf(key);
      const digest = presented.toString('hex');
      const hit = verified.get(digest);
      if (hit && hit.entry === entries.get(merchantId) && Date.now() - hit.entry.readAt < ttlMs && hit.entry.auth) {
        reportUse(merchantId, hit.keyId);
        return { keyId: hit.keyId, merchant: hit.entry.auth };
      }
      let entry = await current(merchantId);
      let found = entry.auth ? match(entry.auth, presented) : undefined;
      if (!found && entry.readAt < arrived) {
        entry = await readSince(merchantId, arrived);
        found = entry.auth ? match(entry.auth, presented) : undefined;
      }
      // A revoked key is refused exactly as an unknown one: the caller learns nothing more.
      if (!found || found.revoked || !entry.auth) return undefined;
      put(verified, digest, { keyId: found.id, entry }, maxEntries);
      reportUse(merchantId, found.id);
      return { keyId: found.id, merchant: entry.auth };
    },

    async merchant(merchantId) {
      const arrived = Date.now();
      let entry = await current(merchantId);
      // "No such merchant" may be older than a create on another process: ask again before saying so.
      if (!entry.auth && entry.readAt < arrived) entry = await readSince(merchantId, arrived);
      return entry.auth ?? undefined;
    },

    forget(merchantId) {
      generation += 1;
      entries.delete(merchantId);
      reading.delete(merchantId);
    },
  };
}
