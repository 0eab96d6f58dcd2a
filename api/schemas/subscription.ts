import { z } from 'zod';
import { paymentLinkAmount } from '../../domain/amount';
import type { PaymentLinkRequest } from '../../domain/requests';
import type { InvoiceStatus, SubscriptionEventType, SubscriptionResource, SubscriptionStatus } from '../../domain/subscription';
import { CURSOR_PATTERN } from '../../domain/ids';
import { currency, instant, searchableText } from './common';
import { paymentLinkFields } from './paymentLink';

/**
 * The subscription endpoints' bodies (api/routes/subscriptions.ts, issue 16): what they accept, and
 * what they answer (exact, as api/schemas/responses.ts's are; the OpenAPI document publishes them open).
 * Unknown fields are rejected.
 */

// ---------------------------------------------------------------- the invoice: a payment link's fields

/*
 * Each invoice of a subscription is a payment link, so the subscription takes a link's fields exactly
 * as `POST /v1/payment-links` does (and the OpenAPI document shows them the same). The link's
 * cross-field checks (total, SMS needs a phone, OCR/KID) are made by parsing a sample invoice with the
 * whole link schema (api/routes/subscriptions.ts).
 */
/** The link's fields a subscription takes: all but `due_at`, which each invoice gets from the schedule. */
const { due_at: _dueAt, ...invoiceFields } = paymentLinkFields;

// ---------------------------------------------------------------- the schedule

/** Checked by domain/subscriptionSchedule.ts (validateSchedule), which names the field in its 400. */
const duration = (description: string) =>
  z.string({ error: 'must be an ISO 8601 duration, such as P1M' }).max(40, 'must be at most 40 characters').meta({ description });

const end = z
  .strictObject({
    after_periods: z
      .number({ error: 'must be a number' })
      .int('must be a whole number of periods')
      .min(1, 'must be at least 1')
      .max(10_000, 'must be at most 10000')
      .optional()
      .meta({ description: 'The subscription ends `ended` after this many periods (invoices)' }),
    at: instant.optional().meta({ description: 'The subscription ends `ended` at the first period boundary at or after this instant; must be in the future, and not before the first period ends' }),
  })
  .refine((e) => e.after_periods !== undefined || e.at !== undefined, 'must be {"after_periods": n} or {"at": "<instant>"}')
  .meta({ description: 'Exactly one of `after_periods` and `at`; absent or null: no end' });

export const DEFAULT_DUE_AFTER = 'P14D';
export const DEFAULT_GRACE_PERIOD = 'P3D';
/** How far in the past `start_at` may lie (a clock a little behind ours, or a request that took a while). */
export const START_AT_SLACK_MS = 60_000;

const scheduleFields = {
  interval: duration('ISO 8601 duration of a period, e.g. `P1M`, `P1W`, `P3M`, `P1Y`. Under a day (`PT5S`) only when the server runs with `SUBSCRIPTIONS_ALLOW_SHORT_INTERVALS=true`'),
  start_at: instant
    .optional()
    .meta({ description: `ISO 8601 instant: the first period's start, when its invoice is made. Default now; at most ${START_AT_SLACK_MS / 1000} s in the past` }),
  due_after: duration(`Each invoice is due this long after its period starts (default \`${DEFAULT_DUE_AFTER}\`)`).optional(),
  reminders: z
    .array(duration('A signed offset from the due date, e.g. `-P3D` (three days before) or `P1D` (a day after)'), { error: 'must be an array of ISO 8601 durations' })
    .max(10, 'must have at most 10 reminders')
    .optional()
    .meta({ description: 'Offsets from the due date at which an unpaid invoice is sent again, the way it was distributed (default none). None may fall before the period start or after the grace period ends' }),
  grace_period: duration(`How long after the due date an unpaid invoice may still be paid before the subscription is cancelled as \`unpaid\` (default \`${DEFAULT_GRACE_PERIOD}\`)`).optional(),
  end: end.nullable().optional(),
};

export type SubscriptionCreateRequest = Omit<PaymentLinkRequest, 'due_at'> & {
  interval: string;
  start_at?: string;
  due_after?: string;
  reminders?: string[];
  grace_period?: string;
  end?: { after_periods?: number; at?: string } | null;
};

/**
 * `POST /v1/subscriptions`: a payment link's fields for every invoice (the merchant's defaults fill
 * in supplier, payment methods, locale and notify_url, as for a link) and the schedule.
 */
export const subscriptionCreateRequestSchema: z.ZodType<SubscriptionCreateRequest> = z.strictObject({ ...invoiceFields, ...scheduleFields });

/** The schedule's fields, which are no field of the invoices' payment links. */
export const SCHEDULE_FIELDS = Object.keys(scheduleFields) as Array<keyof typeof scheduleFields>;

/** `PATCH /v1/subscriptions/:id`: the items billed from the next invoice on. */
export const subscriptionUpdateRequestSchema = z
  .strictObject({ items: paymentLinkFields.items })
  .superRefine((body, ctx) => {
    // The payment link's own limit on its total (api/schemas/paymentLink.ts): each invoice is one.
    if (paymentLinkAmount(body) > 1_000_000_000) ctx.addIssue({ code: 'custom', path: ['items'], message: 'the total must be at most 1000000000 minor units' });
  });

