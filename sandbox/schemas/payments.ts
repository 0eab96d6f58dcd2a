import { z } from 'zod';
import { methods as METHODS, providers as PROVIDERS } from '../../ping/commonSchemas';
import {
  callbackUrl,
  currency,
  guid,
  metadata,
  minorAmount,
  objectBody,
  requiredText,
  tags,
  vatRate,
} from './common';

// The literal enum lists of docs/ping-contract.md are shared with the client; how each side reads the
// rest of it stays independent, so the contract tests still compare two readings.
export { providers as PROVIDERS, methods as METHODS } from '../../ping/commonSchemas';

export const provider = z.enum(PROVIDERS);
export const method = z.enum(METHODS);

export const createPaymentOrderSchema = z.object({
  currency,
  // The SDK always sends `{}` here and an explicit null split_tree_id.
  split_parameters: metadata,
  split_tree_id: guid.nullish().transform((v) => v ?? null),
});

export const updatePaymentOrderSchema = z.object({
  split_parameters: z.record(z.string(), z.unknown()).nullish(),
  split_tree_id: guid.nullish(),
});

export const fastForwardSchema = z
  .object({ fast_forward: z.boolean().nullish() })
  .nullish()
  .transform((v) => v?.fast_forward === true);

export const orderItemSchema = z
  .object({
    amount: minorAmount.min(0, 'must not be negative'),
    name: requiredText,
    vat_rate: vatRate,
    // Update and reconcile send these as explicit nulls; initiate omits them.
    merchant_id: guid.nullish().transform((v) => v ?? null),
    liquidity_account_id: guid.nullish().transform((v) => v ?? null),
    metadata,
    tags,
  })
  .refine((i) => (i.merchant_id === null) !== (i.liquidity_account_id === null), {
    message: 'exactly one of merchant_id and liquidity_account_id must be set',
    path: ['merchant_id'],
  });

const orderItems = z.array(orderItemSchema).min(1, 'must contain at least one order item');

export const initiatePaymentSchema = z
  .object({
    currency,
    total_amount: minorAmount.min(1, 'must be at least 1'),
    order_items: orderItems,
    provider,
    method,
    // Values inside are written even when null by the SDK; the provider rules decide what is required.
    provider_method_parameters: objectBody,
    status_callback_url: callbackUrl.nullish().transform((v) => v ?? null),
    metadata,
    payer: objectBody.nullish().transform((v) => v ?? null),
    // `payment_order_id` is the SDK's junk field (always the zero UUID); the path id is authoritative.
  })
  .refine((p) => p.total_amount === p.order_items.reduce((sum, i) => sum + i.amount, 0), {
    message: 'must equal the sum of order_items[].amount',
    path: ['total_amount'],
    params: { error: 'total_amount_mismatch' },
  });

export const updatePaymentSchema = z.object({ order_items: orderItems });

export const reconcileSchema = z.object({ order_items: orderItems.nullish() });

export const refundSchema = z.object({
  amount: minorAmount.min(1),
  currency,
  description: z.string().nullish(),
  reason: z.enum(['fraudulent', 'requested_by_customer', 'other']),
});

export const createMerchantSchema = z
  .object({
    name: requiredText,
    email: z.string().nullish(),
    phone_number: z.string().nullish(),
    organization: z.looseObject({ country: z.string().length(2) }).nullish(),
    person: z.looseObject({ country: z.string().length(2) }).nullish(),
  })
  .refine((m) => (m.organization ? 1 : 0) + (m.person ? 1 : 0) === 1, {
    message: 'exactly one of organization and person must be set',
    path: ['organization'],
  });
