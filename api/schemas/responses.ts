import { z } from 'zod';
import { PAYMENT_FLOWS, PAYMENT_STATES, REFUND_REASONS, SETTLEMENT_MODES, type PaymentResource, type PaymentState } from '../../domain/payment';
import type { ApiErrorBody, ApiErrorType } from '../errors';
import { currency } from './common';

/**
 * What the API answers, as zod schemas: the source of the responses in the OpenAPI document
 * (api/openapi/), and what test/integration/openapi.test.ts checks real responses against.
 *
 * Each schema is exact (strict objects): a field the code adds to a response without adding it here
 * fails that test, and the ones typed with the code's own types (`PaymentResource`, `ApiErrorBody`)
 * fail the type check when those types change. The published document leaves the objects open
 * (clients must ignore fields they do not know), see `openApiDocument`.
 */

const instant = z.iso.datetime({ offset: true }).describe('An ISO 8601 instant, e.g. 2026-12-31T12:00:00.000Z');
const url = z.url().describe('An absolute URL');
const paymentState = z.enum(PAYMENT_STATES as [PaymentState, ...PaymentState[]]);
const paymentFlow = z.enum(PAYMENT_FLOWS);

export const paymentEventSchema = z.strictObject({
  type: z.string().describe('What happened, e.g. `link_created`, `sms_sent`, `paid`, `receipt_emailed`'),
  at: instant,
  detail: z.string().optional(),
});

export const paymentFailureSchema = z.strictObject({
  code: z.string().describe("Our code, or Ping's error code when Ping refused the payment"),
  message: z.string(),
  ping_status: z.number().int().optional().describe("Ping's HTTP status when Ping refused the request"),
  param: z.string().optional(),
});

export const allocationSchema = z.strictObject({
  recipient_type: z.string().describe("Ping's recipient type: `merchant`, `tenant` (the platform's fee) or `payment_facilitator`"),
  merchant_id: z.string().nullable().describe("Ping's merchant id for a merchant's share"),
  amount: z.number().int().describe('Minor units'),
  currency: z.string(),
});

export const settlementSchema = z
  .strictObject({
    mode: z.enum(SETTLEMENT_MODES),
    status: z.enum(['pending', 'settled', 'failed']).describe('`pending` through the hold and the steps at Ping; `failed` when Ping refused a step (the payment stays paid)'),
    hold_until: instant.nullable().describe('When automatic settlement begins; null for manual settlement'),
    settled_at: instant.nullable(),
    ping_order_status: z.string().nullable().describe("The payment order's status at Ping after the last step: CLOSED, SPLIT, SETTLED"),
    allocations: z.array(allocationSchema).describe("Who gets what, as Ping split the order (read back after the split)"),
    failure: paymentFailureSchema.nullable(),
  })
  .describe("The paid payment's settlement at Ping: close, split, settle");

export const refundSchema = z
  .strictObject({
    status: z.enum(['pending', 'succeeded', 'failed']).describe('`pending` until a fetch at Ping shows the refund'),
    reason: z.enum([...REFUND_REASONS, 'late_payment']).describe('`late_payment`: the automatic refund of a payment Ping completed after it had ended'),
    description: z.string().nullable(),
    amount: z.number().int().describe('Always the whole payment: Ping refunds no part of one'),
    currency,
    requested_at: instant,
    refunded_at: instant.nullable(),
    ping_status: z.string().nullable().describe("Ping's own word for the refund in its answer"),
    failure: paymentFailureSchema.nullable(),
  })
  .describe('The refund of the payment, if one was asked for');

/** Both ways assignable: neither side has a field the other lacks (checked by the compiler). */
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** `GET /v1/payments/:id`, the create endpoints and cancel: the whole payment. */
const paymentShape = z
  .strictObject({
    id: z.string().describe('The payment id: `payment-link-<Idempotency-Key>` or `pis-payment-<Idempotency-Key>`; for a merchant, `payment-link-<merchant id>.<Idempotency-Key>`'),
    object: z.literal('payment'),
    flow: paymentFlow,
    status: paymentState,
    amount: z.number().int().describe('Total in minor units (öre, øre, cents)'),
    currency,
    merchant: z.string().nullable().describe('Our merchant (`mer_…`) the payment was made for, or null for a platform payment'),
    subscription_id: z.string().nullable().describe('The subscription (`sub_…`) this payment is an invoice of; null for a payment made on its own'),
    merchant_reference: z.string().nullable(),
    checkout_url: url.nullable().describe("Where the payer pays: Ping's hosted checkout, or the bank's page for PIS"),
    ping_payment_order_id: z.string().nullable(),
    ping_payment_link_id: z.string().nullable(),
    ping_payment_id: z.string().nullable(),
    ping_status: z.string().nullable().describe("Ping's own status of the link or payment, as last fetched"),
    ping_status_history: z.array(z.strictObject({ status: z.string(), at: z.string().describe('As Ping reports it') })),
    due_at: instant.nullable().describe("For links, when it expires; for PIS payments, the payer's deadline at the bank"),
    created_at: instant,
    updated_at: instant,
    paid_at: instant.nullable(),
    distribution: z.strictObject({ sms: z.boolean(), email: z.boolean(), invoice: z.boolean() }),
    invoice: z.strictObject({ url, reference_type: z.string(), reference: z.string() }).nullable(),
    receipt_url: url.nullable(),
    redirect_urls: z.strictObject({ success: url.nullable(), cancel: url.nullable(), error: url.nullable() }),
    failure: paymentFailureSchema.nullable(),
    settlement: settlementSchema.nullable().describe('Null until the payment is paid, and again once it is refunded before its settlement began (nothing is left to settle)'),
    refund: refundSchema.nullable(),
    late_payment: z.boolean().describe('Ping completed the payment after it had ended (expired, cancelled or failed)'),
    metadata: z.record(z.string(), z.string()),
    events: z.array(paymentEventSchema),
  })
  .describe('A payment: one durable Temporal workflow from order creation to a final state');
