import { z } from 'zod';
import type { PisPaymentRequest } from '../../domain/requests';
import { amountMinor, currency, httpsUrl, latePaymentPolicy, settlementMode, merchantId, metadata, searchableText, text, vatPercent } from './common';
import { pisPaymentAmount } from '../../domain/amount';

/** `POST /v1/pis-payments`. Unknown fields are rejected (a typo must not silently drop a setting). */
export const pisPaymentRequestSchema: z.ZodType<PisPaymentRequest> = z
  .strictObject({
    currency,
    order_items: z
      .array(z.strictObject({ name: text(200), amount: amountMinor, vat_rate: vatPercent, merchant_id: merchantId }), { error: 'must be an array of items' })
      .min(1, 'must have at least one item')
      .max(100, 'must have at most 100 items'),
    success_url: httpsUrl,
    cancel_url: httpsUrl,
    error_url: httpsUrl,
    payer: z
      .strictObject({
        email: z.email('must be an e-mail address').max(254).optional(),
        phone: z.string().trim().regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number').optional(),
        name: text(200).optional(),
      })
      .optional(),
    merchant_name: text(200).optional(),
    locale: z.enum(['sv-SE', 'nb-NO'], { error: 'must be sv-SE or nb-NO' }).optional(),
    // Banks show the reference on the payer's statement; Ping's PIS takes a short one.
    reference: searchableText(35).optional(),
    metadata: metadata.optional(),
    timeout_seconds: z.number({ error: 'must be a number' }).int('must be whole seconds').min(5, 'must be at least 5').max(86_400, 'must be at most 86400').optional(),
    notify_url: httpsUrl.optional(),
    settlement: settlementMode.optional(),
    late_payment: latePaymentPolicy.optional(),
  })
  .superRefine((body, ctx) => {
    const total = pisPaymentAmount(body);
    if (total > 1_000_000_000) ctx.addIssue({ code: 'custom', path: ['order_items'], message: 'the total must be at most 1000000000 minor units' });
  });
