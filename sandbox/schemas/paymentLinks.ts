import { z } from 'zod';
import { LOCALES } from '../entities';
import {
  callbackUrl,
  currency,
  guid,
  metadata,
  minorAmount,
  optionalText,
  redirectUrl,
  requiredText,
  tags,
  vatRate,
} from './common';
import { method, provider } from './payments';

const linkItem = z.object({
  description: requiredText,
  merchant_id: guid,
  price: minorAmount.min(0, 'must not be negative'),
  quantity: z.number().int('must be a whole number').min(1, 'must be at least 1'),
  vat: vatRate,
  item_number: optionalText,
  unit: z
    .string()
    .nullish()
    .transform((v) => v || 'st'),
  metadata,
  tags,
});

const customer = z.object({
  first_name: requiredText,
  last_name: requiredText,
  email: optionalText,
  phone: optionalText,
  reference: optionalText,
});

const supplier = z.object({
  name: requiredText,
  city: optionalText,
  organization_number: optionalText,
  website: optionalText,
  zip: optionalText,
});

/**
 * The SDK sends `street_addres` (one "s"); whether Ping reads that or `street_address` is unknown
 * (docs/ping-contract.md §5.2, §9), so either is accepted and both are echoed back.
 */
const address = z
  .object({
    city: optionalText,
    street_addres: optionalText,
    street_address: optionalText,
    zip: optionalText,
  })
  .nullish()
  .transform((a) => (a ? { city: a.city, street_address: a.street_address ?? a.street_addres, zip: a.zip } : null));

const providerMethod = z.object({
  provider,
  method,
  parameters: z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((v) => v ?? null),
});

const nullableRedirect = redirectUrl.nullish().transform((v) => v ?? null);

/**
 * Business rules that docs/ping-contract.md §5.1 gives as 403 (empty provider list, total mismatch,
 * unknown order) are checked by the route, not here: a schema failure is always a 422.
 * The SDK's junk fields `payment_link_id`, `status` and `sms_status` are dropped with the other
 * unknown keys.
 */
export const createPaymentLinkSchema = z.object({
  payment_order_id: guid,
  currency,
  // No minimum here: a total unlike Σ price × quantity is the route's 403, whatever the total, 0
  // included, and no 422 may come before it (docs/ping-contract.md §6).
  total_amount: minorAmount,
  items: z.array(linkItem).min(1, 'must contain at least one item'),
  customer,
  supplier,
  locale: z.enum(LOCALES),
  payment_provider_methods: z.array(providerMethod),
  due_date: optionalText,
  checkout_cancel_url: nullableRedirect,
  checkout_success_url: nullableRedirect,
  checkout_url: nullableRedirect,
  delivery_address: address,
  invoice_address: address,
  logo_image_link: optionalText,
  payment_link_status_callback_url: callbackUrl.nullish().transform((v) => v ?? null),
  metadata,
});

export type CreatePaymentLinkInput = z.output<typeof createPaymentLinkSchema>;

export const distributeSchema = z.object({
  methods: z.array(z.enum(['sms', 'email'])).min(1, 'must name at least one of sms, email'),
  customer_phone: optionalText,
  customer_email: optionalText,
});

export const createInvoiceSchema = z.object({
  reference_type: z.enum(['OCR', 'KID']),
  document_name: optionalText,
});
