import { z } from 'zod';
import { guid } from './common';

/** Mimic's disbursement trigger (docs/ping-contract.md §7): an empty list is a 422. */
export const disburseSchema = z.object({
  payment_orders: z.array(guid).min(1, 'must name at least one payment order'),
});
