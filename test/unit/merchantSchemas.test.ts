import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createMerchantRequestSchema,
  createPingClient,
  merchantSchema,
  merchantStatusCallbackSchema,
  PingApiError,
  tenantSchema,
  updateTenantRequestSchema,
  type PingClient,
} from '../../ping';

/**
 * The merchant and tenant schemas (ping/merchantsSchemas.ts) on their own, and what the client puts
 * on the wire for them, seen by a real HTTP server on loopback that plays Ping.
 */

const MERCHANT_ID = '0b0c1d2e-3f40-4152-8364-758697a8b9ca';
const TENANT_ID = '11111111-2222-3333-4444-555555555555';

describe('create merchant request', () => {
  it('takes an organisation or a person, exactly one', () => {
    expect(createMerchantRequestSchema.safeParse({ name: 'AB', organization: { country: 'SE', se_organization_number: '5591235378' } }).success).toBe(true);
    expect(createMerchantRequestSchema.safeParse({ name: 'Jane', person: { country: 'DE' } }).success).toBe(true);
    expect(createMerchantRequestSchema.safeParse({ name: 'Neither' }).success).toBe(false);
    expect(
      createMerchantRequestSchema.safeParse({ name: 'Both', organization: { country: 'SE' }, person: { country: 'SE' } }).success,
    ).toBe(false);
  });

  it.each([
    ['a 9-digit Swedish organisation number', { organization: { country: 'SE', se_organization_number: '559123537' } }],
    ['a Norwegian one of 10 digits', { organization: { country: 'NO', no_organization_number: '9231234560' } }],
    ['two organisation numbers', { organization: { country: 'SE', se_organization_number: '5591235378', no_organization_number: '923123456' } }],
    ['a lower-case country', { organization: { country: 'se' } }],
    ['an 11-digit personal identity number', { person: { country: 'SE', se_personal_identity_number: '19900101123' } }],
  ])('refuses %s', (_name, part) => {
    expect(createMerchantRequestSchema.safeParse({ name: 'X', ...part }).success).toBe(false);
  });

  it('leaves out what is not given instead of writing null, and drops unknown keys', () => {
    const parsed = createMerchantRequestSchema.parse({ name: 'AB', organization: { country: 'SE' }, vat: 'x' } as never);
    expect(parsed).toEqual({ name: 'AB', organization: { country: 'SE' } });
  });
});

describe('update tenant request', () => {
  it('writes an explicit null for an unset disbursement URL, as the SDK does', () => {
    expect(updateTenantRequestSchema.parse({ merchant_status_callback_url: 'https://a.example/m', credit_account_top_up_callback_url: 'https://a.example/t' })).toEqual({
      merchant_status_callback_url: 'https://a.example/m',
      credit_account_top_up_callback_url: 'https://a.example/t',
      disbursement_callback_url: null,
    });
  });

  it('requires the two URLs the SDK requires, as http(s)', () => {
    expect(updateTenantRequestSchema.safeParse({ merchant_status_callback_url: 'https://a.example/m' }).success).toBe(false);
    expect(updateTenantRequestSchema.safeParse({ merchant_status_callback_url: 'javascript:alert(1)', credit_account_top_up_callback_url: 'https://a.example/t' }).success).toBe(false);
  });
});

describe('merchant and tenant reads', () => {
  const merchant = {
    id: MERCHANT_ID,
    name: 'Pizzeria AB',
    email: null,
    phone_number: null,
    status: 'APPROVED',
    organization: {
      country: 'SE',
      se_organization_number: '5591235378',
      kyc_information: { kyc_renewal_ongoing: false, latest_kyc_gathered_at: '2026-01-16T14:24:29.1053560+00:00', status: 'RENEWAL_DUE', risk: 'low' },
    },
    person: null,
    payment_provider_methods: [{ provider: 'swish', method: 'e_commerce' }, { provider: 'new_provider', method: 'new_method' }],
    onboarded_by: 'ping',
  };

  it('keeps fields Ping adds and reads open values where we only show them', () => {
    const parsed = merchantSchema.parse(merchant);
    expect(parsed).toMatchObject({ id: MERCHANT_ID, status: 'APPROVED', onboarded_by: 'ping' });
    expect(parsed.organization?.kyc_information).toMatchObject({ status: 'RENEWAL_DUE', risk: 'low' });
    expect(parsed.payment_provider_methods?.[1]).toEqual({ provider: 'new_provider', method: 'new_method' });
  });

  it('reads a merchant with only an id and a status', () => {
    expect(merchantSchema.parse({ id: MERCHANT_ID, status: 'CREATED' })).toEqual({ id: MERCHANT_ID, status: 'CREATED' });
  });

  it('fails on a merchant status it does not know, since whether to pay a merchant depends on it', () => {
    expect(merchantSchema.safeParse({ ...merchant, status: 'SUSPENDED' }).success).toBe(false);
    expect(merchantSchema.safeParse({ ...merchant, id: 'merchant-1' }).success).toBe(false);
  });

  it('reads a tenant with fields of its own', () => {
    const tenant = tenantSchema.parse({
      id: TENANT_ID,
      name: 'Tenant AB',
      organization: { country: 'SE' },
      accounts: { credit: [{ balance: 1000, currency: 'SEK' }], liquidity: [] },
      callback_signing_key: null,
      merchant_status_callback_url: 'https://a.example/m',
      payment_provider_methods: [],
      features: ['x'],
    });
    expect(tenant).toMatchObject({ id: TENANT_ID, merchant_status_callback_url: 'https://a.example/m', features: ['x'] });
  });
});

