import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ApiKeyView, MerchantAuth, MerchantEvent, MerchantResource, MerchantSettings, MerchantStatus, PingMerchantStatus } from '../domain/merchant';
import { KEY_EXISTS, KEY_NOT_FOUND, MAX_ACTIVE_KEYS, TOO_MANY_KEYS, type MerchantChange, type MerchantInput, type MerchantState } from '../domain/merchantMessages';
import type { RequestAnswer } from '../domain/messages';
import { PingMerchantId } from '../domain/searchAttributes';

/** Answers kept for the API to read back (as workflows/messageHandlers.ts keeps the payments'). */
const ANSWERS_KEPT = 50;
/**
 * Audit events kept on the resource, newest last. Changes are rare, so this is years of them; the
 * bound keeps every query answer and the state handed to the next run small, whatever a caller does.
 */
const HISTORY_KEPT = 500;
/** Revoked keys kept for the key list beyond which the oldest revoked one goes (the audit events stay). */
const REVOKED_KEYS_KEPT = 50;

const SETTINGS_KEYS = ['display_name', 'notify_url', 'payment_methods', 'locale', 'supplier'] as const satisfies ReadonlyArray<keyof MerchantSettings>;

/** Workflow time: the same on every replay. */
const now = () => new Date().toISOString();

const accepted: RequestAnswer = { outcome: 'accepted' };
const refused = (type: string, message: string): RequestAnswer => ({ outcome: 'refused', type, message });

/** A copy, so a query answer or the next run's input never aliases state this run goes on changing. */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * The merchant's state and every change to it: the resource, its keys' hashes and the answers to
 * the API's requests. Each change writes its audit event and `updated_at` and refreshes the Web UI's
 * current details, so nothing else in the workflow writes to the state.
 */
export class MerchantRecord {
  private readonly merchant: MerchantResource;
  private readonly keys: MerchantState['keys'];
  private readonly answers: Map<string, RequestAnswer>;

  constructor(input: MerchantInput) {
    if (input.state) {
      const state = copy(input.state);
      this.merchant = state.merchant;
      this.keys = state.keys;
      this.answers = new Map(state.answers);
    } else {
      const createdAt = workflowInfo().startTime.toISOString();
      this.merchant = {
        id: input.merchantId,
        object: 'merchant',
        ping_merchant_id: null,
        status: 'creating',
        profile: input.profile,
        ...pickSettings(input.settings),
        signing_secret_version: 1,
        failure: null,
        created_at: createdAt,
        updated_at: createdAt,
        history: [{ type: 'merchant.created', at: createdAt, actor: input.actor }],
      };
      this.keys = [];
      this.answers = new Map();
    }
    this.showDetails();
  }

  get status(): MerchantStatus {
    return this.merchant.status;
  }

  get pingMerchantId(): string | null {
    return this.merchant.ping_merchant_id;
  }

  /** Ping has decided; only a callback can tell of a later change. */
  get isDecided(): boolean {
    return this.merchant.status === 'approved' || this.merchant.status === 'denied';
  }

  /** Everything the next run needs: continue-as-new hands it over as `MerchantInput.state`. */
  state(): MerchantState {
    return copy({ merchant: this.merchant, keys: this.keys, answers: [...this.answers] });
  }

  view(): MerchantResource {
    return copy(this.merchant);
  }

  keyViews(): ApiKeyView[] {
    return this.keys.map((k) => ({ id: k.id, object: 'api_key', prefix: k.prefix, created_at: k.created_at, last_used_at: k.last_used_at, revoked_at: k.revoked_at }));
  }

  auth(): MerchantAuth {
    const m = this.merchant;
    return {
      merchantId: m.id,
      status: m.status,
      pingMerchantId: m.ping_merchant_id,
      settings: copy(pickSettings(m)),
      keys: this.keys.map((k) => ({ id: k.id, sha256: k.sha256, revoked: k.revoked_at !== null })),
    };
  }

  answerTo(requestId: string): RequestAnswer | null {
    return this.answers.get(requestId) ?? null;
  }

  /** Ping has the merchant: its id, and the search attribute Ping's status callback finds the workflow by. */
  createdAtPing(pingMerchantId: string): void {
    this.merchant.ping_merchant_id = pingMerchantId;
    this.merchant.updated_at = now();
    upsertSearchAttributes([{ key: PingMerchantId, value: pingMerchantId }]);
    this.showDetails();
  }

  /** Ping refused the merchant for good (a 4xx): nothing at Ping to track. */
  refused(failure: { code: string; message: string }): void {
    this.merchant.failure = failure;
    this.moveTo('failed', `failed: ${failure.code}`);
  }

  /** Ping's status, lower-cased into ours; false when it has not changed. */
  observe(pingStatus: PingMerchantStatus): boolean {
    const next = pingStatus.toLowerCase() as MerchantStatus;
    if (next === this.merchant.status) return false;
    this.moveTo(next, next);
    return true;
  }

