import { Router } from 'express';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { OutboundUrlPolicy } from '../../common/outboundUrl';
import { paymentLinkAmount } from '../../domain/amount';
import { formatAmount } from '../../domain/format';
import type { MerchantAuth } from '../../domain/merchant';
import type { PaymentLinkRequest } from '../../domain/requests';
import { MerchantId, MerchantReference, SubscriptionId, SubscriptionStatus } from '../../domain/searchAttributes';
import { SUBSCRIPTION_ID_PATTERN, subscriptionWorkflowId, type SubscriptionInput, type SubscriptionResource } from '../../domain/subscription';
import { subscriptionFingerprintQuery } from '../../domain/subscriptionMessages';
import { describeInterval, dueAt, validateSchedule, type ScheduleInput, type ScheduleIssue } from '../../domain/subscriptionSchedule';
import { ApiError, methodNotAllowed } from '../errors';
import { fingerprintOf } from '../../common/fingerprint';
import { idempotencyKeyOf } from '../idempotency';
import { withMerchantDefaults } from '../merchantDefaults';
import { patiently } from '../merchants';
import { assertRequestUrlsAllowed } from '../outboundUrls';
import { readUntil } from '../../common/readUntil';
import { noBodyParameters, requireJsonBody } from '../requestBody';
import { invalidParameter, parseBody, type BodyIssue } from '../schemas/common';
import { paymentLinkRequestSchema } from '../schemas/paymentLink';
import {
  DEFAULT_DUE_AFTER,
  DEFAULT_GRACE_PERIOD,
  START_AT_SLACK_MS,
  subscriptionCancelRequestSchema,
  subscriptionCreateRequestSchema,
  subscriptionListQuerySchema,
  subscriptionUpdateRequestSchema,
  type SubscriptionCreateRequest,
} from '../schemas/subscription';
import {
  askSubscription,
  readOwnSubscription,
  readSubscription,
  requireMerchant,
  subscriptionIdFor,
  subscriptionLister,
  subscriptionNotFound,
} from '../subscriptions';

/** How long a create waits for the first invoice when the first period has begun, and a cancel for the subscription to be cancelled. */
const ANSWER_WAIT_MS = 10_000;
/** The earliest instant there is: validateSchedule's checks against "now" hold for any schedule there. */
const EARLIEST_MS = -8.64e15;

export interface SubscriptionRoutesDeps {
  client: Client;
  taskQueue: string;
  /** Key material for list cursors' MAC (api/listCursors.ts). */
  cursorSecret?: string;
  /** Where a notify_url may point (ALLOW_HTTP_WEBHOOK_URLS, ALLOW_PRIVATE_WEBHOOK_URLS). */
  outboundUrls: OutboundUrlPolicy;
  /** SUBSCRIPTIONS_ALLOW_SHORT_INTERVALS: durations under a day are accepted (tests and demos). */
  allowShortIntervals: boolean;
}

const idempotencyMismatch = () =>
  new ApiError(409, 'idempotency_error', 'idempotency_key_reused', 'This Idempotency-Key was already used with a different request body; use a new key for a new subscription');

const issueOf = ({ param, message }: ScheduleIssue): BodyIssue => ({ path: [param], message });

/** The schedule as the workflow and validateSchedule take it (epoch ms, the defaults filled in). */
function scheduleOf(request: SubscriptionCreateRequest, startAtMs: number, allowShortIntervals: boolean): Omit<ScheduleInput, 'nowMs'> {
  const end = request.end;
  return {
    interval: request.interval,
    startAtMs,
    dueAfter: request.due_after ?? DEFAULT_DUE_AFTER,
    reminders: request.reminders ?? [],
    gracePeriod: request.grace_period ?? DEFAULT_GRACE_PERIOD,
    end: end ? { ...(end.at !== undefined ? { at: Date.parse(end.at) } : {}), ...(end.after_periods !== undefined ? { after_periods: end.after_periods } : {}) } : null,
    allowShortIntervals,
  };
}

