import { componentParameters } from './parameters';
import { paths } from './paths';
import { componentSchemas } from './schemas';

/**
 * The API contract: an OpenAPI 3.1 document generated from the zod schemas and patterns the code
 * validates with, so it cannot promise what the API does not check. test/integration/openapi.test.ts
 * checks it against the express routes and validates real responses against it.
 */

let cached: Record<string, unknown> | undefined;

/** The OpenAPI 3.1 document of this API (built once; a pure function of the code). */
export function openApiDocument(): Record<string, unknown> {
  cached ??= {
    openapi: '3.1.1',
    info: {
      title: 'Ping orchestrator API',
      version: '1',
      description:
        'Payments through Ping Payments, each one a durable Temporal workflow: payment links, open-banking (PIS) payments, and subscriptions that invoice with a payment link each period. ' +
        'Authenticate with `Authorization: Bearer <API key>`: a platform key, or a merchant\'s own `sk_…` key (a platform key acts for one merchant with `On-Behalf-Of: <merchant id>`). Send an `Idempotency-Key` to make a create safe to retry. ' +
        'Requests under /v1 are rate-limited per API key (a 429 says when to retry in `Retry-After`). ' +
        'Amounts are in minor units. Every error has the shape `{"error": {"type", "code", "message", "param"?, "request_id"}}`. ' +
        'Responses may gain fields in later versions: ignore the ones you do not know.',
    },
    servers: [{ url: '/', description: 'This server' }],
    tags: [
      { name: 'Payments', description: 'Start payments and read their state' },
      { name: 'Merchants', description: "The platform's merchants, their API keys and signing secrets (docs/merchants.md)" },
      { name: 'Subscriptions', description: "Recurring invoices: a payment link each period, with reminders, a grace period, and the subscription cancelled when one goes unpaid" },
      { name: 'Webhooks', description: 'Called by Ping Payments and by the payer’s bank, with per-payment URL tokens' },
      { name: 'Payload codec', description: 'Encrypted Temporal payloads, for the Web UI and the CLI' },
      { name: 'Operations', description: 'Health and metrics' },
      { name: 'Documentation', description: 'This contract' },
    ],
    security: [{ bearerAuth: [] }],
    paths: paths(),
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: "A platform key (one of API_KEYS; with `On-Behalf-Of` it acts for one merchant), or a merchant's own secret key (`sk_…`), which reaches that merchant only",
        },
      },
      parameters: componentParameters(),
      headers: {
        RequestId: { description: "The request's id (the caller's `X-Request-Id` if it was safe, else a new UUID)", schema: { type: 'string' } },
        RetryAfter: { description: 'Whole seconds (at least 1) until the limit lets this request through again', schema: { type: 'integer', minimum: 1 } },
        RateLimitLimit: { description: 'Per-key limit: the most requests this key may send at once (RATE_LIMIT_BURST)', schema: { type: 'integer', minimum: 1 } },
        RateLimitRemaining: { description: 'Per-key limit: the requests this key may send right now', schema: { type: 'integer', minimum: 0 } },
        RateLimitReset: { description: "Per-key limit: whole seconds until the key's one-second window starts over", schema: { type: 'integer', minimum: 1 } },
      },
      schemas: componentSchemas(),
    },
  };
  return cached;
}
