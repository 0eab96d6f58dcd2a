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
  paymentOrderStatusSchema,
  paymentStatusSchema,
  pingId,
  providers,
  timestamp,
  type Method,
  type Provider,
  vatPercent,
} from './commonSchemas';
import {
  dummyParameters,
  genericParameters,
  openPaymentsPisParameters,
  paymentIqParameters,
  pingCreditParameters,
  pingDepositParameters,
  swishECommerceParameters,
  swishMCommerceParameters,
  swishRecurringParameters,
} from './providerMethodSchemas';

/**
 * Payments API bodies (docs/ping-contract.md §2): payment orders and payments.
 * Requests are strict about what we send (unknown keys are stripped, defaults mirror what the SDK sends,
 * since that is what the real API is known to accept). Responses are loose objects: unknown fields are
 * kept, and only the fields the flows need are required.
 */

// ---------------------------------------------------------------- requests

/** The SDK writes `split_parameters: {}` and an explicit `split_tree_id: null`; so do we. */
export const createPaymentOrderRequestSchema = z.object({
  currency: currencySchema,
  split_parameters: z.record(z.string(), z.unknown()).default({}),
  split_tree_id: pingId.nullable().default(null),
});

export const orderItemRequestSchema = z
  .object({
    amount: amountMinor,
    name: z.string().min(1),
    vat_rate: vatPercent,
    merchant_id: pingId.optional(),
    liquidity_account_id: pingId.optional(),
    metadata: metadata.default({}),
    tags: z.array(z.string()).default([]),
  })
  .refine((item) => (item.merchant_id === undefined) !== (item.liquidity_account_id === undefined), {
    message: 'exactly one of merchant_id and liquidity_account_id is required',
    path: ['merchant_id'],
  });

const countryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 country code');

export const payerSchema = z.object({
  address: z
    .object({
      city: z.string().optional(),
      country: countryCode.optional(),
      county: z.string().optional(),
      postal_code: z.string().optional(),
      street: z.string().optional(),
    })
    .optional(),
  email: z.string().min(1).optional(),
  identity: z.object({ country: countryCode, identifier: z.string().min(1), type: z.enum(['person', 'organization']) }).optional(),
  ip_address: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  phone_number: z.string().min(1).optional(),
  source_of_funds: z
    .array(
      z.enum([
        'salary_or_employment_income',
        'business_profits',
        'inheritance',
        'sale_of_assets',
        'dividends_and_investment_income',
        'loan_or_credit',
        'gifts_and_donations',
        'insurance_payouts',
        'retirement_funds',
        'legal_settlements',
        'rental_income',
        'royalties',
        'lottery_or_gambling_winnings',
        'foreign_remittances',
      ]),
    )
    .optional(),
});

/**
 * Fields every initiate request shares. The SDK's junk `payment_order_id` (always the zero Guid) is
 * deliberately not sent: the path id is the one Ping reads.
 */
const initiateBase = z.object({
  currency: currencySchema,
  total_amount: amountMinor,
  order_items: z.array(orderItemRequestSchema).min(1),
  status_callback_url: httpUrl.optional(),
  metadata: metadata.default({}),
  payer: payerSchema.optional(),
});

function pair<const P extends Provider, const M extends Method, S extends z.ZodType>(provider: P, method: M, parameters: S) {
  return initiateBase.extend({ provider: z.literal(provider), method: z.literal(method), provider_method_parameters: parameters });
}

/** Providers whose parameters are not typed field by field (`verifone` is gone since SDK 1.7.0). */
export const genericProviders = ['billmate', 'bankgirot', 'baase', 'fortus', 'vipps_mobilepay', 'klarna', 'quickpay'] as const;

/**
 * Discriminated on `provider`, then on `method` where a provider has several typed pairs, so a wrong
 * parameter is reported under the pair the caller meant rather than as "no union member matched".
 */
export const initiatePaymentRequestSchema = z
  .discriminatedUnion('provider', [
    pair('dummy', 'dummy', dummyParameters),
    pair('open_payments', 'pis', openPaymentsPisParameters),
    z.discriminatedUnion('method', [
      pair('swish', 'e_commerce', swishECommerceParameters),
      pair('swish', 'm_commerce', swishMCommerceParameters),
      pair('swish', 'recurring', swishRecurringParameters),
    ]),
    z.discriminatedUnion('method', [pair('payment_iq', 'card', paymentIqParameters), pair('payment_iq', 'vipps', paymentIqParameters)]),
    z.discriminatedUnion('method', [pair('ping', 'deposit', pingDepositParameters), pair('ping', 'credit', pingCreditParameters)]),
    initiateBase.extend({ provider: z.enum(genericProviders), method: methodSchema, provider_method_parameters: genericParameters }),
  ])
  // Ping answers 422 when the total differs from the items' sum; catching it here names the field.
  .refine((p) => p.total_amount === p.order_items.reduce((sum, item) => sum + item.amount, 0), {
    message: 'must equal the sum of order_items[].amount',
    path: ['total_amount'],
  });

/**
 * Split and settle (docs/ping-contract.md §2.3). The SDK always writes `fast_forward`, so we do too:
 * false unless asked, since fast-forwarding would close (and split) an order behind our back.
 */
export const fastForwardRequestSchema = z.object({ fast_forward: z.boolean().default(false) });

export const refundReasons = ['fraudulent', 'requested_by_customer', 'other'] as const;

/**
 * Refund (docs/ping-contract.md §2.4, §8.13): only full refunds exist, so `amount` must be the
 * payment's total; Ping checks that, we only refuse what cannot be an amount. A zero refund means nothing.
 */