/** The payment link fields of the request: what every invoice is made of. */
function invoiceFieldsOf(request: SubscriptionCreateRequest): Omit<PaymentLinkRequest, 'due_at'> {
  const { interval: _i, start_at: _s, due_after: _d, reminders: _r, grace_period: _g, end: _e, ...invoice } = request;
  return invoice;
}

/** For the Web UI: a one-line summary and markdown details. Amounts, schedule and references; no payer data. */
function describe(id: string, link: PaymentLinkRequest, schedule: Omit<ScheduleInput, 'nowMs'>): { staticSummary: string; staticDetails: string } {
  const money = formatAmount(paymentLinkAmount(link), link.currency);
  const reference = link.merchant_reference ?? link.customer.reference;
  const interval = String(schedule.interval);
  const end = schedule.end;
  const ends = end?.after_periods !== undefined ? `after ${end.after_periods} periods` : end?.at !== undefined ? new Date(end.at).toISOString() : 'never';
  const distribution = [link.distribution?.sms ? 'SMS' : '', link.distribution?.email ? 'e-mail' : '', link.distribution?.invoice ? `PDF invoice (${link.distribution.invoice.reference_type})` : '']
    .filter(Boolean)
    .join(', ');
  const lines = [
    `**Subscription** ${id}: ${money} every ${interval} to ${link.supplier.name}`,
    ...(link.merchant_reference ? [`**Merchant reference:** ${link.merchant_reference}`] : []),
    ...(link.customer.reference ? [`**Customer reference:** ${link.customer.reference}`] : []),
    `**Items:** ${link.items.map((i) => `${i.quantity} × ${i.description}`).join(', ')}`,
    `**Payment methods:** ${link.payment_methods.map((m) => `${m.provider}/${m.method}`).join(', ')}`,
    `**First period:** ${new Date(schedule.startAtMs).toISOString()}; each invoice due ${String(schedule.dueAfter)} after its period starts, grace period ${String(schedule.gracePeriod)}`,
    ...(schedule.reminders.length > 0 ? [`**Reminders:** ${schedule.reminders.map(String).join(', ')} from the due date`] : []),
    ...(distribution ? [`**Distribution:** ${distribution}`] : []),
    `**Ends:** ${ends}`,
  ];
  return {
    staticSummary: `Subscription · ${money} / ${describeInterval(schedule.interval, 'en')}${reference ? ` · ${reference}` : ''}`,
    staticDetails: lines.join('\n\n'),
  };
}

/**
 * `/v1/subscriptions` (issue 16). Each subscription is one `subscription` workflow (id
 * `subscription-<id>`, workflows/subscription.ts), whose id comes from the merchant and the create's
 * Idempotency-Key; every change is a signal answered under its request id (domain/subscriptionMessages.ts).
 */
