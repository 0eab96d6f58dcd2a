import { z } from 'zod';
import { amountMinor, httpUrl, paymentStatusSchema, referenceTypeSchema, vatPercent } from './commonSchemas';

/**
 * `provider_method_parameters` of an initiate-payment request, one schema per provider/method pair
 * (docs/ping-contract.md §2.5). Only the pairs our flows or our tests use are typed field by field;
 * see `genericProviders` in paymentsSchemas.ts for the rest.
 */

/**
 * The sandbox outcome switch. COMPLETED is the SDK's default; it is always sent because nothing says
 * what Ping does when the key is absent.
 */
export const dummyParameters = z.object({
  desired_payment_status: paymentStatusSchema.default('COMPLETED'),
});

/**
 * The C# SDK has no model for `open_payments`/`pis`; these four keys come from the older Python SDK
 * (docs/ping-contract.md §2.5 [PY]), whose 422 example names `open_banking.success_url` as required. All four are
 * required here: sending fewer would only move the failure from our validation to Ping's.
 */
export const openPaymentsPisParameters = z.object({
  success_url: httpUrl,
  error_url: httpUrl,
  cancel_url: httpUrl,
  reference: z.string().min(1),
});

export const swishECommerceParameters = z.object({
  message: z.string(),
  /** The payer's Swish number, e.g. `0701234567`. */
  phone_number: z.string().min(1),
});

/** The qr_* keys only matter with `use_qr_code: true` (the SDK omits them otherwise). */
export const swishMCommerceParameters = z.object({
  message: z.string(),
  use_qr_code: z.boolean().optional(),
  qr_border: z.number().int().nonnegative().optional(),
  qr_format: z.enum(['transparent_svg', 'transparent_png', 'solid_jpg', 'solid_svg', 'solid_png']).optional(),
  qr_size: z.number().int().positive().optional(),
});

export const swishRecurringParameters = z.object({
  consent_id: z.string().min(1),
  message: z.string(),
});

/** There is no `cancel_url` for PaymentIQ: the SDK's `cancelUrl` argument fills `error_url`. */
export const paymentIqParameters = z.object({
  success_url: httpUrl,
  error_url: httpUrl,
  locale: z.enum(['en-US', 'sv-SE', 'nb-NO']),
  /** Styling of PaymentIQ's card UI; passed through untouched. */
  cashier: z.record(z.string(), z.unknown()).nullish(),
});

const depositInvoice = z.object({
  locale: z.string().min(1),
  text_fields: z.object({ headline: z.string(), sub_texts: z.record(z.string(), z.string()).optional() }),
  supplier: z.object({ name: z.string().optional(), image_url: httpUrl.optional() }),
  customer: z.object({ name: z.string(), street_address: z.string(), postal_code: z.string(), city: z.string() }),
  rows: z
    .array(
      z.object({
        description: z.string(),
        quantity: z.number().positive(),
        vat_rate: vatPercent,
        amount: amountMinor,
        article_number: z.string().optional(),
      }),
    )
    .min(1),
});

export const pingDepositParameters = z
  .object({
    complete_when_funded: z.boolean().optional(),
    reference_type: referenceTypeSchema,
    /** Reuses an existing OCR/KID; Ping answers 403 while another payment with it is still pending. */
    reference: z.string().min(1).nullish(),
    desired_date_of_payment: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as yyyy-MM-dd')
      .nullish(),
    invoice: depositInvoice.nullish(),
  })
  // The SDK's invoice helper insists on it: an invoice without a due date is not one a payer can act on.
  .refine((p) => !p.invoice || p.desired_date_of_payment, {
    message: 'is required when an invoice is requested',
    path: ['desired_date_of_payment'],
  });

export const pingCreditParameters = z.object({
  liquidity_account_id: z.string().min(1),
});

/** Pairs without a typed schema: the parameters are forwarded as given and Ping validates them. */
export const genericParameters = z.record(z.string(), z.unknown());
