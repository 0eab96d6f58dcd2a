import { z } from 'zod';
import { REFUND_REASONS } from '../../domain/payment';
import { amountMinor, text } from './common';

/**
 * `POST /v1/payments/:id/refunds`. Ping refunds only a whole payment (docs/ping-contract.md §2.5), so
 * there is no amount to choose: one may be sent, and must then be the payment's (checked by the route).
 */
export const refundRequestSchema = z.strictObject({
  reason: z.enum(REFUND_REASONS, { error: `must be one of ${REFUND_REASONS.join(', ')}` }),
  description: text(500).optional(),
  amount: amountMinor.optional().meta({ description: "If sent, must equal the payment's amount: refunds are always for the whole payment" }),
});

export type RefundRequestBody = z.infer<typeof refundRequestSchema>;