export function subscriptionRoutes(deps: SubscriptionRoutesDeps): Router {
  const { client, taskQueue, outboundUrls, allowShortIntervals } = deps;
  const list = subscriptionLister(client, taskQueue, deps.cursorSecret);
  const router = Router();
  router.param('id', (_req, _res, next, id: string) => next(SUBSCRIPTION_ID_PATTERN.test(id) ? undefined : subscriptionNotFound(id)));

  /** The subscription as a create answers it: once the first invoice exists, if its period has begun. */
  const readCreated = async (id: string, first?: SubscriptionResource): Promise<SubscriptionResource> => {
    const subscription = first ?? (await readSubscription(client, id));
    if (Date.parse(subscription.start_at) > Date.now()) return subscription;
    return readUntil(() => readSubscription(client, id), (s) => s.invoices.length > 0 || s.status !== 'active', ANSWER_WAIT_MS, subscription);
  };

  /** A subscription under this key exists, running or over: answer as before if it is the same request (200), else 409. */
  const joinExisting = async (id: string, fingerprint: string): Promise<SubscriptionResource> => {
    const handle = client.workflow.getHandle(subscriptionWorkflowId(id));
    if ((await patiently(() => handle.query(subscriptionFingerprintQuery), ANSWER_WAIT_MS)) !== fingerprint) throw idempotencyMismatch();
    return readCreated(id);
  };

  /**
   * Validates, derives the id from the merchant and the Idempotency-Key, and starts the workflow.
   * 201 with the subscription (once its first invoice exists, if the first period has begun); the
   * same key and body again 200 with the same subscription; the same key with another body 409.
   */
  router.post('/subscriptions', requireJsonBody, async (req, res) => {
    const merchant: MerchantAuth = requireMerchant(res);
    const key = idempotencyKeyOf(req);
    const request = parseBody(subscriptionCreateRequestSchema, withMerchantDefaults(req.body, 'link', merchant));
    await assertRequestUrlsAllowed(request, outboundUrls);
    const now = Date.now();
    const startAtMs = request.start_at === undefined ? now : Date.parse(request.start_at);
    const schedule = scheduleOf(request, startAtMs, allowShortIntervals);

    // What is wrong whenever the request is checked is a 400 at once, said as it stands now (an end
    // in the past reads "in the past", not "before the first period ends"); what is wrong only now
    // (an end that has passed since) may be the retry of a create that was fine (below).
    const issuesNow = validateSchedule({ ...schedule, nowMs: now });
    const [invalid] = validateSchedule({ ...schedule, nowMs: EARLIEST_MS });
    if (invalid) throw invalidParameter(issueOf(issuesNow[0] ?? invalid));
    // Each invoice is a payment link: one Ping would refuse is refused now, under the same parameter names.
    const link = parseBody(paymentLinkRequestSchema, {
      ...invoiceFieldsOf(request),
      due_at: new Date(Math.max(dueAt(startAtMs, schedule.dueAfter), now + 60_000)).toISOString(),
    });

    const id = subscriptionIdFor(merchant.merchantId, key);
    // Recognised by what was sent, not by the defaults it got: a retry stays the same request after the merchant's settings change.
    const fingerprint = fingerprintOf(req.body);

    const late: ScheduleIssue | undefined =
      startAtMs < now - START_AT_SLACK_MS
        ? { param: 'start_at', message: `must not be more than ${START_AT_SLACK_MS / 1000} seconds in the past` }
        : issuesNow[0];
    if (late) {
      // A retry of the create that made a subscription is answered with it even once its start has passed;
      // without a key the id is new, so no earlier request can have made one.
      if (key === undefined) throw invalidParameter(issueOf(late));
      try {
        res.status(200).json(await joinExisting(id, fingerprint));
        return;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw invalidParameter(issueOf(late));
        throw err;
      }
    }

    const { items, currency, due_at: _dueAt, ...invoiceTemplate } = link;
    const input: SubscriptionInput = {
      id,
      merchant: merchant.merchantId,
      fingerprint,
      ...(link.notify_url !== undefined ? { notifyUrl: link.notify_url } : {}),
      ...(link.merchant_reference !== undefined ? { merchantReference: link.merchant_reference } : {}),
      ...(link.metadata !== undefined ? { metadata: link.metadata } : {}),
      interval: schedule.interval,
      startAtMs,
      dueAfter: schedule.dueAfter,
      reminders: [...schedule.reminders],
      gracePeriod: schedule.gracePeriod,
      end: schedule.end ?? null,
      items,
      currency,
      invoiceTemplate,
    };
    try {
      await client.workflow.start('subscription', {
        workflowId: subscriptionWorkflowId(id),
        taskQueue,
        args: [input],
        // A retry finds the subscription under its key, running or over, and joins it by queries.
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          // Keyword lists of one value (domain/searchAttributes.ts says why).
          { key: SubscriptionId, value: [id] },
          { key: SubscriptionStatus, value: ['active'] },
          { key: MerchantId, value: merchant.merchantId },
          ...(link.merchant_reference ? [{ key: MerchantReference, value: link.merchant_reference }] : []),
        ],
        ...describe(id, link, schedule),
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      res.status(200).json(await joinExisting(id, fingerprint));
      return;
    }
    res.status(201).json(await readCreated(id));
  });

  /** Newest first, from Temporal visibility; each row the whole subscription. A merchant lists its own only. */
  router.get('/subscriptions', async (req, res) => {
    res.json(await list(res, parseBody(subscriptionListQuerySchema, { ...req.query })));
  });

  router.get('/subscriptions/:id', async (req, res) => {
    res.json(await readOwnSubscription(client, res, String(req.params.id)));
  });

  /** New items, billed from the next invoice on. Items pay the subscription's merchant, as a link's do. */
  router.patch('/subscriptions/:id', requireJsonBody, async (req, res) => {
    const merchant = requireMerchant(res);
    const { items } = parseBody(subscriptionUpdateRequestSchema, itemsWithMerchantDefaults(req.body, merchant));
    const id = String(req.params.id);
    await readOwnSubscription(client, res, id);
    await askSubscription(client, id, { kind: 'update_items', items });
    res.json(await readSubscription(client, id));
  });

  /**
   * Now (default): its open invoices are cancelled at Ping and it ends `cancelled`; the answer waits
   * for that, and is a 202 if it is still under way after 10 s. At period end: no further invoice.
   */
  router.post('/subscriptions/:id/cancel', requireJsonBody, async (req, res) => {
    const { at_period_end: atPeriodEnd = false } = parseBody(subscriptionCancelRequestSchema, req.body ?? {});
    const id = String(req.params.id);
    await readOwnSubscription(client, res, id);
    await askSubscription(client, id, { kind: 'cancel', atPeriodEnd });
    if (atPeriodEnd) {
      res.json(await readSubscription(client, id));
      return;
    }
    const subscription = await readUntil(() => readSubscription(client, id), (s) => s.status === 'cancelled' || s.status === 'ended', ANSWER_WAIT_MS);
    res.status(subscription.status === 'cancelled' || subscription.status === 'ended' ? 200 : 202).json(subscription);
  });

  /** No invoices while paused; its unsettled invoices are cancelled at Ping. */
  router.post('/subscriptions/:id/pause', requireJsonBody, noBodyParameters, async (req, res) => {
    const id = String(req.params.id);
    await readOwnSubscription(client, res, id);
    await askSubscription(client, id, { kind: 'pause' });
    res.json(await readSubscription(client, id));
  });

  /** Back to `active`; invoicing restarts at the first period boundary from now on. */
  router.post('/subscriptions/:id/resume', requireJsonBody, noBodyParameters, async (req, res) => {
    const id = String(req.params.id);
    await readOwnSubscription(client, res, id);
    await askSubscription(client, id, { kind: 'resume' });
    res.json(await readSubscription(client, id));
  });

  router.all('/subscriptions', methodNotAllowed('GET', 'POST'));
  router.all('/subscriptions/:id', methodNotAllowed('GET', 'PATCH'));
  router.all('/subscriptions/:id/cancel', methodNotAllowed('POST'));
  router.all('/subscriptions/:id/pause', methodNotAllowed('POST'));
  router.all('/subscriptions/:id/resume', methodNotAllowed('POST'));
  return router;
}

/**
 * The PATCH body with the merchant's Ping id on each item (and an item naming another merchant
 * refused, 403 `merchant_mismatch`), as a link's items get it; the link's other defaults are no
 * fields of this body.
 */
function itemsWithMerchantDefaults(body: unknown, merchant: MerchantAuth): unknown {
  const defaulted = withMerchantDefaults(body, 'link', merchant);
  if (!body || typeof body !== 'object' || Array.isArray(body)) return defaulted;
  const filled = defaulted as Record<string, unknown>;
  return Object.fromEntries(Object.keys(body).map((key) => [key, filled[key]]));
}
