import type { JsonSchema } from './parameters';
import { parameterRef } from './parameters';
import { schemaRef } from './schemas';

/** Building blocks of the document's operations (api/openapi/paths.ts), so each route reads as what it does. */

export type Operation = Record<string, unknown>;

export const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
export const requestIdHeader = { 'X-Request-Id': { $ref: '#/components/headers/RequestId' } };

export function ok(description: string, schemaName: string): Record<string, unknown> {
  return { description, headers: requestIdHeader, content: json(schemaRef(schemaName)) };
}

/** Error answers by status; each operation lists the ones it can give. */
const ERRORS: Record<number, string> = {
  400: 'Invalid request: a parameter is missing, unknown or invalid (`param` names it), or the JSON is malformed; on a create, `url_not_allowed` for a `notify_url` the service will not call (not https, or an address inside a private network); `merchant_required` for a subscription without a merchant (a platform key without `On-Behalf-Of`)',
  401: 'Missing or invalid credentials (API key, or the URL token)',
  403: 'Not allowed: this browser origin may not call the codec endpoint; or a merchant key on a platform-only operation (`platform_key_required`), or with another merchant in `On-Behalf-Of` (`on_behalf_of_not_allowed`); or an item naming another merchant (`merchant_mismatch`)',
  404: 'No such payment, subscription, merchant, API key, route or document (also another merchant\'s, to a merchant key), or no such merchant as `On-Behalf-Of` names (`param` `On-Behalf-Of`)',
  405: 'Method not allowed on this path (the `Allow` header lists the allowed ones)',
  409: 'Conflict: the Idempotency-Key was used with another body, or the payment is in no state for this (`payment_final`, `payment_not_paid`, `payment_settled`, `already_refunded`, `payment_refunded`, `payment_not_a_link`), or the merchant refused the change (`too_many_api_keys`, `merchant_change_refused`, `merchant_closed`), or the merchant is not approved at Ping (`merchant_not_approved`), or the subscription is in no state for this (`subscription_final`, `subscription_not_paused`)',
  413: 'The request body is too large',
  415: 'The body is not UTF-8 JSON with `Content-Type: application/json`',
  422: 'Ping Payments refused the payment (its code, message and `ping_status`) or the merchant (`merchant_id`), or an undecodable payload',
  429: 'Rate limited (`type` `rate_limit_error`): this API key sent too many requests (`rate_limited`), or this address failed too many key checks (`too_many_auth_failures`); retry after `Retry-After` seconds',
  500: 'Something went wrong on our side (it has been logged under `request_id`)',
  502: 'Ping Payments could not be reached to create the payment, or did not send the link (`send_failed`)',
  503: 'Temporarily unavailable: the API key could not be checked (`key_check_unavailable`), the merchant or subscription did not answer in time (`merchant_busy`, `subscription_busy`), or merchant signing secrets are not configured (`signing_secret_unavailable`); retry',
};

/** The given error answers, and 500, which every operation can give. */
export function errors(...statuses: number[]): Record<string, unknown> {
  return Object.fromEntries(
    [...statuses, 500].map((status) => [
      String(status),
      { description: ERRORS[status], headers: status === 429 ? { ...requestIdHeader, ...retryAfterHeader } : requestIdHeader, content: json(schemaRef('Error')) },
    ]),
  );
}

const retryAfterHeader = { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } };
const rateLimitHeaders = {
  'RateLimit-Limit': { $ref: '#/components/headers/RateLimitLimit' },
  'RateLimit-Remaining': { $ref: '#/components/headers/RateLimitRemaining' },
  'RateLimit-Reset': { $ref: '#/components/headers/RateLimitReset' },
};

/**
 * An operation behind the API key on /v1 (api/rateLimits.ts): it can answer 429, and every answer
 * after the key check (all but 401) carries the key's RateLimit-* headers while the per-key limit is on.
 * The key check (api/auth.ts) also reads `On-Behalf-Of` on every one of them, and answers a
 * malformed one 400, a merchant key's other merchant 403, an unknown merchant 404, and 503 when the
 * merchant cannot be read.
 */
export function rateLimited(operation: Operation): Operation {
  type Response = { headers?: Record<string, unknown> };
  const keyCheck = errors(400, 403, 404, 429, 503) as Record<string, Response>;
  const responses = { ...keyCheck, ...(operation.responses as Record<string, Response>) };
  const withHeaders = ([status, response]: [string, Response]) =>
    [status, status === '401' ? response : { ...response, headers: { ...response.headers, ...rateLimitHeaders } }] as const;
  const parameters = [...((operation.parameters as unknown[] | undefined) ?? []), parameterRef('OnBehalfOf')];
  return { ...operation, parameters, responses: Object.fromEntries(Object.entries(responses).map(withHeaders)) };
}

export const PUBLIC: Operation = { security: [] };
export const API_KEY_OR_OPEN: Operation = { security: [{ bearerAuth: [] }, {}] };

/** A create endpoint: safe to retry under an Idempotency-Key. */
export function createOperation(summary: string, description: string, requestSchema: string): Operation {
  return rateLimited({
    tags: ['Payments'],
    summary,
    description,
    parameters: [parameterRef('IdempotencyKey')],
    requestBody: { required: true, content: json(schemaRef(requestSchema)) },
    responses: {
      '201': ok('The payment was created; `checkout_url` is where the payer pays', 'Payment'),
      '200': ok('The same request again under the same Idempotency-Key: the same payment', 'Payment'),
      ...errors(400, 401, 409, 413, 415, 422, 502),
    },
  });
}

/** One of Ping's status callbacks (api/routes/webhooks.ts), guarded by the URL token instead of an API key. */
export function callbackOperation(flow: string, schema: string): Operation {
  return {
    tags: ['Webhooks'],
    summary: `Ping's status callback for a ${flow}`,
    description:
      'Called by Ping Payments at the callback URL the orchestrator gave it. The body only wakes the payment: ' +
      'its status is always confirmed by fetching it from Ping. Duplicates and late callbacks are acknowledged.',
    ...PUBLIC,
    parameters: [parameterRef('PaymentId'), parameterRef('UrlToken')],
    requestBody: { required: true, content: json(schemaRef(schema)) },
    responses: { '204': { description: 'Accepted', headers: requestIdHeader }, ...errors(400, 401, 404, 413, 415) },
  };
}

export function codecOperation(direction: 'decode' | 'encode'): Operation {
  return {
    tags: ['Payload codec'],
    summary: direction === 'decode' ? 'Decrypt payloads (for the Temporal Web UI and CLI)' : 'Encrypt payloads',
    description:
      "Temporal's remote codec protocol. Called with an API key (scripts, `temporal --codec-endpoint`), or without one by a " +
      'browser page from an origin listed in `CODEC_CORS_ORIGINS` (the Web UI). Body up to 4 MB.',
    ...API_KEY_OR_OPEN,
    requestBody: { required: true, content: json(schemaRef('CodecRequest')) },
    responses: { '200': ok('The payloads, each encoded or decoded', 'CodecPayloads'), ...errors(400, 401, 403, 413, 415, 422) },
  };
}

/** One of the tenant's callbacks (api/routes/webhooks.ts): one URL per kind for the whole tenant, its token in the path. */
export function tenantCallbackOperation(summary: string, description: string, schema: string): Operation {
  return {
    tags: ['Webhooks'],
    summary,
    description,
    ...PUBLIC,
    parameters: [parameterRef('TenantToken')],
    requestBody: { required: true, content: json(schemaRef(schema)) },
    responses: { '204': { description: 'Acknowledged', headers: requestIdHeader }, ...errors(400, 401, 413, 415) },
  };
}
