import { createPingClient, merchantStatusCallbackSchema, PingApiError, type CreateMerchantInput, type PingClient } from '../../ping';
import { merchantApprovalDelayFromEnv } from '../../sandbox/merchants';
import { startCallbackReceiver, startSandbox, waitFor, type CallbackReceiver, type ReceivedCallback, type RunningSandbox } from '../helpers/sandbox';

/**
 * Merchants in the sandbox (sandbox/merchants.ts), driven through our own Ping client (ping/client.ts)
 * where the Payments API is concerned, and through Mimic and the control API where nothing of ours
 * would call them. Callbacks land on a real HTTP receiver.
 */

/** A .NET Guid that is no RFC 4122 UUID (version digit 3, variant digit 4): Ping's ids may look like this. */
const GUID = '11111111-2222-3333-4444-555555555555';
const ORGANIZATION: CreateMerchantInput = { name: 'Pizzeria AB', organization: { country: 'SE', se_organization_number: '5591235378' } };

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function pingError(promise: Promise<unknown>): Promise<PingApiError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(PingApiError);
    return err as PingApiError;
  }
  throw new Error('expected a PingApiError');
}

function clientFor(sb: RunningSandbox, tenantId = sb.tenantId): PingClient {
  return createPingClient({ paymentsApiUrl: sb.paymentsApiUrl, paymentLinksApiUrl: sb.paymentLinksApiUrl, tenantId, timeoutMs: 5000 });
}

