import { z } from 'zod';
import {
  amountMinor,
  currencies,
  currencySchema,
  httpUrl,
  metadata,
  methods,
  methodSchema,
  openEnum,
  paymentLinkStatusSchema,
  pingId,
  providers,
  providerSchema,
  referenceTypes,
  referenceTypeSchema,
  smsStatuses,
  vatPercent,
} from './commonSchemas';

/**
 * Payment Links API bodies (docs/ping-contract.md §5). Same rules as paymentsSchemas.ts:
 * requests stripped to what we mean to send, responses loose with only what the flows need required.
 * Beware the naming differences from the Payments API (docs/ping-contract.md §8.5):
 * `items`/`price`/`quantity`/`vat`, `payment_link_status_callback_url`, `parameters` per provider
 * method, and `payment_link_id` on reads.
 */

// ---------------------------------------------------------------- requests

export const linkItemRequestSchema = z.object({
  description: z.string().min(1),
  merchant_id: pingId,
  /** Per unit; the link total is Σ price × quantity. */
  price: amountMinor,
  quantity: z.number().int().positive(),
  vat: vatPercent,
  item_number: z.string().min(1).optional(),
  unit: z.string().min(1).default('st'),
  metadata: metadata.default({}),
  tags: z.array(z.string()).default([]),
});

export const customerSchema = z.object({
  first_name: z.string().min(1),
  last_name: z.string().min(1),
  email: z.string().min(1).optional(),
  phone: z.string().min(1).optional(),
  reference: z.string().min(1).optional(),
});

export const supplierSchema = z.object({
  name: z.string().min(1),
  city: z.string().optional(),
  organization_number: z.string().optional(),
  website: z.string().optional(),
  zip: z.string().optional(),
});

/**
 * The SDK sends `street_addres` (one "s") and nobody knows whether the API reads that or
 * `street_address` (docs/ping-contract.md §5.2, §9). Ping ignores unknown keys (it tolerates the SDK's junk fields),
 * so the safest reading is to send the same value under both spellings: whichever one Ping reads is set.
 */
export const addressRequestSchema = z
  .object({ city: z.string().min(1), street_address: z.string().min(1), zip: z.string().min(1) })
  .transform(({ city, street_address, zip }) => ({ city, street_addres: street_address, street_address, zip }));

export const paymentProviderMethodRequestSchema = z.object({
  provider: providerSchema,
  method: methodSchema,
  /** e.g. `{"swish_message": "..."}` for Swish; omitted for most methods. */
  parameters: z.record(z.string(), z.unknown()).optional(),
});

export const createPaymentLinkRequestSchema = z
  .object({
    payment_order_id: pingId,
    currency: currencySchema,
    total_amount: amountMinor,
    items: z.array(linkItemRequestSchema).min(1),
    customer: customerSchema,
    supplier: supplierSchema,
    locale: z.enum(['sv-SE', 'nb-NO']),
    payment_provider_methods: z.array(paymentProviderMethodRequestSchema).min(1),
    /** Format unspecified by the SDK (docs/ping-contract.md §9); a `YYYY-MM-DD` date is the likely reading. */
    due_date: z.string().min(1).optional(),
    checkout_cancel_url: httpUrl.optional(),
    checkout_success_url: httpUrl.optional(),
    /** Only for a custom checkout; leave unset to get Ping's hosted one back. */
    checkout_url: httpUrl.optional(),
    delivery_address: addressRequestSchema.optional(),
    invoice_address: addressRequestSchema.optional(),
    logo_image_link: httpUrl.optional(),
    payment_link_status_callback_url: httpUrl.optional(),
    metadata: metadata.default({}),
  })
  // Ping answers 403 on a mismatch; catching it here names the field.
  .refine((link) => link.total_amount === link.items.reduce((sum, item) => sum + item.price * item.quantity, 0), {
    message: 'must equal the sum of items[].price × items[].quantity',
    path: ['total_amount'],
  });

export const distributionMethodSchema = z.enum(['sms', 'email']);

