import { z } from 'zod';
import type { PaymentLinkRequest } from '../../domain/requests';
import { amountMinor, currency, freeformObject, httpsUrl, latePaymentPolicy, settlementMode, instant, merchantId, metadata, method, provider, searchableText, text, vatPercent } from './common';
import { paymentLinkAmount } from '../../domain/amount';

const item = z.strictObject({
  description: text(200),
  merchant_id: merchantId,
  price: amountMinor,
  quantity: z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(10_000, 'must be at most 10000'),
  vat: vatPercent,
  unit: text(16).optional(),
});

export const phone = z.string().trim().regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number, e.g. 0701234567 or +46701234567');

/** The fields of a payment link request, each with its own checks; a subscription's invoices take them too (api/schemas/subscription.ts). */
export const paymentLinkFields = {
  currency,
  locale: z.enum(['sv-SE', 'nb-NO'], { error: 'must be sv-SE or nb-NO' }),
  items: z.array(item, { error: 'must be an array of items' }).min(1, 'must have at least one item').max(100, 'must have at most 100 items'),
  customer: z.strictObject({
    first_name: text(100),
    last_name: text(100),
    email: z.email('must be an e-mail address').max(254).optional(),
    phone: phone.optional(),
    reference: text(100).optional(),
  }),
  supplier: z.strictObject({
    name: text(200),
    city: text(100).optional(),
    organization_number: text(40).optional(),
    website: httpsUrl.optional(),
    zip: text(20).optional(),
  }),
  payment_methods: z
    .array(z.strictObject({ provider, method, parameters: freeformObject.optional() }), { error: 'must be an array' })
    .min(1, 'must offer at least one payment method')
    .max(10, 'must offer at most 10 payment methods'),
  due_at: instant
    .meta({
      description:
        'ISO 8601 instant with a time zone; must be in the future when the payment is created. A retry with the same Idempotency-Key and body answers with the payment even once it has passed.',
    })
    .optional(),
  distribution: z
    .strictObject({
      sms: z.boolean().optional(),
      email: z.boolean().optional(),
      invoice: z.strictObject({ reference_type: z.enum(['OCR', 'KID'], { error: 'must be OCR or KID' }) }).optional(),
    })
    .optional(),
  success_url: httpsUrl.optional(),
  cancel_url: httpsUrl.optional(),
  merchant_reference: searchableText(128).optional(),
  metadata: metadata.optional(),
  notify_url: httpsUrl.optional(),
  settlement: settlementMode.optional(),
  late_payment: latePaymentPolicy.optional(),
};

/** `POST /v1/payment-links`. Unknown fields are rejected (a typo must not silently drop a setting). */
export const paymentLinkRequestSchema: z.ZodType<PaymentLinkRequest> = z
  .strictObject(paymentLinkFields)
  .superRefine((body, ctx) => {
    const total = paymentLinkAmount(body);
    if (total > 1_000_000_000) ctx.addIssue({ code: 'custom', path: ['items'], message: 'the total must be at most 1000000000 minor units' });
    if (body.distribution?.sms && !body.customer.phone) ctx.addIssue({ code: 'custom', path: ['customer', 'phone'], message: 'is required for distribution.sms' });
    if (body.distribution?.email && !body.customer.email) ctx.addIssue({ code: 'custom', path: ['customer', 'email'], message: 'is required for distribution.email' });
    // OCR is the Swedish bank-giro reference, KID the Norwegian one: Ping issues each only in its currency.
    const referenceType = body.distribution?.invoice?.reference_type;
    if (referenceType === 'OCR' && body.currency !== 'SEK') ctx.addIssue({ code: 'custom', path: ['distribution', 'invoice', 'reference_type'], message: 'OCR invoices need currency SEK' });
    if (referenceType === 'KID' && body.currency !== 'NOK') ctx.addIssue({ code: 'custom', path: ['distribution', 'invoice', 'reference_type'], message: 'KID invoices need currency NOK' });
  });