/** `POST /v1/subscriptions/:id/cancel`. */
export const subscriptionCancelRequestSchema = z.strictObject({
  at_period_end: z
    .boolean({ error: 'must be true or false' })
    .optional()
    .meta({ description: 'true: no further invoice, the subscription is cancelled when the current period ends; false (default): now, and its open invoices are cancelled at Ping' }),
});

export const SUBSCRIPTION_STATES = ['active', 'past_due', 'paused', 'cancelled', 'ended'] as const satisfies readonly SubscriptionStatus[];

/** `GET /v1/subscriptions`'s query string. */
export const subscriptionListQuerySchema = z.strictObject({
  status: z.enum(SUBSCRIPTION_STATES, { error: `must be one of ${SUBSCRIPTION_STATES.join(', ')}` }).optional(),
  merchant_reference: searchableText(128).optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int().min(1, 'must be between 1 and 100').max(100, 'must be between 1 and 100').default(10),
  cursor: z
    .string()
    .regex(CURSOR_PATTERN, 'must be a cursor from an earlier page')
    .optional()
    .meta({ description: '`next_cursor` of the previous page of the same query' }),
});

// ---------------------------------------------------------------- answers

const instantOut = z.iso.datetime({ offset: true }).describe('An ISO 8601 instant, e.g. 2026-12-31T12:00:00.000Z');
/** Both ways assignable: neither side has a field the other lacks (checked by the compiler). */
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

const INVOICE_STATES = ['open', 'overdue', 'paid', 'expired', 'cancelled', 'failed'] as const satisfies readonly InvoiceStatus[];
const EVENT_TYPES = [
  'subscription.created',
  'invoice.created',
  'invoice.reminder_sent',
  'invoice.paid',
  'invoice.overdue',
  'invoice.cancelled',
  'subscription.past_due',
  'subscription.active',
  'subscription.updated',
  'subscription.paused',
  'subscription.resumed',
  'subscription.cancelled',
  'subscription.ended',
] as const satisfies readonly SubscriptionEventType[];

const subscriptionShape = z
  .strictObject({
    id: z.string().describe('`sub_` and 20 characters; with an Idempotency-Key, derived from it and the merchant'),
    object: z.literal('subscription'),
    merchant: z.string().describe('Our merchant (`mer_…`) the subscription bills for'),
    status: z
      .enum(SUBSCRIPTION_STATES)
      .describe('`active`; `past_due` while an invoice is overdue; `paused`; `cancelled` (by request, or `unpaid`: an invoice went unpaid past its grace period); `ended` (its end was reached)'),
    current_period: z
      .strictObject({ index: z.number().int().describe('0-based'), start: instantOut, end: instantOut })
      .nullable()
      .describe('The last period invoiced; null before the first period starts'),
    next_invoice_at: instantOut.nullable().describe('When the next invoice is made; null while paused, once closing and once final'),
    invoices: z
      .array(
        z.strictObject({
          id: z.string().describe('The payment id of the invoice\'s payment link: `GET /v1/payments/{id}`'),
          period: z.number().int(),
          amount: z.number().int().describe('Minor units'),
          currency,
          status: z.enum(INVOICE_STATES),
          due_at: instantOut,
          checkout_url: z.string().nullable(),
        }),
      )
      .describe('The latest invoices, oldest first (at most 24; the older ones live on as their payments)'),
    cancel_at_period_end: z.boolean(),
    cancellation_reason: z.enum(['unpaid', 'requested']).nullable(),
    interval: z.string().describe('ISO 8601 duration'),
    start_at: instantOut,
    due_after: z.string().describe('ISO 8601 duration'),
    grace_period: z.string().describe('ISO 8601 duration'),
    reminders: z.array(z.string()).describe('Signed ISO 8601 durations from the due date'),
    end: z.strictObject({ after_periods: z.number().int().optional(), at: instantOut.optional() }).nullable(),
    merchant_reference: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    items: z
      .array(z.strictObject({ description: z.string(), merchant_id: z.string(), price: z.number().int(), quantity: z.number().int(), vat: z.number(), unit: z.string().optional() }))
      .describe('What the next invoice bills: a change applies from the next period on'),
    currency,
    created_at: instantOut,
    history: z
      .array(z.strictObject({ type: z.enum(EVENT_TYPES), at: instantOut, detail: z.string().optional() }))
      .describe('The latest events, oldest first (at most 100)'),
  })
  .describe('A subscription: recurring payment link invoices on a schedule, one durable Temporal workflow');
export const subscriptionSchema: z.ZodType<SubscriptionResource> = subscriptionShape;
export const subscriptionSchemaMatchesType: Mutual<z.output<typeof subscriptionShape>, SubscriptionResource> = true;

export const subscriptionListSchema = z
  .strictObject({
    object: z.literal('list'),
    data: z.array(subscriptionShape),
    has_more: z.boolean(),
    next_cursor: z.string().nullable().describe('Pass as `cursor` to get the next page; null on the last page'),
  })
  .describe('A page of subscriptions, newest first');