export const refundRequestSchema = z.object({
  amount: amountMinor.positive('must be a positive amount in minor units'),
  currency: currencySchema,
  reason: z.enum(refundReasons),
  description: z.string().default(''),
});

// ---------------------------------------------------------------- responses

/** `{"id": ...}`: what every Payments API create answers with. */
export const createdResponseSchema = z.looseObject({ id: pingId });

export const paymentOrderSchema = z.looseObject({
  id: pingId,
  status: paymentOrderStatusSchema,
  created_at: timestamp,
  currency: currencySchema,
  split_tree_id: pingId.nullish(),
});

const orderItemResponseSchema = z.looseObject({
  amount: z.number().int(),
  name: z.string(),
  vat_rate: z.number().optional(),
  merchant_id: pingId.nullish(),
  liquidity_account_id: pingId.nullish(),
  metadata: metadata.nullish(),
  tags: z.array(z.string()).nullish(),
});

export const statusHistoryEntrySchema = z.looseObject({
  id: pingId.optional(),
  status: paymentStatusSchema,
  occurred_at: timestamp,
  funds: z.looseObject({ received: z.number().int(), received_total: z.number().int() }).nullish(),
  details: z.looseObject({ provider_data: z.unknown().optional() }).nullish(),
});

const refundSchema = z.looseObject({ amount: z.number().int(), refunded_at: timestamp.nullish() });

export const paymentSchema = z.looseObject({
  id: pingId,
  status: paymentStatusSchema,
  status_history: z.array(statusHistoryEntrySchema).nullish(),
  currency: currencySchema,
  total_amount: z.number().int(),
  order_items: z.array(orderItemResponseSchema).nullish(),
  provider: openEnum(providers),
  method: openEnum(methods),
  metadata: metadata.nullish(),
  payer: z.looseObject({}).nullish(),
  payment_order_id: pingId.nullish(),
  refund: refundSchema.nullish(),
  refunds: z.array(refundSchema).nullish(),
  /** Not modelled by the SDK on reads (docs/ping-contract.md §2.4, §9): kept when Ping sends it. */
  provider_method_response: z.record(z.string(), z.unknown()).nullish(),
});

export const paymentOrderExtendedSchema = paymentOrderSchema.extend({
  payments: z.array(paymentSchema).nullish(),
});

/** GET api/v1/payments: a page, and where the next one is (docs/ping-contract.md §2.2: follow `_links.next.href`). */
export const paymentPageSchema = z.looseObject({
  data: z.array(paymentSchema),
  _links: z.looseObject({ next: z.looseObject({ href: z.string() }).nullish() }).nullish(),
});

export const initiatePaymentResponseSchema = z.looseObject({
  id: pingId,
  /** `{}` for several pairs; a missing or null one is read the same way. */
  provider_method_response: z.record(z.string(), z.unknown()).nullish(),
});

/**
 * The refund's 200 answer `{"amount", "currency", "provider", "status"}` (docs/ping-contract.md §2.4).
 * Everything is optional and `status` any string (the contract names no values, §9): once Ping has
 * answered 200 the money is on its way back, and a field we could not read must never turn that into
 * a failed (and retried) refund.
 */
export const refundResponseSchema = z.looseObject({
  amount: z.number().int().nullish(),
  currency: z.string().nullish(),
  provider: z.string().nullish(),
  status: z.string().nullish(),
});

export const recipientTypes = ['tenant', 'merchant', 'payment_facilitator'] as const;

/**
 * One share of a split order (docs/ping-contract.md §2.7). Read loosely: only who gets how much is
 * required; the rest (bank account, disbursement, labels) is taken when present and never checked
 * beyond its type, since we only pass allocations on. `recipient_type` is open for the same reason.
 */
export const allocationSchema = z.looseObject({
  id: pingId.nullish(),
  amount: z.number().int(),
  currency: openEnum(currencies),
  recipient_type: openEnum(recipientTypes),
  merchant_id: pingId.nullish(),
  order_item_merchant_id: pingId.nullish(),
  payment_id: pingId.nullish(),
  payment_order_id: pingId.nullish(),
  allocated_at: timestamp.nullish(),
  settled_at: timestamp.nullish(),
  disbursed_at: timestamp.nullish(),
  disbursement_id: pingId.nullish(),
  label: z.string().nullish(),
  reference: z.string().nullish(),
  recipient_name: z.string().nullish(),
  recipient_bank_account: z.looseObject({}).nullish(),
  metadata: metadata.nullish(),
});

/** GET api/v1/payment_orders/{id}/allocations answers a bare array, not a page (docs/ping-contract.md §2.2, §8.9). */
export const allocationListSchema = z.array(allocationSchema);

export type CreatePaymentOrderInput = z.input<typeof createPaymentOrderRequestSchema>;
export type OrderItemInput = z.input<typeof orderItemRequestSchema>;
export type Payer = z.input<typeof payerSchema>;
export type InitiatePaymentInput = z.input<typeof initiatePaymentRequestSchema>;
export type CreatedResponse = z.output<typeof createdResponseSchema>;
export type PaymentOrder = z.output<typeof paymentOrderSchema>;
export type PaymentOrderExtended = z.output<typeof paymentOrderExtendedSchema>;
export type Payment = z.output<typeof paymentSchema>;
export type StatusHistoryEntry = z.output<typeof statusHistoryEntrySchema>;
export type InitiatePaymentResponse = z.output<typeof initiatePaymentResponseSchema>;
export type RefundPaymentInput = z.input<typeof refundRequestSchema>;
export type RefundResponse = z.output<typeof refundResponseSchema>;
/** Named apart from domain/payment.ts's `Allocation`, the part of it that the workflows keep. */
export type PaymentOrderAllocation = z.output<typeof allocationSchema>;
