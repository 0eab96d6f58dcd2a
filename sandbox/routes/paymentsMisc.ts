import { z } from 'zod';
import { SANDBOX_TENANT_NAME } from '../allocations';
import type { SandboxContext } from '../context';
import { notFound } from '../errors';
import { paginate } from '../http/pagination';
import type { PingApi } from '../http/pingApi';
import { approveDueMerchants, createMerchantRecord } from '../merchants';
import { callbackUrl, parseOr422 } from '../schemas/common';
import { createMerchantSchema } from '../schemas/payments';
import { merchantWire } from '../wire';

const updateTenantSchema = z.object({
  credit_account_top_up_callback_url: callbackUrl,
  merchant_status_callback_url: callbackUrl,
  disbursement_callback_url: callbackUrl.nullish(),
});

/** The smaller Payments API resources an orchestrator may touch: ping, merchants, tenant, poke. */
export function paymentsMiscRoutes(ctx: SandboxContext, api: PingApi): void {
  // Liveness answers with or without a tenant_id (docs/ping-contract.md §1.3).
  api.getWithoutTenant('/api/v1/ping', () => ({ status: 200, text: 'pong' }));

  // A new merchant is CREATED; its approval comes later (sandbox/merchants.ts).
  api.post('/api/v1/merchants', ({ tenant, body }) => {
    const input = parseOr422(createMerchantSchema, body);
    const merchant = createMerchantRecord(ctx, tenant, {
      name: input.name,
      email: input.email ?? null,
      phoneNumber: input.phone_number ?? null,
      organization: input.organization ?? null,
      person: input.person ?? null,
    });
    ctx.counters.created('merchants', []);
    return { status: 200, json: { id: merchant.id } };
  });

  api.get('/api/v1/merchants/:merchant_id', ({ tenant, params }) => {
    approveDueMerchants(ctx, tenant);
    const merchant = tenant.merchants.get(params.merchant_id.toLowerCase());
    if (!merchant) throw notFound('Merchant', params.merchant_id);
    return { status: 200, json: merchantWire(merchant) };
  });

  api.get('/api/v1/merchants', (req) => {
    approveDueMerchants(ctx, req.tenant);
    return { status: 200, json: paginate([...req.tenant.merchants.values()].map(merchantWire), req) };
  });

  api.get('/api/v1/tenant', ({ tenant }) => ({
    status: 200,
    json: {
      id: tenant.tenantId,
      name: SANDBOX_TENANT_NAME,
      organization: { country: 'SE', se_organization_number: '5591235378' },
      accounts: { credit: [] },
      callback_signing_key: null,
      ...tenant.settings,
      payment_provider_methods: [],
    },
  }));

  api.put('/api/v1/tenant', ({ tenant, body }) => {
    const input = parseOr422(updateTenantSchema, body);
    tenant.settings = {
      credit_account_top_up_callback_url: input.credit_account_top_up_callback_url,
      merchant_status_callback_url: input.merchant_status_callback_url,
      disbursement_callback_url: input.disbursement_callback_url ?? null,
    };
    return { status: 204 };
  });

  // The test-callback payload is not documented (docs/ping-contract.md §2.8); this one says what it is.
  api.post('/api/v1/poke', ({ tenant, body }) => {
    const input = parseOr422(z.object({ callback_url: callbackUrl }), body);
    ctx.callbacks.enqueue({
      kind: 'poke',
      tenantId: tenant.tenantId,
      resourceId: tenant.tenantId,
      url: input.callback_url,
      body: { poke: true, tenant_id: tenant.tenantId, occurred_at: ctx.clock.iso() },
    });
    return { status: 200, json: {} };
  });
}
