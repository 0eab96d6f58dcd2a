import type { SandboxContext } from '../context';
import { disburseOrders } from '../disbursements';
import { unprocessable } from '../errors';
import type { PingApi } from '../http/pingApi';
import { decideMerchantStatus } from '../merchants';
import { parseOr422 } from '../schemas/common';
import { disburseSchema, merchantDecisionSchema } from '../schemas/mimic';

/**
 * Mimic, Ping's sandbox event simulator (docs/ping-contract.md §7), under `/mimic/` (its own host at
 * Ping). The disbursement trigger and the merchant decision are emulated; the sandbox's control API
 * (`/_sandbox`) covers the rest. Its other endpoints answer 404.
 */
export function mimicRoutes(ctx: SandboxContext, api: PingApi): void {
  // Answers 200 with the outcome per order, like the other triggers Ping answers with a body (§8.2).
  api.post('/api/disbursements', ({ tenant, body }) => {
    const input = parseOr422(disburseSchema, body);
    return { status: 200, json: disburseOrders(ctx, tenant, input.payment_orders) };
  });

  // Ping's tests see a 422 for an unknown merchant here, not the 404 the Payments API gives (§7).
  api.put('/api/merchants/:merchant_id', ({ tenant, params, body }) => {
    const input = parseOr422(merchantDecisionSchema, body);
    const merchant = tenant.merchants.get(params.merchant_id.toLowerCase());
    if (!merchant) throw unprocessable('merchant_not_found', `Merchant ${params.merchant_id} was not found`, 'merchant_id');
    decideMerchantStatus(ctx, merchant, input.status);
    return { status: 204 };
  });
}