  /**
   * Answers a change under its request id and applies it, once: a request id already answered keeps
   * its first answer and changes nothing (the API sends a request again when it lost the answer).
   */
  change(change: MerchantChange): void {
    if (this.answers.has(change.requestId)) return;
    const answer = this.apply(change);
    this.answers.set(change.requestId, answer);
    // The API reads an answer within seconds of its signal; older ones only grow the state.
    if (this.answers.size > ANSWERS_KEPT) this.answers.delete(this.answers.keys().next().value!);
  }

  /** A key's last use; never moved back by a report that arrives late, and no audit event (it is not a change). */
  keyUsed(keyId: string, at: string): void {
    const key = this.keys.find((k) => k.id === keyId);
    if (!key || Number.isNaN(Date.parse(at))) return;
    if (key.last_used_at === null || Date.parse(at) > Date.parse(key.last_used_at)) key.last_used_at = at;
  }

  showDetails(): void {
    const m = this.merchant;
    const head = m.status === 'failed' && m.failure ? `failed: ${m.failure.code}` : m.status;
    const active = this.keys.filter((k) => k.revoked_at === null).length;
    const keys = active === 0 ? 'no keys' : active === 1 ? '1 key' : `${active} keys`;
    const text = `${head}; ${keys}`;
    setCurrentDetails(text.charAt(0).toUpperCase() + text.slice(1));
  }

  private apply(change: MerchantChange): RequestAnswer {
    switch (change.kind) {
      case 'update_settings':
        return this.updateSettings(change.settings, change.actor);
      case 'add_key':
        return this.addKey(change, change.actor);
      case 'revoke_key':
        return this.revokeKey(change.keyId, change.actor);
      case 'rotate_signing_secret':
        this.merchant.signing_secret_version += 1;
        this.event({ type: 'signing_secret.rotated', actor: change.actor, detail: `version ${this.merchant.signing_secret_version}` });
        return accepted;
    }
  }

  /** Merges the settings given (null clears one); a field the resource does not have is never written. */
  private updateSettings(settings: Partial<MerchantSettings>, actor: string): RequestAnswer {
    const changed: string[] = [];
    const target = this.merchant as unknown as Record<string, unknown>;
    for (const key of SETTINGS_KEYS) {
      const value = settings[key];
      if (value === undefined || JSON.stringify(value) === JSON.stringify(target[key])) continue;
      target[key] = copy(value);
      changed.push(key);
    }
    if (changed.length > 0) this.event({ type: 'merchant.updated', actor, detail: changed.join(', ') });
    return accepted;
  }

  private addKey({ keyId, sha256, prefix }: { keyId: string; sha256: string; prefix: string }, actor: string): RequestAnswer {
    const existing = this.keys.find((k) => k.id === keyId);
    if (existing) return existing.sha256 === sha256 ? accepted : refused(KEY_EXISTS, `The merchant already has an API key ${keyId}`);
    if (this.keys.filter((k) => k.revoked_at === null).length >= MAX_ACTIVE_KEYS) {
      return refused(TOO_MANY_KEYS, `A merchant may have at most ${MAX_ACTIVE_KEYS} API keys that are not revoked; revoke one first`);
    }
    this.keys.push({ id: keyId, sha256, prefix, created_at: now(), last_used_at: null, revoked_at: null });
    this.event({ type: 'api_key.created', actor, detail: keyId });
    return accepted;
  }

  private revokeKey(keyId: string, actor: string): RequestAnswer {
    const key = this.keys.find((k) => k.id === keyId);
    if (!key) return refused(KEY_NOT_FOUND, `The merchant has no API key ${keyId}`);
    if (key.revoked_at !== null) return accepted;
    key.revoked_at = now();
    this.event({ type: 'api_key.revoked', actor, detail: keyId });
    const revoked = this.keys.filter((k) => k.revoked_at !== null);
    if (revoked.length > REVOKED_KEYS_KEPT) {
      const oldest = revoked.reduce((a, b) => (Date.parse(b.revoked_at!) < Date.parse(a.revoked_at!) ? b : a));
      this.keys.splice(this.keys.indexOf(oldest), 1);
    }
    return accepted;
  }

  private moveTo(next: MerchantStatus, detail: string): void {
    this.merchant.status = next;
    this.event({ type: 'merchant.status_changed', actor: 'ping', detail });
  }

  private event(event: Omit<MerchantEvent, 'at'>): void {
    const at = now();
    this.merchant.updated_at = at;
    this.merchant.history.push({ type: event.type, at, actor: event.actor, ...(event.detail ? { detail: event.detail } : {}) });
    if (this.merchant.history.length > HISTORY_KEPT) this.merchant.history.splice(0, this.merchant.history.length - HISTORY_KEPT);
    this.showDetails();
  }
}

function pickSettings(from: MerchantSettings): MerchantSettings {
  return {
    display_name: from.display_name ?? null,
    notify_url: from.notify_url ?? null,
    payment_methods: from.payment_methods ?? null,
    locale: from.locale ?? null,
    supplier: from.supplier ?? null,
  };
}
