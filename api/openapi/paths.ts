import { paymentListQuerySchema } from '../schemas/listQuery';
import { merchantListQuerySchema } from '../schemas/merchant';
import { subscriptionListQuerySchema } from '../schemas/subscription';
import { schemaRef } from './schemas';
import {
  API_KEY_OR_OPEN,
  PUBLIC,
  callbackOperation,
  codecOperation,
  createOperation,
  errors,
  json,
  ok,
  rateLimited,
  requestIdHeader,
  tenantCallbackOperation,
  type Operation,
} from './operations';
import { parameterRef, queryParameters } from './parameters';
import { DOCS_PATH, OPENAPI_JSON_PATH } from './urls';
import { PAYER_OUTCOMES } from '../../domain/messages';

/**
 * Every route of the app (api/app.ts and api/routes/*). test/integration/openapi.test.ts walks the
 * express app and fails when a route is missing here or an operation here is no route.
 */
export function paths(): Record<string, Record<string, Operation>> {
  const paymentId = parameterRef('PaymentId');
  return {
    '/v1/payment-links': {
      post: createOperation(
        'Create a payment link',
        'Creates the payment order and the payment link at Ping and answers once the link exists, with its `checkout_url`. ' +
          'Optionally distributes it by SMS, e-mail and/or a PDF invoice; `due_at` expires it.',
        'PaymentLinkRequest',
      ),
    },
    '/v1/pis-payments': {
      post: createOperation(
        'Create an open-banking (PIS) payment',
        "Creates the payment order and initiates a PIS payment (Ping provider `open_payments`) and answers with the bank's `checkout_url`.",
        'PisPaymentRequest',
      ),
    },
    '/v1/payments': {
      get: rateLimited({
        tags: ['Payments'],
        summary: 'List payments',
        description: 'Newest first, from Temporal visibility (search attributes); eventually consistent by a second or so.',
        parameters: queryParameters(paymentListQuerySchema),
        responses: { '200': ok('A page of payments', 'PaymentList'), ...errors(400, 401) },
      }),
    },
    '/v1/payments/{id}': {
      get: rateLimited({
        tags: ['Payments'],
        summary: 'Get a payment',
        parameters: [paymentId],
        responses: { '200': ok('The payment, as its workflow has it now', 'Payment'), ...errors(401, 404) },
      }),
    },
    '/v1/payments/{id}/cancel': {
      post: rateLimited({
        tags: ['Payments'],
        summary: 'Cancel a payment',
        description: 'Cancels the link or payment at Ping and ends the payment `cancelled`. Takes no parameters (no body, or `{}`).',
        parameters: [paymentId],
        requestBody: { required: false, content: json({ type: 'object', maxProperties: 0 }) },
        responses: { '200': ok('The cancelled payment', 'Payment'), '202': ok('The cancel is under way: Ping has not answered within 30 s', 'Payment'), ...errors(400, 401, 404, 409, 415) },
      }),
    },
    '/v1/payments/{id}/send': {
      post: rateLimited({
        tags: ['Payments'],
        summary: 'Send a payment link to the payer again',
        description:
          'Ping sends the link by SMS or e-mail, to `to` or to the payment\'s customer. Only while the payment is `awaiting_payment` ' +
          '(409 `payment_final`), and only for payment links (409 `payment_not_a_link`). Answers once Ping has taken it (the payment\'s ' +
          '`events` end with `link_resend_sent`); 502 `send_failed` if Ping refused; 202 if Ping has not answered within 10 s.',
        parameters: [paymentId],
        requestBody: { required: true, content: json(schemaRef('PaymentSendRequest')) },
        responses: { '200': ok('Sent: the payment', 'Payment'), '202': ok('The send is under way', 'Payment'), ...errors(400, 401, 404, 409, 415, 502) },
      }),
    },
    '/v1/payments/{id}/refunds': {
      post: rateLimited({
        tags: ['Payments'],
        summary: 'Refund a payment',
        description:
          'Gives the payer the whole amount back (Ping refunds whole payments only; an `amount` other than the payment\'s is a 400). ' +
          'Allowed while the payment is `paid` or `completed` and its settlement has not begun. Answers once Ping has answered ' +
          '(`refund.status` `succeeded`, or `pending` until a fetch at Ping shows it); the payment then ends `refunded`, the payer is e-mailed ' +
          'and the merchant gets `payment.refunded`.',
        parameters: [paymentId, parameterRef('RefundIdempotencyKey')],
        requestBody: { required: true, content: json(schemaRef('RefundRequest')) },
        responses: {
          '201': ok('The refund was asked for; the payment with its `refund`', 'Payment'),
          '200': ok('The same refund again under the same Idempotency-Key', 'Payment'),
          ...errors(400, 401, 404, 409, 413, 415),
        },
      }),
    },
    '/v1/payments/{id}/settle': {
      post: rateLimited({
        tags: ['Payments'],
        summary: "Settle a paid payment's order at Ping now",
        description:
          'For `settlement: manual` payments, or to end an automatic hold early: close, split, read the allocations, settle. Idempotent. ' +
          'Takes no parameters (no body, or `{}`). A failed settlement is tried again.',
        parameters: [paymentId],
        requestBody: { required: false, content: json({ type: 'object', maxProperties: 0 }) },
        responses: { '200': ok('The payment with its `settlement`', 'Payment'), ...errors(400, 401, 404, 409, 415) },
      }),
    },
    '/v1/payments/{id}/invoice': {
      get: rateLimited({
        tags: ['Payments'],
        summary: "Get a payment link's PDF invoice",
        parameters: [paymentId],
        responses: { '200': ok('The invoice', 'Invoice'), ...errors(401, 404) },
      }),
    },
    '/v1/payments/{id}/receipt': {
      get: rateLimited({
        tags: ['Payments'],
        summary: "Get a paid payment's receipt",
        parameters: [paymentId],
        responses: { '200': ok('The receipt', 'Receipt'), ...errors(401, 404) },
      }),
    },
    '/v1/payments/{id}/return/{outcome}': {
      get: {
        tags: ['Webhooks'],
        summary: "The payer's return from the bank (PIS)",
        description:
          "Where the bank sends the payer's browser back. It tells the payment what the payer saw and redirects to the caller's " +
          '`success_url`, `cancel_url` or `error_url`. The URL (with its token) is made by the orchestrator; not called by API clients.',
        ...PUBLIC,
        parameters: [
          paymentId,
          { name: 'outcome', in: 'path', required: true, schema: { type: 'string', enum: [...PAYER_OUTCOMES] } },
          parameterRef('UrlToken'),
        ],
        responses: {
          '303': { description: "Redirect to the caller's page", headers: { Location: { schema: { type: 'string', format: 'uri' } }, ...requestIdHeader } },
          ...errors(401, 404),
        },
      },
    },
    ...merchantPaths(),
    ...subscriptionPaths(),
    '/webhooks/ping/payment-links/{id}': { post: callbackOperation('payment link', 'PingPaymentLinkCallback') },
    '/webhooks/ping/payments/{id}': { post: callbackOperation('PIS payment', 'PingPaymentCallback') },
    '/webhooks/ping/merchants/{token}': {
      post: tenantCallbackOperation(
        "Ping's merchant status callback",
        "Called by Ping Payments when one of the tenant's merchants changes status. The body only wakes the merchant whose Ping id it names: " +
          'its status is always read from Ping. Acknowledged (204) also when it names no merchant of ours, so Ping does not retry it.',
        'PingMerchantCallback',
      ),
    },
    '/webhooks/ping/credit-top-ups/{token}': {
      post: tenantCallbackOperation("Ping's credit account top-up callback", "Called by Ping Payments when the tenant's credit account is topped up; logged and acknowledged.", 'PingCreditTopUpCallback'),
    },
    '/codec/decode': { post: codecOperation('decode') },
    '/codec/encode': { post: codecOperation('encode') },
    '/healthz': {
      get: {
        tags: ['Operations'],
        summary: 'Liveness: the process is up',
        ...PUBLIC,
        responses: { '200': ok('Up', 'Health') },
      },
    },
    '/readyz': {
      get: {
        tags: ['Operations'],
        summary: 'Readiness: Temporal answers for our namespace',
        ...PUBLIC,
        responses: { '200': ok('Ready', 'Readiness'), '503': ok('Not ready', 'Readiness') },
      },
    },
    '/metrics': {
      get: {
        tags: ['Operations'],
        summary: 'Prometheus metrics',
        description: 'Open to loopback callers and API-key holders; to everyone with `METRICS_PUBLIC=true`. Served when the API runs with metrics.',
        ...API_KEY_OR_OPEN,
        responses: {
          '200': { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } },
          ...errors(401),
        },
      },
    },
    [OPENAPI_JSON_PATH]: {
      get: {
        tags: ['Documentation'],
        summary: 'This document',
        ...PUBLIC,
        responses: { '200': { description: 'The OpenAPI 3.1 document', content: json({ type: 'object' }) } },
      },
    },
    [DOCS_PATH]: {
      get: {
        tags: ['Documentation'],
        summary: 'This document, for people (Swagger UI)',
        ...PUBLIC,
        responses: { '200': { description: 'An HTML page', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
    },
  };
}

/** `/v1/merchants…` (api/routes/merchants.ts, api/routes/merchantApiKeys.ts; docs/merchants.md). */
function merchantPaths(): Record<string, Record<string, Operation>> {
  const merchantId = parameterRef('MerchantId');
  const tags = ['Merchants'];
  const platformOnly = 'Platform keys only (a merchant key is a 403 `platform_key_required`).';
  return {
    '/v1/merchants': {
      post: rateLimited({
        tags,
        summary: 'Create a merchant',
        description:
          'Creates the merchant at Ping and answers once Ping has it (its `status` is then Ping\'s, e.g. `created`, and becomes `approved` once Ping approves it; ' +
          'if Ping has not answered within 30 s it is still `creating`). The answer carries the merchant\'s signing secret, shown only here. ' +
          'Exactly one of `organization` and `person`. ' +
          platformOnly +
          ' Without On-Behalf-Of.',
        parameters: [parameterRef('MerchantIdempotencyKey')],
        requestBody: { required: true, content: json(schemaRef('MerchantCreateRequest')) },
        responses: {
          '201': ok('The merchant was created; `signing_secret` is shown only in this answer', 'MerchantCreated'),
          '200': ok('The same request again under the same Idempotency-Key: the same merchant, without its secret', 'Merchant'),
          ...errors(400, 401, 403, 409, 413, 415, 422, 502, 503),
        },
      }),
      get: rateLimited({
        tags,
        summary: 'List merchants',
        description: 'Newest first, from Temporal visibility; each row is the whole merchant. ' + platformOnly + ' Without On-Behalf-Of.',
        parameters: queryParameters(merchantListQuerySchema),
        responses: { '200': ok('A page of merchants', 'MerchantList'), ...errors(400, 401, 403) },
      }),
    },
    '/v1/merchants/{id}': {
      get: rateLimited({
        tags,
        summary: 'Get a merchant',
        description: 'A merchant key reads its own merchant only.',
        parameters: [merchantId],
        responses: { '200': ok('The merchant, as its workflow has it now', 'Merchant'), ...errors(401, 404) },
      }),
      patch: rateLimited({
        tags,
        summary: "Change a merchant's own settings",
        description:
          "Our fields only (`display_name`, `notify_url`, `payment_methods`, `locale`, `supplier`): what the merchant's payments get when they name none; `null` clears one. " +
          "The platform's key or the merchant's own key.",
        parameters: [merchantId],
        requestBody: { required: true, content: json(schemaRef('MerchantUpdateRequest')) },
        responses: { '200': ok('The merchant with its new settings', 'Merchant'), ...errors(400, 401, 404, 409, 413, 415) },
      }),
    },
    '/v1/merchants/{id}/api-keys': {
      post: rateLimited({
        tags,
        summary: 'Create an API key for a merchant',
        description: 'A new secret key (`sk_…`), shown only in this answer; only its SHA-256 is kept. Takes no parameters (no body, or `{}`). ' + platformOnly,
        parameters: [merchantId],
        requestBody: { required: false, content: json({ type: 'object', maxProperties: 0 }) },
        responses: { '201': ok('The new key, with its secret', 'ApiKeyCreated'), ...errors(400, 401, 403, 404, 409, 415) },
      }),
      get: rateLimited({
        tags,
        summary: "List a merchant's API keys",
        description: 'Ids, prefixes and dates, revoked keys included; never a key or its hash. ' + platformOnly,
        parameters: [merchantId],
        responses: { '200': ok("The merchant's keys", 'ApiKeyList'), ...errors(401, 403, 404) },
      }),
    },
    '/v1/merchants/{id}/api-keys/{key_id}': {
      delete: rateLimited({
        tags,
        summary: "Revoke a merchant's API key",
        description: 'Every API process refuses the key within 2 s of this answer (the promise is 5 s); this one at once. Revoking a revoked key answers it again. ' + platformOnly,
        parameters: [merchantId, parameterRef('ApiKeyId')],
        responses: { '200': ok('The revoked key', 'ApiKey'), ...errors(401, 403, 404) },
      }),
    },
    '/v1/merchants/{id}/signing-secret': {
      post: rateLimited({
        tags,
        summary: "Rotate a merchant's signing secret",
        description: "A new secret for the signatures on the merchant's events, shown only in this answer; the old one stops being used. Takes no parameters. " + platformOnly,
        parameters: [merchantId],
        requestBody: { required: false, content: json({ type: 'object', maxProperties: 0 }) },
        responses: { '200': ok('The new signing secret', 'SigningSecret'), ...errors(400, 401, 403, 404, 409, 415, 503) },
      }),
    },
  };
}

/** `/v1/subscriptions…` (api/routes/subscriptions.ts; issue 16). */
function subscriptionPaths(): Record<string, Record<string, Operation>> {
  const subscriptionId = parameterRef('SubscriptionId');
  const tags = ['Subscriptions'];
  const noBody = { required: false, content: json({ type: 'object', maxProperties: 0 }) };
  const confined = "A merchant key, or a platform key with On-Behalf-Of, reaches its own merchant's subscriptions only (another's is a 404, as an unknown id); a platform key without it reaches all.";
  const change = (summary: string, description: string, requestBody: Operation = noBody): Operation =>
    rateLimited({
      tags,
      summary,
      description: `${description} ${confined}`,
      parameters: [subscriptionId],
      requestBody,
      responses: { '200': ok('The subscription after the change', 'Subscription'), ...errors(400, 401, 404, 409, 413, 415, 503) },
    });
  return {
    '/v1/subscriptions': {
      post: rateLimited({
        tags,
        summary: 'Create a subscription',
        description:
          "Invoices the customer with a payment link each period (`interval` from `start_at`), due `due_after` after the period starts, re-sent at each of `reminders`; " +
          'an invoice still unpaid when the `grace_period` after its due date ends cancels the subscription (`cancellation_reason` `unpaid`). ' +
          "Each invoice takes a payment link's fields; what the request leaves out (supplier, payment methods, locale, `notify_url`) comes from the merchant. " +
          'Needs a merchant: its key, or a platform key with On-Behalf-Of (without it, 400 `merchant_required`). ' +
          'Answers once the first invoice exists when the first period has begun (at most about 10 s), else at once.',
        parameters: [parameterRef('SubscriptionIdempotencyKey')],
        requestBody: { required: true, content: json(schemaRef('SubscriptionCreateRequest')) },
        responses: {
          '201': ok('The subscription was created', 'Subscription'),
          '200': ok('The same request again under the same Idempotency-Key: the same subscription', 'Subscription'),
          ...errors(400, 401, 403, 409, 413, 415),
        },
      }),
      get: rateLimited({
        tags,
        summary: 'List subscriptions',
        description: "Newest first, from Temporal visibility; each row is the whole subscription. A merchant key, or a platform key with On-Behalf-Of, lists its own merchant's only.",
        parameters: queryParameters(subscriptionListQuerySchema),
        responses: { '200': ok('A page of subscriptions', 'SubscriptionList'), ...errors(400, 401) },
      }),
    },
    '/v1/subscriptions/{id}': {
      get: rateLimited({
        tags,
        summary: 'Get a subscription',
        description: confined,
        parameters: [subscriptionId],
        responses: { '200': ok('The subscription, as its workflow has it now', 'Subscription'), ...errors(401, 404) },
      }),
      patch: rateLimited({
        tags,
        summary: "Change a subscription's items",
        description:
          "The items the next invoice bills, and the ones after it (an invoice already made is not changed). Validated as a payment link's items; they pay the subscription's merchant. " +
          'Needs a merchant, as the create does.',
        parameters: [subscriptionId],
        requestBody: { required: true, content: json(schemaRef('SubscriptionUpdateRequest')) },
        responses: { '200': ok('The subscription with its new items', 'Subscription'), ...errors(400, 401, 403, 404, 409, 413, 415, 503) },
      }),
    },
    '/v1/subscriptions/{id}/cancel': {
      post: rateLimited({
        tags,
        summary: 'Cancel a subscription',
        description:
          'Now (default): its open invoices are cancelled at Ping and it ends `cancelled` (`cancellation_reason` `requested`); the answer waits for that. ' +
          '`at_period_end: true`: no further invoice; it is cancelled when the current period ends. 409 `subscription_final` once it is cancelled or ended. ' +
          confined,
        parameters: [subscriptionId],
        requestBody: { required: false, content: json(schemaRef('SubscriptionCancelRequest')) },
        responses: {
          '200': ok('The subscription: cancelled, or to be cancelled at the end of its period', 'Subscription'),
          '202': ok('The cancel is under way: its open invoices are still being cancelled at Ping after 10 s', 'Subscription'),
          ...errors(400, 401, 404, 409, 413, 415, 503),
        },
      }),
    },
    '/v1/subscriptions/{id}/pause': {
      post: change('Pause a subscription', 'No invoices while paused; its open invoices are cancelled at Ping. Takes no parameters (no body, or `{}`). Pausing a paused subscription answers it again.'),
    },
    '/v1/subscriptions/{id}/resume': {
      post: change(
        'Resume a paused subscription',
        'Back to `active`; invoicing restarts at the first period boundary from now on. 409 `subscription_not_paused` unless it is paused. Takes no parameters (no body, or `{}`).',
      ),
    },
  };
}
