import { z } from 'zod';
import { MERCHANT_STATUSES } from '../entities';
import { guid } from './common';

/** Mimic's disbursement trigger (docs/ping-contract.md §7): an empty list is a 422. */
export const disburseSchema = z.object({
  payment_orders: z.array(guid).min(1, 'must name at least one payment order'),
});

/** Mimic's merchant decision (docs/ping-contract.md §7): any MerchantStatus, the current one included. */
export const merchantDecisionSchema = z.object({ status: z.enum(MERCHANT_STATUSES) });