describe('merchant status callback', () => {
  it('reads our inferred shape, the Payment-style one and either spelling of the time', () => {
    expect(merchantStatusCallbackSchema.parse({ merchant_id: MERCHANT_ID, status: 'DENIED', occurred_at: 't1' })).toEqual({ merchantId: MERCHANT_ID, status: 'DENIED', occurredAt: 't1' });
    expect(merchantStatusCallbackSchema.parse({ id: MERCHANT_ID, status: 'LATER', occured_at: 't2' })).toEqual({ merchantId: MERCHANT_ID, status: 'LATER', occurredAt: 't2' });
  });

  it('takes a body without an id (it is only a trigger), but never a malformed id', () => {
    expect(merchantStatusCallbackSchema.parse({})).toEqual({ merchantId: undefined, status: undefined, occurredAt: undefined });
    expect(merchantStatusCallbackSchema.safeParse({ merchant_id: '../x' }).success).toBe(false);
  });
});

describe('the client on the wire', () => {
  interface Received {
    method: string;
    url: string;
    body: string;
  }
  let server: http.Server;
  let received: Received[];
  let answer: { status: number; body?: unknown };
  let client: PingClient;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', body });
        if (answer.body === undefined) res.writeHead(answer.status).end();
        else res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = createPingClient({ paymentsApiUrl: `${origin}/payments`, paymentLinksApiUrl: `${origin}/payment_links/`, tenantId: TENANT_ID, timeoutMs: 2000 });
  });
  beforeEach(() => {
    received = [];
  });
  afterAll(async () => {
    await client?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('PUTs the tenant with the disbursement URL as an explicit null, and takes only 204', async () => {
    answer = { status: 204 };
    await client.updateTenant({ merchant_status_callback_url: 'https://a.example/m', credit_account_top_up_callback_url: 'https://a.example/t' });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'PUT', url: '/payments/api/v1/tenant' });
    expect(JSON.parse(received[0]!.body)).toEqual({
      merchant_status_callback_url: 'https://a.example/m',
      credit_account_top_up_callback_url: 'https://a.example/t',
      disbursement_callback_url: null,
    });

    answer = { status: 200, body: {} };
    const err = await client.updateTenant({ merchant_status_callback_url: 'https://a.example/m', credit_account_top_up_callback_url: 'https://a.example/t' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PingApiError);
    expect(err).toMatchObject({ code: 'unexpected_status' });
  });

  it('POSTs a merchant without nulls, and reads the id of the 200', async () => {
    answer = { status: 200, body: { id: MERCHANT_ID, extra: true } };
    const created = await client.createMerchant({ name: 'Jane Doe', person: { country: 'SE', se_personal_identity_number: '199001011234' } });
    expect(created).toMatchObject({ id: MERCHANT_ID });
    expect(received[0]).toMatchObject({ method: 'POST', url: '/payments/api/v1/merchants' });
    expect(JSON.parse(received[0]!.body)).toEqual({ name: 'Jane Doe', person: { country: 'SE', se_personal_identity_number: '199001011234' } });
  });

  it('follows next pages only on the same API', async () => {
    answer = { status: 200, body: { data: [{ id: MERCHANT_ID, status: 'CREATED' }], _links: { next: { href: 'https://elsewhere.example/payments/api/v1/merchants?cursor=x' } } } };
    expect((await client.listMerchants()).map((m) => m.id)).toEqual([MERCHANT_ID]);
    expect(received.map((r) => r.url)).toEqual(['/payments/api/v1/merchants']);
  });
});
