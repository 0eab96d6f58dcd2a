import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import pino from 'pino';
import { createMerchantActivities, type MerchantActivities } from '../../activities/merchants';
import type { MerchantProfile } from '../../domain/merchant';
import { isValidTenantWebhookToken, isValidWebhookToken } from '../../common/webhookToken';
import { PING_REJECTED, PING_UNAVAILABLE } from '../../domain/failureTypes';
import { createPingClient, type PingClient } from '../../ping';
import { registerTenant, registerTenantInBackground, tenantCallbackUrls } from '../../worker/registerTenant';
import { holdLog } from '../helpers/heldLogs';
import { startSandbox, type RunningSandbox } from '../helpers/sandbox';

/**
 * The merchant activities against the sandbox. Ping's CreateMerchant takes no idempotency key, so
 * these hold the create to what makes a retry safe: an attempt after the first (or a run told to
 * look first) adopts the merchant an earlier attempt made, found by name and identity number, and
 * never makes a second one at Ping. And the worker's registration of the tenant's callback URLs
 * (worker/registerTenant.ts), which the merchants' status callbacks depend on.
 */
describe('merchant activities, against the sandbox', () => {
  let sb: RunningSandbox;
  let ping: PingClient;
  let activities: MerchantActivities;
  const CREATE = 'POST /payments/api/v1/merchants';
  const LIST = 'GET /payments/api/v1/merchants';

  beforeAll(async () => {
    // No automatic approval: each case decides the merchant's status itself.
    sb = await startSandbox({ merchantApprovalDelayMs: null });
    ping = createPingClient({ paymentsApiUrl: sb.paymentsApiUrl, paymentLinksApiUrl: sb.paymentLinksApiUrl, tenantId: sb.tenantId });
    activities = createMerchantActivities({ ping });
  });
  afterAll(async () => {
    await ping.close();
    await sb.stop();
  });
  afterEach(async () => {
    await sb.request('PUT', '/_sandbox/faults', { body: {} });
  });

  /** The SDK's warning for each failure a case causes, shown only if the case fails. */
  const logger = new DefaultLogger('WARN', ({ level, message, meta }) => holdLog(`${level} ${message} ${String(meta?.error ?? '')}`));
  /** Runs the activity as its `attempt`-th attempt would run. */
  const attempt = <A extends unknown[], R>(n: number, fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
    new MockActivityEnvironment({ attempt: n }, { logger }).run(fn, ...args);
  const calls = async (endpoint: string): Promise<number> => (await sb.request('GET', '/_sandbox/counters')).json<{ calls: Record<string, number> }>().calls[endpoint] ?? 0;
  const named = async (name: string) => (await ping.listMerchants({ limit: 200 })).filter((m) => m.name === name);
  /** A profile no other case shares: a name and a 10-digit organisation number of its own. */
  const orgProfile = (): MerchantProfile => ({
    name: `Pizzeria ${randomBytes(4).toString('hex')} AB`,
    email: 'owner@pizzeria.example',
    organization: { country: 'SE', se_organization_number: String(5_500_000_000 + randomBytes(3).readUIntBE(0, 3)) },
  });

  it('creates on the first attempt without looking first: one call to Ping', async () => {
    const profile = orgProfile();
    const [creates, lists] = [await calls(CREATE), await calls(LIST)];
    const { pingMerchantId } = await attempt(1, activities.createPingMerchant, profile);
    expect(await calls(CREATE)).toBe(creates + 1);
    expect(await calls(LIST)).toBe(lists);
    expect(await ping.getMerchant(pingMerchantId)).toMatchObject({ id: pingMerchantId, name: profile.name, status: 'CREATED', organization: { se_organization_number: profile.organization!.se_organization_number } });
  });

  it('adopts on a retry the merchant whose answer the first attempt lost, so Ping has one', async () => {
    const profile = orgProfile();
    // Ping makes the merchant, then the answer fails: the ambiguous failure a retry must survive.
    await sb.request('PUT', '/_sandbox/faults', { body: { fail_after_processing_rate: 1, fail_after_processing_mode: 'status', error_status: 503, endpoints: [CREATE] } });
    const lost = await attempt(1, activities.createPingMerchant, profile).catch((err: unknown) => err);
    expect(lost).toBeInstanceOf(ApplicationFailure);
    expect(lost).toMatchObject({ type: PING_UNAVAILABLE, nonRetryable: false });
    expect(await named(profile.name)).toHaveLength(1);
    await sb.request('PUT', '/_sandbox/faults', { body: {} });

    const creates = await calls(CREATE);
    const { pingMerchantId } = await attempt(2, activities.createPingMerchant, profile);
    expect(await calls(CREATE)).toBe(creates);
    expect((await named(profile.name)).map((m) => m.id)).toEqual([pingMerchantId]);
  });

  it('adopts when the workflow says an earlier run may have created it (lookFirst), even on a first attempt', async () => {
    const profile = orgProfile();
    const first = await attempt(1, activities.createPingMerchant, profile);
    const again = await attempt(1, activities.createPingMerchant, profile, { lookFirst: true });
    expect(again).toEqual(first);
    expect(await named(profile.name)).toHaveLength(1);
  });

  it('on a retry with nothing to adopt, creates: none made yet, or only merchants with another name or another number', async () => {
    const profile = orgProfile();
    const fresh = await attempt(2, activities.createPingMerchant, profile);
    expect(await named(profile.name)).toEqual([expect.objectContaining({ id: fresh.pingMerchantId })]);

    const otherNumber = { ...profile, organization: { country: 'SE', se_organization_number: String(Number(profile.organization!.se_organization_number) + 1) } };
    const byNumber = await attempt(2, activities.createPingMerchant, otherNumber);
    expect(byNumber.pingMerchantId).not.toBe(fresh.pingMerchantId);

    const otherName = { ...profile, name: `${profile.name} Två` };
    const byName = await attempt(2, activities.createPingMerchant, otherName);
    expect(byName.pingMerchantId).not.toBe(fresh.pingMerchantId);
    expect(byName.pingMerchantId).not.toBe(byNumber.pingMerchantId);
    expect(await named(profile.name)).toHaveLength(2);
  });

  it('matches a person by name and personal identity number', async () => {
    const name = `Anna ${randomBytes(4).toString('hex')}`;
    const person = (n: string): MerchantProfile => ({ name, person: { country: 'SE', se_personal_identity_number: n } });
    const anna = await attempt(1, activities.createPingMerchant, person('197001011234'));
    const otherAnna = await attempt(2, activities.createPingMerchant, person('198002022345'));
    expect(otherAnna.pingMerchantId).not.toBe(anna.pingMerchantId);
    expect(await attempt(3, activities.createPingMerchant, person('197001011234'))).toEqual(anna);
    expect(await named(name)).toHaveLength(2);
  });

  it('reads the merchant’s status as Ping decides it', async () => {
    const { pingMerchantId } = await attempt(1, activities.createPingMerchant, orgProfile());
    expect(await attempt(1, activities.getPingMerchant, pingMerchantId)).toEqual({ status: 'CREATED' });
    await sb.request('POST', `/_sandbox/merchants/${pingMerchantId}/pending`, { noTenant: true });
    expect(await attempt(1, activities.getPingMerchant, pingMerchantId)).toEqual({ status: 'PENDING' });
    await sb.request('POST', `/_sandbox/merchants/${pingMerchantId}/approve`, { noTenant: true });
    expect(await attempt(1, activities.getPingMerchant, pingMerchantId)).toEqual({ status: 'APPROVED' });
    await sb.request('POST', `/_sandbox/merchants/${pingMerchantId}/deny`, { noTenant: true });
    expect(await attempt(1, activities.getPingMerchant, pingMerchantId)).toEqual({ status: 'DENIED' });
  });

  it('reports Ping’s 4xx as final with Ping’s code, and a 5xx as worth retrying', async () => {
    const unknown = await attempt(1, activities.getPingMerchant, '11111111-2222-3333-4444-555555555555').catch((err: unknown) => err);
    expect(unknown).toBeInstanceOf(ApplicationFailure);
    expect(unknown).toMatchObject({ type: PING_REJECTED, nonRetryable: true, details: [{ status: 404, code: expect.any(String) }] });

    // Two organisation numbers: refused before anything is sent, as Ping would refuse it.
    const invalid = { name: 'Two Numbers AB', organization: { country: 'SE', se_organization_number: '5566778899', no_organization_number: '123456789' } };
    const creates = await calls(CREATE);
    const refused = await attempt(1, activities.createPingMerchant, invalid).catch((err: unknown) => err);
    expect(refused).toMatchObject({ type: PING_REJECTED, nonRetryable: true, details: [{ code: 'invalid_request' }] });
    expect(await calls(CREATE)).toBe(creates);

    await sb.request('PUT', '/_sandbox/faults', { body: { error_rate: 1, error_status: 500, endpoints: [CREATE] } });
    const down = await attempt(1, activities.createPingMerchant, orgProfile()).catch((err: unknown) => err);
    expect(down).toMatchObject({ type: PING_UNAVAILABLE, nonRetryable: false, details: [{ status: 500 }] });
  });

  describe('tenant registration', () => {
    const SECRET = 'test-webhook-secret-0123456789';
    const BASE = 'https://orchestrator.example';
    const TENANT = 'GET /payments/api/v1/tenant';
    const PUT_TENANT = 'PUT /payments/api/v1/tenant';
    const deps = () => ({ ping, publicBaseUrl: `${BASE}/`, webhookSecret: SECRET });
    const lastSegment = (url: string | null | undefined) => String(url).split('/').at(-1);

    it('sets both callback URLs with a token per purpose, keeps the disbursement URL, and leaves a tenant that has them alone', async () => {
      await ping.updateTenant({ merchant_status_callback_url: 'https://old.example/m', credit_account_top_up_callback_url: 'https://old.example/c', disbursement_callback_url: 'https://payouts.example/d' });
      expect(await registerTenant(deps())).toBe('updated');
      const tenant = await ping.getTenant();
      expect(tenant).toMatchObject({ ...tenantCallbackUrls(BASE, SECRET), disbursement_callback_url: 'https://payouts.example/d' });
      expect(tenant.merchant_status_callback_url).toMatch(new RegExp(`^${BASE}/webhooks/ping/merchants/[A-Za-z0-9_-]{43}$`));
      expect(tenant.credit_account_top_up_callback_url).toMatch(new RegExp(`^${BASE}/webhooks/ping/credit-top-ups/[A-Za-z0-9_-]{43}$`));

      const merchantToken = lastSegment(tenant.merchant_status_callback_url);
      const topUpToken = lastSegment(tenant.credit_account_top_up_callback_url);
      expect(isValidTenantWebhookToken(SECRET, 'merchant-status', merchantToken)).toBe(true);
      expect(isValidTenantWebhookToken(SECRET, 'credit-top-up', topUpToken)).toBe(true);
      // Each token is good for its own purpose only, under its own secret, and is no payment's token.
      expect(isValidTenantWebhookToken(SECRET, 'credit-top-up', merchantToken)).toBe(false);
      expect(isValidTenantWebhookToken(SECRET, 'merchant-status', topUpToken)).toBe(false);
      expect(isValidTenantWebhookToken('another-secret-0123456789abcdef', 'merchant-status', merchantToken)).toBe(false);
      expect(isValidWebhookToken(SECRET, 'merchant-status', merchantToken)).toBe(false);
      expect(isValidTenantWebhookToken(SECRET, 'merchant-status', undefined)).toBe(false);

      const puts = await calls(PUT_TENANT);
      expect(await registerTenant(deps())).toBe('unchanged');
      expect(await calls(PUT_TENANT)).toBe(puts);
    });

    it('keeps trying in the background while Ping fails, logging each failure, until it succeeds', async () => {
      await ping.updateTenant({ merchant_status_callback_url: 'https://old.example/m', credit_account_top_up_callback_url: 'https://old.example/c' });
      await sb.request('PUT', '/_sandbox/faults', { body: { error_rate: 1, error_status: 503, endpoints: [TENANT] } });
      const lines: Array<{ msg: string; attempt?: number; outcome?: string }> = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as { msg: string }) });
      const registration = registerTenantInBackground({ ...deps(), logger, initialDelayMs: 20, maxDelayMs: 40 });
      try {
        const deadline = Date.now() + 5_000;
        while (lines.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        expect(lines.slice(0, 3).map((l) => [l.msg, l.attempt])).toEqual([
          ['could not register the Ping tenant callback URLs; trying again', 1],
          ['could not register the Ping tenant callback URLs; trying again', 2],
          ['could not register the Ping tenant callback URLs; trying again', 3],
        ]);
        await sb.request('PUT', '/_sandbox/faults', { body: {} });
        await registration.done;
      } finally {
        registration.stop();
      }
      expect(lines.at(-1)).toMatchObject({ msg: 'Ping tenant callback URLs registered', outcome: 'updated' });
      expect(await ping.getTenant()).toMatchObject(tenantCallbackUrls(BASE, SECRET));
    });

    it('stops trying once stopped, without having registered', async () => {
      await ping.updateTenant({ merchant_status_callback_url: 'https://old.example/m', credit_account_top_up_callback_url: 'https://old.example/c' });
      await sb.request('PUT', '/_sandbox/faults', { body: { error_rate: 1, error_status: 503, endpoints: [TENANT] } });
      const logger = pino({ level: 'silent' });
      const registration = registerTenantInBackground({ ...deps(), logger, initialDelayMs: 60_000 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      registration.stop();
      await registration.done;
      await sb.request('PUT', '/_sandbox/faults', { body: {} });
      expect((await ping.getTenant()).merchant_status_callback_url).toBe('https://old.example/m');
    });
  });
});
