import { z } from 'zod';
import { CURSOR_PATTERN } from '../../domain/ids';
import { PAYMENT_STATES } from '../../domain/payment';
import { searchableText } from './common';
import { PAYMENT_FLOWS } from '../../domain/payment';

/**
 * `GET /v1/payments`'s query string. Unknown parameters are rejected (a misspelt filter must not
 * silently list everything). The OpenAPI document lists the endpoint's parameters from this schema
 * (api/openapi/parameters.ts), descriptions included, so the two cannot drift apart.
 */
export const paymentListQuerySchema = z.strictObject({
  status: z.enum(PAYMENT_STATES as [string, ...string[]], { error: `must be one of ${PAYMENT_STATES.join(', ')}` }).optional(),
  flow: z.enum(PAYMENT_FLOWS, { error: `must be ${PAYMENT_FLOWS.join(' or ')}` }).optional(),
  merchant_reference: searchableText(128).optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int().min(1, 'must be between 1 and 100').max(100, 'must be between 1 and 100').default(20),
  cursor: z
    .string()
    .regex(CURSOR_PATTERN, 'must be a cursor from an earlier page')
    .optional()
    .meta({ description: '`next_cursor` of the previous page of the same query' }),
});
