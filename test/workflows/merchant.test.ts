import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { merchantWorkflowId, type MerchantEvent } from '../../domain/merchant';
import { KEY_EXISTS, KEY_NOT_FOUND, MAX_ACTIVE_KEYS, merchantChangeSignal, TOO_MANY_KEYS } from '../../domain/merchantMessages';
import { PING_UNAVAILABLE } from '../../domain/failureTypes';
import { MerchantId, PingMerchantId } from '../../domain/searchAttributes';
import { pingRefuses } from './doubles';
import { CREATOR, MerchantHarness, merchantSettings, newKey, type StartedMerchant } from './merchantHarness';

/**
 * The merchant workflow (workflows/merchant.ts): created at Ping, Ping's status followed by polling
 * and callbacks, the API's changes answered once per request id, its queries, and continue-as-new
 * carrying the whole state.
 */
describe('merchant workflow', () => {
  let harness: MerchantHarness;
  beforeAll(async () => {
    harness = await MerchantHarness.start();
  });
  afterAll(() => harness?.stop());

  const events = (m: { history: MerchantEvent[] }) => m.history.map((e) => [e.type, e.actor, e.detail ?? null]);
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const approved = (m: StartedMerchant) => m.waitFor('approved', (x) => x.status === 'approved');

  describe('status at Ping', () => {
    it('creates the merchant at Ping, then polls with a doubling backoff until Ping approves it, and polls no more', async () => {
      const m = await harness.startMerchant({ statusPoll: { initialMs: 100, maxMs: 400 }, setup: (d) => d.statuses('CREATED', 'CREATED', 'CREATED', 'APPROVED') });
      const done = await approved(m);

      expect(m.double.callsOf('createPingMerchant').map((c) => c.args)).toEqual([[m.input.profile, { lookFirst: false }]]);
      // An ordinary activity (its attempts count every run), the reads local.
      expect(m.double.callsOf('createPingMerchant').map((c) => c.local)).toEqual([false]);
      expect(m.double.callsOf('getPingMerchant').map((c) => [c.args[0], c.local])).toEqual(Array(4).fill([m.double.pingMerchantId, true]));
      expect(done).toMatchObject({ id: m.id, object: 'merchant', status: 'approved', ping_merchant_id: m.double.pingMerchantId, failure: null, signing_secret_version: 1 });
      expect(events(done)).toEqual([
        ['merchant.created', CREATOR, null],
        ['merchant.status_changed', 'ping', 'created'],
        ['merchant.status_changed', 'ping', 'approved'],
      ]);
      expect(done.updated_at).toBe(done.history.at(-1)!.at);
      // Once decided, only a callback makes it look again.
      await pause(1_000);
      expect(m.double.callsOf('getPingMerchant')).toHaveLength(4);
      expect(await m.timers()).toEqual([
        { ms: 100, end: 'fired' },
        { ms: 200, end: 'fired' },
        { ms: 400, end: 'fired' },
      ]);
      const attributes = await m.searchAttributes();
      expect(attributes.get(MerchantId)).toBe(m.id);
      expect(attributes.get(PingMerchantId)).toBe(m.double.pingMerchantId);
      expect(await m.currentDetails()).toBe('Approved; no keys');
      expect(await (await m.handle.describe()).staticSummary()).toBe('Merchant · Pizzeria Napoli AB');
    });

    it('follows a status callback at once (reading the status from Ping), and keeps listening after the decision without polling', async () => {
      const m = await harness.startMerchant();
      await m.waitFor('created', (x) => x.status === 'created');
      await m.double.waitForCalls('getPingMerchant', 1);

      m.double.status = 'APPROVED';
      // The callback's own status is not believed: Ping is read.
      await m.statusCallback('DENIED');
      await approved(m);
      expect(m.double.callsOf('getPingMerchant')).toHaveLength(2);

      // A repeated callback with nothing new adds nothing; a later change at Ping is followed.
      await m.statusCallback('APPROVED');
      await m.double.waitForCalls('getPingMerchant', 3);
      m.double.status = 'DENIED';
      await m.statusCallback('DENIED');
      const denied = await m.waitFor('denied', (x) => x.status === 'denied');
      expect(events(denied)).toEqual([
        ['merchant.created', CREATOR, null],
        ['merchant.status_changed', 'ping', 'created'],
        ['merchant.status_changed', 'ping', 'approved'],
        ['merchant.status_changed', 'ping', 'denied'],
      ]);
      expect(m.double.callsOf('getPingMerchant')).toHaveLength(4);
      // The one poll timer, set while created, was cancelled by the first callback; none since.
      expect(await m.timers()).toEqual([{ ms: 600_000, end: 'cancelled' }]);
      expect((await m.handle.describe()).status.name).toBe('RUNNING');
    });

    it('takes a denial straight from CREATING, with no polling', async () => {
      const m = await harness.startMerchant({ statusPoll: { initialMs: 100, maxMs: 100 }, setup: (d) => d.statuses('DENIED') });
      const denied = await m.waitFor('denied', (x) => x.status === 'denied');
      expect(events(denied)).toEqual([
        ['merchant.created', CREATOR, null],
        ['merchant.status_changed', 'ping', 'denied'],
      ]);
      await pause(500);
      expect(m.double.callsOf('getPingMerchant')).toHaveLength(1);
      expect(await m.timers()).toEqual([]);
      expect(await m.currentDetails()).toBe('Denied; no keys');
    });

    it('ends failed with Ping’s code when Ping refuses the create, and still answers queries and changes', async () => {
      const m = await harness.startMerchant({
        setup: (d) =>
          d.on('createPingMerchant', () => {
            throw pingRefuses('Ping refused createMerchant: organization number is invalid', { status: 422, code: 'invalid_value', property: 'organization.se_organization_number' });
          }),
      });
      const failed = await m.waitFor('failed', (x) => x.status === 'failed');
      expect(failed.failure).toEqual({ code: 'invalid_value', message: 'Ping refused createMerchant: organization number is invalid' });
      expect(failed.ping_merchant_id).toBeNull();
      expect(events(failed)).toEqual([
        ['merchant.created', CREATOR, null],
        ['merchant.status_changed', 'ping', 'failed: invalid_value'],
      ]);
      // Nothing at Ping to read, whatever a callback says; the record stays open for its queries and changes.
      await m.statusCallback('APPROVED');
      expect(await m.change({ kind: 'update_settings', actor: CREATOR, settings: { display_name: 'Napoli' } })).toEqual({ outcome: 'accepted' });
      expect(m.double.names()).toEqual(['createPingMerchant']);
      expect((await m.handle.describe()).status.name).toBe('RUNNING');
      expect(await m.auth()).toMatchObject({ merchantId: m.id, status: 'failed', pingMerchantId: null });
      expect((await m.searchAttributes()).get(PingMerchantId)).toBeUndefined();
      expect(await m.currentDetails()).toBe('Failed: invalid_value; no keys');
    });

    it('tries the create again after its backoff when Ping stays unreachable, looking for the first attempt’s merchant', async () => {
      const m = await harness.startMerchant({
        statusPoll: { initialMs: 100, maxMs: 100 },
        setup: (d) =>
          d.on('createPingMerchant', () => {
            // As the activity's retries ending would: the workflow's turn to wait and try again.
            if (d.callsOf('createPingMerchant').length === 1) {
              throw ApplicationFailure.create({ message: 'Ping did not answer', type: PING_UNAVAILABLE, nonRetryable: true, category: ApplicationFailureCategory.BENIGN });
            }
            return { pingMerchantId: d.pingMerchantId };
          }),
      });
      await m.waitFor('created', (x) => x.status === 'created');
      expect(m.double.callsOf('createPingMerchant').map((c) => c.args[1])).toEqual([{ lookFirst: false }, { lookFirst: true }]);
      expect((await m.timers())[0]).toEqual({ ms: 100, end: 'fired' });
    });

    it('takes changes while the create is still at Ping', async () => {
      const m = await harness.startMerchant({ setup: (d) => d.holdCalls('createPingMerchant') });
      await m.double.waitForCalls('createPingMerchant', 1);
      const key = newKey();
      expect(await m.change({ kind: 'add_key', actor: CREATOR, ...key })).toEqual({ outcome: 'accepted' });
      expect(await m.current()).toMatchObject({ status: 'creating', ping_merchant_id: null });
      expect(await m.currentDetails()).toBe('Creating; 1 key');
      m.double.releaseAll();
      const created = await m.waitFor('created', (x) => x.status === 'created');
      expect(events(created).map((e) => e[0])).toEqual(['merchant.created', 'api_key.created', 'merchant.status_changed']);
      expect((await m.auth()).keys).toEqual([{ id: key.keyId, sha256: key.sha256, revoked: false }]);
    });
  });

  describe('changes', () => {
    it('adds a key (hash and prefix only) and revokes it; revoking again is accepted and changes nothing; an unknown key is KeyNotFound', async () => {
      const m = await harness.startMerchant({ setup: (d) => d.statuses('APPROVED') });
      await approved(m);
      const [a, b] = [newKey(), newKey()];
      expect(await m.change({ kind: 'add_key', actor: CREATOR, ...a })).toEqual({ outcome: 'accepted' });
      expect(await m.change({ kind: 'add_key', actor: CREATOR, ...b })).toEqual({ outcome: 'accepted' });
      expect(await m.currentDetails()).toBe('Approved; 2 keys');

      const keys = await m.keys();
      expect(keys).toEqual([
        { id: a.keyId, object: 'api_key', prefix: a.prefix, created_at: expect.any(String), last_used_at: null, revoked_at: null },
        { id: b.keyId, object: 'api_key', prefix: b.prefix, created_at: expect.any(String), last_used_at: null, revoked_at: null },
      ]);
      expect(JSON.stringify(keys)).not.toContain(a.sha256);
      expect(JSON.stringify(await m.current())).not.toContain(a.sha256);

      expect(await m.change({ kind: 'revoke_key', actor: 'merchant:' + b.keyId, keyId: a.keyId })).toEqual({ outcome: 'accepted' });
      const revokedAt = (await m.keys())[0]!.revoked_at;
      expect(revokedAt).toEqual(expect.any(String));
      expect(await m.change({ kind: 'revoke_key', actor: CREATOR, keyId: a.keyId })).toEqual({ outcome: 'accepted' });
      expect((await m.keys())[0]!.revoked_at).toBe(revokedAt);
      expect(await m.change({ kind: 'revoke_key', actor: CREATOR, keyId: 'key_unknown' })).toEqual({ outcome: 'refused', type: KEY_NOT_FOUND, message: 'The merchant has no API key key_unknown' });

      const auth = await m.auth();
      expect(auth).toEqual({
        merchantId: m.id,
        status: 'approved',
        pingMerchantId: m.double.pingMerchantId,
        settings: merchantSettings(),
        keys: [
          { id: a.keyId, sha256: a.sha256, revoked: true },
          { id: b.keyId, sha256: b.sha256, revoked: false },
        ],
      });
      const merchant = await m.current();
      expect(events(merchant).slice(2)).toEqual([
        ['api_key.created', CREATOR, a.keyId],
        ['api_key.created', CREATOR, b.keyId],
        ['api_key.revoked', `merchant:${b.keyId}`, a.keyId],
      ]);
      expect(await m.currentDetails()).toBe('Approved; 1 key');
    });

    it('accepts the same key again under a new request id, refuses its id with another hash, and holds at most MAX_ACTIVE_KEYS unrevoked keys', async () => {
      const m = await harness.startMerchant({ setup: (d) => d.statuses('APPROVED') });
      await approved(m);
      const first = newKey();
      expect(await m.change({ kind: 'add_key', actor: CREATOR, ...first })).toEqual({ outcome: 'accepted' });
      expect(await m.change({ kind: 'add_key', actor: CREATOR, ...first })).toEqual({ outcome: 'accepted' });
      expect(await m.change({ kind: 'add_key', actor: CREATOR, ...first, sha256: newKey().sha256 })).toMatchObject({ outcome: 'refused', type: KEY_EXISTS });
      for (let i = 1; i < MAX_ACTIVE_KEYS; i++) expect(await m.change({ kind: 'add_key', actor: CREATOR, ...newKey() })).toEqual({ outcome: 'accepted' });
      expect(await m.change({ kind: 'add_key', actor: CREATOR, ...newKey() })).toMatchObject({ outcome: 'refused', type: TOO_MANY_KEYS });
      // A revoked key leaves room for a new one.
      await m.change({ kind: 'revoke_key', actor: CREATOR, keyId: first.keyId });
      expect(await m.change({ kind: 'add_key', actor: CREATOR, ...newKey() })).toEqual({ outcome: 'accepted' });
      expect(await m.keys()).toHaveLength(MAX_ACTIVE_KEYS + 1);
      expect((await m.current()).history.filter((e) => e.type === 'api_key.created')).toHaveLength(MAX_ACTIVE_KEYS + 1);
    });

    it('answers a request id sent twice from its kept answer, applying it once', async () => {
      const m = await harness.startMerchant({ setup: (d) => d.statuses('APPROVED') });
      await approved(m);
      const key = newKey();
      const addId = 'req-add-1';
      expect(await m.change({ kind: 'add_key', actor: CREATOR, ...key }, addId)).toEqual({ outcome: 'accepted' });
      // The same id again, even for another change (one that would be refused): nothing is applied.
      await m.handle.signal(merchantChangeSignal, { kind: 'revoke_key', actor: CREATOR, keyId: 'key_unknown', requestId: addId });
      const rotateId = 'req-rotate-1';
      expect(await m.change({ kind: 'rotate_signing_secret', actor: CREATOR }, rotateId)).toEqual({ outcome: 'accepted' });
      await m.handle.signal(merchantChangeSignal, { kind: 'rotate_signing_secret', actor: CREATOR, requestId: rotateId });
      await m.settled();

      expect(await m.answerTo(addId)).toEqual({ outcome: 'accepted' });
      const merchant = await m.current();
      expect(merchant.signing_secret_version).toBe(2);
      expect(await m.keys()).toHaveLength(1);
      expect(events(merchant).slice(2)).toEqual([
        ['api_key.created', CREATOR, key.keyId],
        ['signing_secret.rotated', CREATOR, 'version 2'],
      ]);
      expect(await m.answerTo('req-never-sent')).toBeNull();
    });

    it('rotates the signing secret: each rotation bumps the version and is on the history', async () => {
      const m = await harness.startMerchant({ setup: (d) => d.statuses('APPROVED') });
      await approved(m);
      expect((await m.current()).signing_secret_version).toBe(1);
      await m.change({ kind: 'rotate_signing_secret', actor: CREATOR });
      await m.change({ kind: 'rotate_signing_secret', actor: 'merchant:key_own' });
      const merchant = await m.current();
      expect(merchant.signing_secret_version).toBe(3);
      expect(events(merchant).slice(2)).toEqual([
        ['signing_secret.rotated', CREATOR, 'version 2'],
        ['signing_secret.rotated', 'merchant:key_own', 'version 3'],
      ]);
    });

    it('merges update_settings into the settings, ignores what is not a setting, and records only a real change', async () => {
      const m = await harness.startMerchant({ setup: (d) => d.statuses('APPROVED') });
      const before = await approved(m);
      const supplier = { name: 'Napoli AB', city: 'Örebro' };
      const settings = { notify_url: 'https://napoli.example/events', locale: null, display_name: 'Pizzeria Napoli', supplier, status: 'denied' };
      expect(await m.change({ kind: 'update_settings', actor: 'merchant:key_own', settings: settings as never })).toEqual({ outcome: 'accepted' });
      const after = await m.current();
      expect(after).toMatchObject({ status: 'approved', display_name: 'Pizzeria Napoli', notify_url: 'https://napoli.example/events', locale: null, supplier, payment_methods: null });
      expect(after.history.at(-1)).toEqual({ type: 'merchant.updated', at: after.updated_at, actor: 'merchant:key_own', detail: 'notify_url, locale, supplier' });
      expect(after.updated_at > before.updated_at).toBe(true);
      expect((await m.auth()).settings).toEqual(merchantSettings({ notify_url: 'https://napoli.example/events', locale: null, supplier }));

      // The same values again change nothing: no event, the same updated_at.
      expect(await m.change({ kind: 'update_settings', actor: CREATOR, settings: { notify_url: 'https://napoli.example/events' } })).toEqual({ outcome: 'accepted' });
      const again = await m.current();
      expect(again.history).toHaveLength(after.history.length);
      expect(again.updated_at).toBe(after.updated_at);
    });

    it('keeps every change on the history with its actor, in order', async () => {
      const m = await harness.startMerchant({ statusPoll: { initialMs: 100, maxMs: 100 }, setup: (d) => d.statuses('CREATED', 'PENDING', 'APPROVED') });
      await approved(m);
      const key = newKey();
      await m.change({ kind: 'add_key', actor: 'platform:key_ops', ...key });
      await m.change({ kind: 'update_settings', actor: `merchant:${key.keyId}`, settings: { display_name: 'Napoli' } });
      await m.change({ kind: 'rotate_signing_secret', actor: `merchant:${key.keyId}` });
      await m.change({ kind: 'revoke_key', actor: 'platform:key_ops', keyId: key.keyId });
      const merchant = await m.current();
      expect(events(merchant)).toEqual([
        ['merchant.created', CREATOR, null],
        ['merchant.status_changed', 'ping', 'created'],
        ['merchant.status_changed', 'ping', 'pending'],
        ['merchant.status_changed', 'ping', 'approved'],
        ['api_key.created', 'platform:key_ops', key.keyId],
        ['merchant.updated', `merchant:${key.keyId}`, 'display_name'],
        ['signing_secret.rotated', `merchant:${key.keyId}`, 'version 2'],
        ['api_key.revoked', 'platform:key_ops', key.keyId],
      ]);
      const times = merchant.history.map((e) => e.at);
      expect([...times].sort()).toEqual(times);
      expect(merchant.history[0]!.at).toBe(merchant.created_at);
      expect(merchant.updated_at).toBe(times.at(-1));
    });

    it('sets a key’s last_used_at from keyUsed, never moving it back, ignoring unknown keys, with no history event', async () => {
      const m = await harness.startMerchant({ setup: (d) => d.statuses('APPROVED') });
      await approved(m);
      const key = newKey();
      await m.change({ kind: 'add_key', actor: CREATOR, ...key });
      const before = await m.current();
      await m.keyUsed(key.keyId, '2026-03-01T10:00:00.000Z');
      await m.keyUsed(key.keyId, '2026-03-01T09:00:00.000Z');
      await m.keyUsed('key_unknown', '2026-03-01T11:00:00.000Z');
      await m.settled();
      expect((await m.keys()).map((k) => [k.id, k.last_used_at])).toEqual([[key.keyId, '2026-03-01T10:00:00.000Z']]);
      await m.keyUsed(key.keyId, '2026-03-01T10:01:00.000Z');
      await m.settled();
      expect((await m.keys())[0]!.last_used_at).toBe('2026-03-01T10:01:00.000Z');
      const after = await m.current();
      expect(after.history).toEqual(before.history);
      expect(after.updated_at).toBe(before.updated_at);
    });

    it('answers the fingerprint it was started with', async () => {
      const m = await harness.startMerchant();
      expect(await m.fingerprint()).toBe(`fp-${m.id}`);
    });
  });

  describe('continue-as-new', () => {
    it('carries the state, answers and attributes into the next run, loses no signal sent meanwhile, and every run replays', async () => {
      const m = await harness.startMerchant({ historyLimit: 20, setup: (d) => d.statuses('APPROVED') });
      await approved(m);
      const keys = Array.from({ length: 8 }, () => newKey());
      const ids = keys.map((_, i) => `req-key-${i}`);
      // Sent all at once, so some arrive while a run is ending.
      await Promise.all(keys.map((key, i) => m.handle.signal(merchantChangeSignal, { kind: 'add_key', actor: CREATOR, ...key, requestId: ids[i] })));
      await m.keyUsed(keys[0]!.keyId, '2026-03-01T10:00:00.000Z');
      await m.change({ kind: 'rotate_signing_secret', actor: CREATOR });

      const runs = await m.runs();
      expect(runs.length).toBeGreaterThan(1);
      expect(runs.slice(0, -1).map((r) => r.status)).toEqual(Array(runs.length - 1).fill('CONTINUED_AS_NEW'));
      expect(runs.at(-1)!.status).toBe('RUNNING');

      // Every key once, every answer kept, the key's use and the history across runs.
      expect((await m.keys()).map((k) => k.id).sort()).toEqual(keys.map((k) => k.keyId).sort());
      expect((await m.keys()).find((k) => k.id === keys[0]!.keyId)!.last_used_at).toBe('2026-03-01T10:00:00.000Z');
      for (const id of ids) expect(await m.answerTo(id)).toEqual({ outcome: 'accepted' });
      const merchant = await m.current();
      expect(merchant).toMatchObject({ status: 'approved', ping_merchant_id: m.double.pingMerchantId, signing_secret_version: 2 });
      expect(events(merchant).map((e) => e[0])).toEqual([
        'merchant.created',
        'merchant.status_changed',
        ...Array(8).fill('api_key.created'),
        'signing_secret.rotated',
      ]);
      expect(await m.fingerprint()).toBe(`fp-${m.id}`);
      expect((await m.auth()).keys).toHaveLength(8);
      const attributes = await m.searchAttributes();
      expect(attributes.get(MerchantId)).toBe(m.id);
      expect(attributes.get(PingMerchantId)).toBe(m.double.pingMerchantId);
      expect(await m.currentDetails()).toBe('Approved; 8 keys');
      // The Web UI's summary is the first run's start option; a later run shows none (SDK 1.24 cannot pass it on).
      expect(await (await m.handle.describe()).staticSummary()).toBeUndefined();
      // Created once: a later run never creates again, and reads Ping only when told to.
      expect(m.double.callsOf('createPingMerchant')).toHaveLength(1);
      expect(m.double.callsOf('getPingMerchant')).toHaveLength(1);

      // The next run takes changes as the first did.
      expect(await m.change({ kind: 'revoke_key', actor: CREATOR, keyId: keys[1]!.keyId })).toEqual({ outcome: 'accepted' });
      expect(await m.change({ kind: 'revoke_key', actor: CREATOR, keyId: 'key_unknown' })).toMatchObject({ outcome: 'refused', type: KEY_NOT_FOUND });
      for (const run of await m.runs()) await m.replay(run.runId);
    });

    it('goes on polling Ping in the next run while the merchant is undecided', async () => {
      const m = await harness.startMerchant({ historyLimit: 20, statusPoll: { initialMs: 50, maxMs: 50 } });
      await m.waitFor('created', (x) => x.status === 'created');
      const deadline = Date.now() + 20_000;
      while ((await m.runs()).length < 3) {
        if (Date.now() > deadline) throw new Error('the merchant did not continue as new twice');
        await pause(50);
      }
      m.double.status = 'APPROVED';
      const done = await approved(m);
      expect(events(done)).toEqual([
        ['merchant.created', CREATOR, null],
        ['merchant.status_changed', 'ping', 'created'],
        ['merchant.status_changed', 'ping', 'approved'],
      ]);
      expect(m.double.callsOf('createPingMerchant')).toHaveLength(1);
      expect(merchantWorkflowId(m.id)).toBe(m.handle.workflowId);
    });
  });

  it('starts from the profile and settings it was given', async () => {
    const profile = { name: 'Anna Andersson', person: { country: 'SE', se_personal_identity_number: '197001011234' } };
    const m = await harness.startMerchant({ profile, settings: merchantSettings({ display_name: null, locale: 'nb-NO' }) });
    const merchant = await m.waitFor('created', (x) => x.status === 'created');
    expect(merchant).toMatchObject({ profile, display_name: null, locale: 'nb-NO', notify_url: null, supplier: null, payment_methods: null, created_at: expect.any(String) });
    expect(m.double.callsOf('createPingMerchant')[0]!.args[0]).toEqual(profile);
  });
});
