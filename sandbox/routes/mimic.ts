import type { SandboxContext } from '../context';
import { disburseOrders } from '../disbursements';
import type { PingApi } from '../http/pingApi';
import { parseOr422 } from '../schemas/common';
import { disburseSchema } from '../schemas/mimic';

/**
 * Mimic, Ping's sandbox event simulator (docs/ping-contract.md §7), under `/mimic/` (its own host at
 * Ping). Only the disbursement trigger is emulated; the sandbox's control API (`/_sandbox`) covers
 * the rest. Its other endpoints answer 404.
 */
export function mimicRoutes(ctx: SandboxContext, api: PingApi): void {
  // Answers 200 with the outcome per order, like the other triggers Ping answers with a body (§8.2).
  api.post('/api/disbursements', ({ tenant, body }) => {
    const input = parseOr422(disburseSchema, body);
    return { status: 200, json: disburseOrders(ctx, tenant, input.payment_orders) };
  });
}
