import { notFound } from '../errors';
import type { PingApi } from '../http/pingApi';
import { dateFilter, inRange } from '../http/queryFilters';
import { disbursementWire } from '../wire';

/** Disbursements (docs/ping-contract.md §2.1 #20 and #21, §2.7), made by Mimic's trigger (routes/mimic.ts). */
export function disbursementRoutes(api: PingApi): void {
  // A bare array, not a page (§2.2), oldest first.
  api.get('/api/v1/disbursements', ({ tenant, query }) => {
    const from = dateFilter('from', query.from);
    const to = dateFilter('to', query.to);
    const disbursements = [...tenant.disbursements.values()].filter((d) => inRange(d.disbursedAt, from, to));
    return { status: 200, json: disbursements.map((d) => disbursementWire(d, tenant.allocations)) };
  });

  api.get('/api/v1/disbursements/:disbursement_id', ({ tenant, params }) => {
    const disbursement = tenant.disbursements.get(params.disbursement_id.toLowerCase());
    if (!disbursement) throw notFound('Disbursement', params.disbursement_id);
    return { status: 200, json: disbursementWire(disbursement, tenant.allocations) };
  });
}
