import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ApiKeyView, MerchantAuth, MerchantProfile, MerchantResource, MerchantSettings } from './merchant';
import type { RequestAnswer } from './messages';

/**
 * The messages of the merchant workflow, defined once. As for payments, every change the API asks
 * for is a signal with a request id, answered under that id (`merchantAnswerQuery`): a signal keeps
 * its place in the history, so a replay after a worker restart meets it where the live run did
 * (domain/messages.ts says what an update did instead).
 */

export interface MerchantInput {
  merchantId: string;
  profile: MerchantProfile;
  settings: MerchantSettings;
  /** Hash of the create request's body: the same Idempotency-Key with another body is refused. */
  fingerprint: string;
  /** Who created it, for the history: `platform:<key id>`. */
  actor: string;
  /** How often Ping is asked for the status while it is neither APPROVED nor DENIED (tests use short ones). */
  statusPoll: { initialMs: number; maxMs: number };
  /** Carried over by continue-as-new; absent on the first run. */
  state?: MerchantState;
  /**
   * Continue-as-new once a run's history is this long (default 2 000 events; the server's own
   * suggestion counts too). Tests set a tiny one to see a merchant cross runs.
   */
  historyLimit?: number;
}

/** Everything the workflow holds, so continue-as-new can hand it to the next run. */
export interface MerchantState {
  merchant: MerchantResource;
  keys: Array<{ id: string; sha256: string; prefix: string; created_at: string; last_used_at: string | null; revoked_at: string | null }>;
  answers: Array<[string, RequestAnswer]>;
}

interface Request {
  requestId: string;
  /** `platform:<key id>` or `merchant:<key id>`. */
  actor: string;
}

export type MerchantChange =
  | (Request & { kind: 'update_settings'; settings: Partial<MerchantSettings> })
  /** Only the SHA-256 of the new key reaches the workflow; the key itself is shown once by the API. */
  | (Request & { kind: 'add_key'; keyId: string; sha256: string; prefix: string })
  | (Request & { kind: 'revoke_key'; keyId: string })
  | (Request & { kind: 'rotate_signing_secret' });

/** Why the workflow refused a change (`RequestAnswer.type`), for the API to map to an HTTP answer. */
export const KEY_NOT_FOUND = 'KeyNotFound';
/** An `add_key` whose key id the merchant already has with another hash (the same hash again is accepted). */
export const KEY_EXISTS = 'KeyExists';
/** An `add_key` beyond `MAX_ACTIVE_KEYS` keys that are not revoked. */
export const TOO_MANY_KEYS = 'TooManyKeys';
/** Keys a merchant may hold unrevoked at once: enough to rotate keys one by one, and a bound on the workflow's state. */
export const MAX_ACTIVE_KEYS = 20;

export const merchantChangeSignal = defineSignal<[MerchantChange]>('merchantChange');
/** Ping's status callback (only a trigger: the workflow fetches the merchant from Ping). */
export const merchantStatusSignal = defineSignal<[{ status?: string; receivedAt: string }]>('merchantStatus');
/** A key was used: its `last_used_at` (the API sends at most one a minute per key and process). */
export const keyUsedSignal = defineSignal<[{ keyId: string; at: string }]>('keyUsed');

export const merchantQuery = defineQuery<MerchantResource>('merchant');
/** The merchant's keys as `GET /v1/merchants/:id/api-keys` shows them (id, prefix, dates; never a hash), oldest first. */
export const merchantKeysQuery = defineQuery<ApiKeyView[]>('merchantKeys');
/** What the API's key check needs (hashes included; a query is never written to the history). */
export const merchantAuthQuery = defineQuery<MerchantAuth>('merchantAuth');
export const merchantAnswerQuery = defineQuery<RequestAnswer | null, [string]>('merchantAnswer');
export const merchantFingerprintQuery = defineQuery<string>('merchantFingerprint');