export const paymentSchema: z.ZodType<PaymentResource> = paymentShape;
export const paymentSchemaMatchesType: Mutual<z.output<typeof paymentShape>, PaymentResource> = true;

/** One row of `GET /v1/payments`: read from Temporal visibility (search attributes), so every field may be missing. */
export const paymentSummarySchema = z
  .strictObject({
    id: z.string(),
    object: z.literal('payment'),
    flow: paymentFlow.nullable(),
    status: paymentState.nullable(),
    amount: z.number().int().nullable(),
    currency: z.string().nullable(),
    merchant: z.string().nullable(),
    merchant_reference: z.string().nullable(),
    ping_payment_order_id: z.string().nullable(),
    ping_payment_link_id: z.string().nullable(),
    ping_payment_id: z.string().nullable(),
    due_at: instant.nullable(),
    created_at: instant,
  })
  .describe('A payment as listed: its search attributes; GET /v1/payments/{id} has the whole payment');

export const paymentListSchema = z
  .strictObject({
    object: z.literal('list'),
    data: z.array(paymentSummarySchema),
    has_more: z.boolean(),
    next_cursor: z.string().nullable().describe('Pass as `cursor` to get the next page; null on the last page'),
  })
  .describe('A page of payments, newest first');

export const invoiceSchema = z.strictObject({
  object: z.literal('invoice'),
  payment_id: z.string(),
  url: url.describe('The PDF invoice'),
  reference_type: z.string().describe('`OCR` (Sweden) or `KID` (Norway)'),
  reference: z.string().describe('The payment reference printed on the invoice'),
});

export const receiptSchema = z.strictObject({
  object: z.literal('receipt'),
  payment_id: z.string(),
  url: url.describe('The PDF receipt'),
});

const errorTypes: [ApiErrorType, ...ApiErrorType[]] = ['invalid_request_error', 'authentication_error', 'idempotency_error', 'rate_limit_error', 'api_error'];

/** The one error shape of the API (api/errors.ts). */
const errorShape = z
  .strictObject({
    error: z
      .object({
        type: z.enum(errorTypes).describe('Branch on `type` and `code`; `message` is for people'),
        code: z.string().describe('e.g. `parameter_invalid`, `missing_api_key`, `resource_missing`, `idempotency_key_reused`'),
        message: z.string(),
        param: z.string().optional().describe('The request parameter at fault, e.g. `items[0].price`'),
        request_id: z.string().optional().describe('Also in the `X-Request-Id` response header'),
        payment_id: z.string().optional().describe('The payment a refused create made (422, 502)'),
        ping_status: z.number().int().optional().describe("Ping's HTTP status, when Ping refused the payment"),
      })
      .catchall(z.unknown()),
  })
  .describe('Every error answer');
export const errorSchema: z.ZodType<ApiErrorBody> = errorShape;
export const errorSchemaMatchesType: Mutual<z.output<typeof errorShape>, ApiErrorBody> = true;

export const healthSchema = z.strictObject({ status: z.literal('ok') });

export const readinessSchema = z.strictObject({
  status: z.enum(['ready', 'not_ready']),
  checks: z.strictObject({ temporal: z.string().describe('`ok`, or why Temporal is unavailable') }),
});

const base64 = z.string().describe('base64');
/** Temporal's remote codec protocol, both ways (api/codecRoutes.ts). */
export const codecPayloadsSchema = z.strictObject({
  payloads: z.array(
    z.strictObject({
      metadata: z.record(z.string(), base64).describe('Payload metadata, each value base64'),
      data: base64,
    }),
  ),
});