export const distributePaymentLinkRequestSchema = z.object({
  methods: z
    .array(distributionMethodSchema)
    .min(1)
    .refine((m) => new Set(m).size === m.length, 'must not repeat a method'),
  customer_phone: z.string().min(1).optional(),
  customer_email: z.string().min(1).optional(),
});

export const createPaymentLinkInvoiceRequestSchema = z.object({
  reference_type: referenceTypeSchema,
  document_name: z.string().min(1).optional(),
});

// ---------------------------------------------------------------- responses

/** Create answers `id` (a read answers `payment_link_id`); `checkout_url` is Ping's hosted checkout. */
export const createPaymentLinkResponseSchema = z.looseObject({
  id: pingId,
  checkout_url: z.string().nullish(),
});

/** Both spellings accepted on reads too, for the reason given at `addressRequestSchema`. */
const addressResponseSchema = z.looseObject({
  city: z.string().nullish(),
  street_addres: z.string().nullish(),
  street_address: z.string().nullish(),
  zip: z.string().nullish(),
});

const linkItemResponseSchema = z.looseObject({
  description: z.string().nullish(),
  merchant_id: pingId.nullish(),
  price: z.number().int(),
  quantity: z.number().int(),
  vat: z.number().nullish(),
  item_number: z.string().nullish(),
  unit: z.string().nullish(),
  metadata: metadata.nullish(),
  tags: z.array(z.string()).nullish(),
});

export const paymentLinkSchema = z.looseObject({
  payment_link_id: pingId,
  status: paymentLinkStatusSchema,
  total_amount: z.number().int(),
  tenant_id: pingId.nullish(),
  payment_order_id: pingId.nullish(),
  /** The Payments API payment that paid the link. */
  payment_id: pingId.nullish(),
  /** Open: `DELIVERD` (sic) per the SDK, and a corrected spelling must not make the link unreadable. */
  sms_status: openEnum(smsStatuses).nullish(),
  distributed_by_email: z.boolean().nullish(),
  invoice_created: z.boolean().nullish(),
  items: z.array(linkItemResponseSchema).nullish(),
  customer: z.looseObject({ first_name: z.string().nullish(), last_name: z.string().nullish() }).nullish(),
  delivery_address: addressResponseSchema.nullish(),
  invoice_address: addressResponseSchema.nullish(),
  due_date: z.string().nullish(),
  locale: z.string().nullish(),
  logo_image_link: z.string().nullish(),
  checkout_url: z.string().nullish(),
  payment_link_status_callback_url: z.string().nullish(),
  payment_provider_methods: z
    .array(z.looseObject({ provider: openEnum(providers), method: openEnum(methods), parameters: z.record(z.string(), z.unknown()).nullish() }))
    .nullish(),
  metadata: metadata.nullish(),
  /** Not modelled on reads by the SDK; kept when present. */
  currency: openEnum(currencies).optional(),
});

/** A bare JSON array: this list is not paginated (docs/ping-contract.md §5.1). */
export const paymentLinkListSchema = z.array(paymentLinkSchema);

export const paymentLinkInvoiceSchema = z.looseObject({
  url: z.string().min(1),
  reference_type: openEnum(referenceTypes),
  reference: z.string().min(1),
});

/** `url` may be null until Ping has rendered the receipt. */
export const paymentLinkReceiptSchema = z.looseObject({
  url: z.string().nullish(),
});

export type CreatePaymentLinkInput = z.input<typeof createPaymentLinkRequestSchema>;
export type LinkItemInput = z.input<typeof linkItemRequestSchema>;
export type AddressInput = z.input<typeof addressRequestSchema>;
export type DistributePaymentLinkInput = z.input<typeof distributePaymentLinkRequestSchema>;
export type CreatePaymentLinkInvoiceInput = z.input<typeof createPaymentLinkInvoiceRequestSchema>;
export type CreatePaymentLinkResponse = z.output<typeof createPaymentLinkResponseSchema>;
export type PaymentLink = z.output<typeof paymentLinkSchema>;
export type PaymentLinkInvoice = z.output<typeof paymentLinkInvoiceSchema>;
export type PaymentLinkReceipt = z.output<typeof paymentLinkReceiptSchema>;