describe('sandbox: merchants, through our Ping client', () => {
  let receiver: CallbackReceiver;
  const clients: PingClient[] = [];
  const sandboxes: RunningSandbox[] = [];

  beforeAll(async () => {
    receiver = await startCallbackReceiver();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(sandboxes.map((s) => s.stop()));
    await receiver?.stop();
  });

  async function sandboxWith(merchantApprovalDelayMs?: number | null): Promise<RunningSandbox> {
    const sb = await startSandbox(merchantApprovalDelayMs === undefined ? {} : { merchantApprovalDelayMs });
    sandboxes.push(sb);
    return sb;
  }

  function client(sb: RunningSandbox, tenantId?: string): PingClient {
    const c = clientFor(sb, tenantId);
    clients.push(c);
    return c;
  }

  /** Sets the tenant's merchant callback URL to a path of the receiver that names this test. */
  async function withCallbacks(ping: PingClient, name: string): Promise<string> {
    const path = `/merchants/${name}`;
    await ping.updateTenant({ merchant_status_callback_url: `${receiver.url}${path}`, credit_account_top_up_callback_url: 'https://tenant.example/top-up' });
    return path;
  }

  const callbacksAt = (path: string, merchantId: string): ReceivedCallback[] =>
    receiver.received.filter((c) => c.path === path && c.body.merchant_id === merchantId);

  async function callbackNumber(path: string, merchantId: string, n: number): Promise<ReceivedCallback> {
    const all = await waitFor(() => callbacksAt(path, merchantId).length >= n && callbacksAt(path, merchantId), 10_000, `merchant callback #${n} for ${merchantId}`);
    return all[n - 1]!;
  }

  async function control(sb: RunningSandbox, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
    const res = await sb.request(method, `/_sandbox${path}`, body === undefined ? { noTenant: true } : { body, noTenant: true });
    return { status: res.status, json: res.text ? res.json<Json>() : {} };
  }

  /** What the sandbox enqueued for the merchant: written in the same request as the change, so it can be read at once. */
  const deliveries = async (sb: RunningSandbox, merchantId: string): Promise<Json[]> =>
    (await control(sb, 'GET', `/callbacks?kind=merchant&resource_id=${merchantId}`)).json as unknown as Json[];

  const mimic = (sb: RunningSandbox, merchantId: string, body: unknown) => sb.request('PUT', `/mimic/api/merchants/${merchantId}`, { body });

  describe('the lifecycle', () => {
    it('creates a merchant CREATED; it becomes APPROVED after the delay, and the tenant gets one callback', async () => {
      const delay = 1500;
      const sb = await sandboxWith(delay);
      const ping = client(sb);
      const path = await withCallbacks(ping, 'lifecycle');

      const { id } = await ping.createMerchant(ORGANIZATION);
      const created = await ping.getMerchant(id);
      expect(created).toMatchObject({ id, status: 'CREATED', name: 'Pizzeria AB' });
      expect(created.organization?.kyc_information?.status).toBe('UNVERIFIED');

      const callback = await callbackNumber(path, id, 1);
      expect(callback.body).toEqual({ merchant_id: id, status: 'APPROVED', occurred_at: expect.any(String) });
      expect(callback.headers['content-type']).toMatch(/^application\/json/);
      expect(merchantStatusCallbackSchema.parse(callback.body)).toEqual({ merchantId: id, status: 'APPROVED', occurredAt: callback.body.occurred_at });

      const approved = await ping.getMerchant(id);
      expect(approved.status).toBe('APPROVED');
      expect(approved.organization?.kyc_information).toMatchObject({ status: 'APPROVED', latest_kyc_gathered_at: callback.body.occurred_at });
      // The approval waited out the delay (a timer may fire a millisecond early).
      const view = (await control(sb, 'GET', `/merchants/${id}`)).json;
      expect(Date.parse(view.status_changed_at) - Date.parse(view.created_at)).toBeGreaterThanOrEqual(delay - 5);
      expect(view.approves_at).toBeNull();
      const log = await deliveries(sb, id);
      expect(log.map((d) => [d.body.status, d.state])).toEqual([['APPROVED', 'delivered']]);
    });

    it('approves after 300 ms by default', async () => {
      const sb = await sandboxWith();
      const ping = client(sb);
      const { id } = await ping.createMerchant({ name: 'Jane Doe', person: { country: 'SE', se_personal_identity_number: '199001011234' } });
      const view = (await control(sb, 'GET', `/merchants/${id}`)).json;
      expect(Date.parse(view.approves_at) - Date.parse(view.created_at)).toBe(300);
      await waitFor(async () => (await ping.getMerchant(id)).status === 'APPROVED', 10_000, 'the default approval');
    });

    it('approves a merchant whose approval is due when the sandbox clock is moved past it', async () => {
      const sb = await sandboxWith(600_000);
      const ping = client(sb);
      const path = await withCallbacks(ping, 'clock');
      const { id } = await ping.createMerchant(ORGANIZATION);
      expect((await ping.getMerchant(id)).status).toBe('CREATED');
      expect((await control(sb, 'POST', '/clock', { advance_ms: 600_000 })).status).toBe(200);
      expect((await ping.getMerchant(id)).status).toBe('APPROVED');
      expect((await callbackNumber(path, id, 1)).body.status).toBe('APPROVED');
    });

    it('with approval off, keeps a merchant CREATED until it is decided', async () => {
      const sb = await sandboxWith(null);
      const ping = client(sb);
      const { id } = await ping.createMerchant(ORGANIZATION);
      expect((await control(sb, 'GET', `/merchants/${id}`)).json).toMatchObject({ status: 'CREATED', approves_at: null });
      // Time alone never approves it.
      await control(sb, 'POST', '/clock', { advance_ms: 30 * 86_400_000 });
      expect((await ping.getMerchant(id)).status).toBe('CREATED');
      expect(await deliveries(sb, id)).toEqual([]);
    });

    it('a decision before the automatic approval ends it', async () => {
      const sb = await sandboxWith(600_000);
      const ping = client(sb);
      const path = await withCallbacks(ping, 'decided-first');
      const pending = (await ping.createMerchant(ORGANIZATION)).id;
      const held = (await ping.createMerchant({ ...ORGANIZATION, name: 'Held AB' })).id;

      expect((await control(sb, 'POST', `/merchants/${pending}/pending`)).json).toMatchObject({ changed: true, merchant: { status: 'PENDING', approves_at: null } });
      // Mimic setting the status it already has is a decision too: the merchant is held CREATED.
      expect((await mimic(sb, held, { status: 'CREATED' })).status).toBe(204);
      expect((await control(sb, 'GET', `/merchants/${held}`)).json).toMatchObject({ status: 'CREATED', approves_at: null });

      await control(sb, 'POST', '/clock', { advance_ms: 600_000 });
      expect((await ping.getMerchant(pending)).status).toBe('PENDING');
      expect((await ping.getMerchant(held)).status).toBe('CREATED');
      expect((await callbackNumber(path, pending, 1)).body.status).toBe('PENDING');
      expect((await deliveries(sb, pending)).map((d) => d.body.status)).toEqual(['PENDING']);
      expect(await deliveries(sb, held)).toEqual([]);
    });
  });

  describe("Mimic's merchant decision", () => {
    let sb: RunningSandbox;
    let ping: PingClient;
    let path: string;

    beforeAll(async () => {
      sb = await sandboxWith(null);
      ping = client(sb);
      path = await withCallbacks(ping, 'mimic');
    });

    it('sets the status with 204 and an empty body, and sends the callback', async () => {
      const { id } = await ping.createMerchant(ORGANIZATION);
      const res = await mimic(sb, id, { status: 'DENIED' });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect((await callbackNumber(path, id, 1)).body).toEqual({ merchant_id: id, status: 'DENIED', occurred_at: expect.any(String) });
      const merchant = await ping.getMerchant(id);
      expect(merchant.status).toBe('DENIED');
      expect(merchant.organization?.kyc_information?.status).toBe('DENIED');

      // The same status again changes nothing and sends nothing.
      expect((await mimic(sb, id, { status: 'DENIED' })).status).toBe(204);
      expect((await deliveries(sb, id)).map((d) => d.body.status)).toEqual(['DENIED']);

      expect((await mimic(sb, id, { status: 'APPROVED' })).status).toBe(204);
      expect((await callbackNumber(path, id, 2)).body.status).toBe('APPROVED');
      expect((await ping.getMerchant(id)).status).toBe('APPROVED');
    });

    it('answers 422 for an unknown merchant, a malformed id or a bad status, and changes nothing', async () => {
      const unknown = await mimic(sb, GUID, { status: 'APPROVED' });
      expect(unknown.status).toBe(422);
      expect(unknown.json().errors[0]).toMatchObject({ error: 'merchant_not_found', property: 'merchant_id' });

      const malformed = await mimic(sb, 'merchant-1', { status: 'APPROVED' });
      expect(malformed.status).toBe(422);
      expect(malformed.json().errors[0]).toMatchObject({ error: 'invalid_value', property: 'merchant_id' });

      const { id } = await ping.createMerchant(ORGANIZATION);
      for (const body of [{ status: 'VERIFIED' }, {}, { status: 'approved' }]) {
        const bad = await mimic(sb, id, body);
        expect([JSON.stringify(body), bad.status]).toEqual([JSON.stringify(body), 422]);
        expect(bad.json().errors[0].property).toBe('status');
      }
      expect((await ping.getMerchant(id)).status).toBe('CREATED');
      expect(await deliveries(sb, id)).toEqual([]);
    });

    it('needs a tenant_id, and sees only its own tenant', async () => {
      const { id } = await ping.createMerchant(ORGANIZATION);
      expect((await sb.request('PUT', `/mimic/api/merchants/${id}`, { body: { status: 'APPROVED' }, noTenant: true })).status).toBe(401);
      const other = await sb.request('PUT', `/mimic/api/merchants/${id}`, { body: { status: 'APPROVED' }, headers: { tenant_id: GUID } });
      expect(other.status).toBe(422);
      expect((await ping.getMerchant(id)).status).toBe('CREATED');
    });

    it('goes through the fault plan like the rest of Mimic', async () => {
      const { id } = await ping.createMerchant(ORGANIZATION);
      await control(sb, 'PUT', '/faults', { error_rate: 1, error_status: 503, endpoints: ['PUT /mimic/api/merchants/:merchant_id'] });
      try {
        expect((await mimic(sb, id, { status: 'APPROVED' })).status).toBe(503);
        expect((await ping.getMerchant(id)).status).toBe('CREATED');
      } finally {
        await control(sb, 'PUT', '/faults', {});
      }
      expect((await mimic(sb, id, { status: 'APPROVED' })).status).toBe(204);
    });
  });

  describe('the control API', () => {
    let sb: RunningSandbox;
    let ping: PingClient;
    let path: string;

    beforeAll(async () => {
      sb = await sandboxWith(null);
      ping = client(sb);
      path = await withCallbacks(ping, 'control');
    });
    afterEach(async () => {
      await control(sb, 'PUT', '/faults', {});
      receiver.respondWith(200);
    });

    it('lists the merchant endpoints', async () => {
      const { json } = await control(sb, 'GET', '/');
      const endpoints = (json.endpoints as string[]).map((e) => e.replace(/\s+/g, ' '));
      for (const e of ['GET /_sandbox/merchants/:id', 'POST /_sandbox/merchants/:id/approve', 'POST /_sandbox/merchants/:id/deny', 'POST /_sandbox/merchants/:id/pending']) {
        expect(endpoints).toContain(e);
      }
    });

    it('shows a merchant, and moves it to PENDING, DENIED and APPROVED, one callback per change', async () => {
      const { id } = await ping.createMerchant(ORGANIZATION);
      const view = await control(sb, 'GET', `/merchants/${id}`);
      expect(view.status).toBe(200);
      expect(view.json).toMatchObject({ id, status: 'CREATED', tenant_id: sb.tenantId, name: 'Pizzeria AB', approves_at: null });

      const steps: Array<[string, string]> = [
        ['pending', 'PENDING'],
        ['deny', 'DENIED'],
        ['approve', 'APPROVED'],
      ];
      for (const [n, [action, status]] of steps.entries()) {
        const res = await control(sb, 'POST', `/merchants/${id}/${action}`);
        expect([action, res.status, res.json.changed, res.json.merchant?.status]).toEqual([action, 200, true, status]);
        // Each callback is awaited before the next change, so their order is the order of the changes.
        expect((await callbackNumber(path, id, n + 1)).body).toEqual({ merchant_id: id, status, occurred_at: res.json.merchant.status_changed_at });
        expect((await ping.getMerchant(id)).status).toBe(status);
      }

      const again = await control(sb, 'POST', `/merchants/${id}/approve`);
      expect(again.json).toMatchObject({ changed: false, merchant: { status: 'APPROVED' } });
      expect((await deliveries(sb, id)).map((d) => d.body.status)).toEqual(['PENDING', 'DENIED', 'APPROVED']);

      expect((await control(sb, 'POST', `/merchants/${id}/resend-callback`)).json).toEqual({ sent: true });
      expect((await callbackNumber(path, id, 4)).body.status).toBe('APPROVED');
    });

    it('answers 404 for an unknown Guid and 422 for an id that is no Guid', async () => {
      for (const action of ['', '/approve', '/deny', '/pending', '/resend-callback']) {
        const method = action ? 'POST' : 'GET';
        expect([action, (await control(sb, method, `/merchants/${GUID}${action}`)).status]).toEqual([action, 404]);
        const malformed = await control(sb, method, `/merchants/not-a-guid${action}`);
        expect([action, malformed.status, malformed.json.error]).toEqual([action, 422, 'invalid_request']);
      }
    });

    it("sends nothing, and refuses a resend, while the merchant's tenant has no callback URL", async () => {
      const bare = client(sb, '2b0f3a64-5c1d-4e8f-9a7b-6c5d4e3f2a10');
      const { id } = await bare.createMerchant(ORGANIZATION);
      expect((await control(sb, 'POST', `/merchants/${id}/approve`)).json.changed).toBe(true);
      expect(await deliveries(sb, id)).toEqual([]);
      const resend = await control(sb, 'POST', `/merchants/${id}/resend-callback`);
      expect([resend.status, resend.json.error]).toEqual([409, 'no_callback_url']);
    });

    it('sends merchant callbacks through the callback faults and retries', async () => {
      const dropped = (await ping.createMerchant(ORGANIZATION)).id;
      await control(sb, 'PATCH', '/faults', { callbacks: { drop_rate: 1 } });
      await control(sb, 'POST', `/merchants/${dropped}/approve`);
      expect((await deliveries(sb, dropped)).map((d) => d.state)).toEqual(['dropped']);
      await control(sb, 'PUT', '/faults', {});

      const retried = (await ping.createMerchant(ORGANIZATION)).id;
      receiver.respondWith((callback) => (callback.body.merchant_id === retried && callbacksAt(path, retried).length === 1 ? 500 : 200));
      await control(sb, 'POST', `/merchants/${retried}/deny`);
      await callbackNumber(path, retried, 2);
      const [delivery] = await waitFor(async () => {
        const log = await deliveries(sb, retried);
        return log[0]?.state === 'delivered' && log;
      });
      expect(delivery!.attempts.map((a: { status: number }) => a.status)).toEqual([500, 200]);
    });
  });

  describe('ids and lists', () => {
    let sb: RunningSandbox;

    beforeAll(async () => {
      sb = await sandboxWith(null);
    });

    it('takes any 8-4-4-4-12 hex Guid as a tenant and as a path id', async () => {
      const ping = client(sb, GUID);
      expect((await ping.getTenant()).id).toBe(GUID);
      const { id } = await ping.createMerchant(ORGANIZATION);
      expect((await ping.getMerchant(id.toUpperCase())).id).toBe(id);
      // Well-formed but unknown: Ping's 404, not a 422 and not a refusal by the client.
      expect(await pingError(ping.getMerchant(GUID))).toMatchObject({ status: 404, retryable: false });
      // Another tenant's merchant does not exist for this one.
      expect(await pingError(client(sb).getMerchant(id))).toMatchObject({ status: 404 });
    });

    it('refuses an id that is no Guid before sending it; the sandbox would answer 422', async () => {
      const ping = client(sb);
      const before = (await control(sb, 'GET', '/counters')).json.calls['GET /payments/api/v1/merchants/:merchant_id'] ?? 0;
      expect(await pingError(ping.getMerchant('../tenant'))).toMatchObject({ code: 'invalid_request', status: undefined });
      expect((await control(sb, 'GET', '/counters')).json.calls['GET /payments/api/v1/merchants/:merchant_id'] ?? 0).toBe(before);
      const raw = await sb.request('GET', '/payments/api/v1/merchants/0');
      expect(raw.status).toBe(422);
      expect(raw.json().errors[0]).toMatchObject({ error: 'invalid_value', property: 'merchant_id' });
    });

    it('lists every merchant of the tenant across pages, oldest first', async () => {
      const ping = client(sb, '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await ping.createMerchant({ ...ORGANIZATION, name: `Merchant ${i}` })).id);
      const countListCalls = async (): Promise<number> => (await control(sb, 'GET', '/counters')).json.calls['GET /payments/api/v1/merchants'] ?? 0;

      const before = await countListCalls();
      const all = await ping.listMerchants({ limit: 2 });
      expect(all.map((m) => m.id)).toEqual(ids);
      expect(all.map((m) => m.name)).toEqual(['Merchant 0', 'Merchant 1', 'Merchant 2', 'Merchant 3', 'Merchant 4']);
      expect((await countListCalls()) - before).toBe(3);

      expect((await ping.listMerchants({ limit: 2, maxPages: 2 })).map((m) => m.id)).toEqual(ids.slice(0, 4));
      expect((await ping.listMerchants()).map((m) => m.id)).toEqual(ids);
      expect(await pingError(ping.listMerchants({ limit: 0 }))).toMatchObject({ code: 'invalid_request' });
    });

    it('reads the tenant back after updating it, with the disbursement URL null when not given', async () => {
      const ping = client(sb, '6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b9c');
      await ping.updateTenant({ merchant_status_callback_url: 'https://tenant.example/merchants', credit_account_top_up_callback_url: 'https://tenant.example/top-up' });
      expect(await ping.getTenant()).toMatchObject({
        id: '6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b9c',
        merchant_status_callback_url: 'https://tenant.example/merchants',
        credit_account_top_up_callback_url: 'https://tenant.example/top-up',
        disbursement_callback_url: null,
      });
      await ping.updateTenant({
        merchant_status_callback_url: 'https://tenant.example/m2',
        credit_account_top_up_callback_url: 'https://tenant.example/top-up',
        disbursement_callback_url: 'https://tenant.example/disbursements',
      });
      expect((await ping.getTenant()).disbursement_callback_url).toBe('https://tenant.example/disbursements');
      expect(await pingError(ping.updateTenant({ merchant_status_callback_url: 'ftp://x', credit_account_top_up_callback_url: 'https://a.example' }))).toMatchObject({ code: 'invalid_request' });
    });
  });
});

describe('SANDBOX_MERCHANT_APPROVAL_MS', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['0', 0],
    ['1500', 1500],
    [' 250 ', 250],
    ['off', null],
    ['OFF', null],
    ['-1', null],
  ])('reads %j as %j', (raw, expected) => {
    expect(merchantApprovalDelayFromEnv(raw)).toBe(expected);
  });

  it.each(['soon', '1.5', '10ms', '99999999999'])('refuses %j, naming the variable', (raw) => {
    expect(() => merchantApprovalDelayFromEnv(raw)).toThrow(/^SANDBOX_MERCHANT_APPROVAL_MS must be/);
  });
});
