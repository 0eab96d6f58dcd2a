import path from 'node:path';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { paymentLinkStatusCallbackSchema, paymentStatusCallbackSchema } from '../ping';
import { PAYMENT_STATES } from '../domain/payment';
import { methodNotAllowed } from './errors';
import { paymentLinkRequestSchema } from './schemas/paymentLink';
import { pisPaymentRequestSchema } from './schemas/pisPayment';
import {
  codecPayloadsSchema,
  errorSchema,
  healthSchema,
  invoiceSchema,
  paymentListSchema,
  paymentSchema,
  paymentSummarySchema,
  readinessSchema,
  receiptSchema,
} from './schemas/responses';

/**
 * The API contract: an OpenAPI 3.1 document generated from the zod schemas the code validates
 * requests with (api/schemas/*) and the response schemas (api/schemas/responses.ts), served at
 * `GET /openapi.json`, with a human page at `GET /docs` (Swagger UI from the `swagger-ui-dist`
 * package, served from node_modules: the page loads nothing from anywhere else).
 *
 * test/integration/openapi.test.ts walks the express app and checks that every route is in the
 * document (and every documented operation is a route), and validates real responses against it.
 */

export const OPENAPI_JSON_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';
const ASSETS_PATH = `${DOCS_PATH}/assets`;

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;

const SCHEMA_REF = '#/components/schemas/';
const ref = (name: string) => ({ $ref: `${SCHEMA_REF}${name}` });

/** JSON Schema (2020-12, the dialect of OpenAPI 3.1) of every named schema, with cross-references between them. */
function componentSchemas(): Record<string, JsonSchema> {
  const uri = (id: string) => `${SCHEMA_REF}${id}`;
  const clean = (schemas: Record<string, JsonSchema>) =>
    Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _schema, $id: _id, ...schema }]) => [id, schema]));

  // Requests as the API accepts them (input side: before trimming and defaults); unknown fields are refused.
  const requests = z.registry<{ id: string }>();
  requests.add(paymentLinkRequestSchema, { id: 'PaymentLinkRequest' });
  requests.add(pisPaymentRequestSchema, { id: 'PisPaymentRequest' });
  requests.add(paymentLinkStatusCallbackSchema, { id: 'PingPaymentLinkCallback' });
  requests.add(paymentStatusCallbackSchema, { id: 'PingPaymentCallback' });
  requests.add(codecRequestSchema, { id: 'CodecRequest' });
  const requestSchemas = z.toJSONSchema(requests, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any', uri }).schemas;

  // Responses as the API sends them. Published open: a later version may add fields, and clients
  // must ignore the ones they do not know (the zod schemas themselves are exact, for the tests).
  const responses = z.registry<{ id: string }>();
  responses.add(paymentSchema, { id: 'Payment' });
  responses.add(paymentSummarySchema, { id: 'PaymentSummary' });
  responses.add(paymentListSchema, { id: 'PaymentList' });
  responses.add(invoiceSchema, { id: 'Invoice' });
  responses.add(receiptSchema, { id: 'Receipt' });
  responses.add(errorSchema, { id: 'Error' });
  responses.add(healthSchema, { id: 'Health' });
  responses.add(readinessSchema, { id: 'Readiness' });
  responses.add(codecPayloadsSchema, { id: 'CodecPayloads' });
  const responseSchemas = z.toJSONSchema(responses, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
    uri,
    override: ({ jsonSchema }) => {
      if (jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
    },
  }).schemas;

  return { ...clean(requestSchemas as Record<string, JsonSchema>), ...clean(responseSchemas as Record<string, JsonSchema>) };
}

/** The codec endpoint's request (api/codecRoutes.ts): like its answer, but metadata and data may be missing or null. */
const codecRequestSchema = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), z.string()).nullish(), data: z.string().nullish() }))
    .max(1000),
});

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const requestIdHeader = { 'X-Request-Id': { $ref: '#/components/headers/RequestId' } };

function ok(description: string, schemaName: string): Record<string, unknown> {
  return { description, headers: requestIdHeader, content: json(ref(schemaName)) };
}

/** Error answers by status; each operation lists the ones it can give. */
const ERRORS: Record<number, string> = {
  400: 'Invalid request: a parameter is missing, unknown or invalid (`param` names it), or the JSON is malformed',
  401: 'Missing or invalid credentials (API key, or the URL token)',
  403: 'This browser origin may not call the codec endpoint',
  404: 'No such payment, route or document',
  405: 'Method not allowed on this path (the `Allow` header lists the allowed ones)',
  409: 'Conflict: the Idempotency-Key was used with another body, or the payment is already final',
  413: 'The request body is too large',
  415: 'The body is not UTF-8 JSON with `Content-Type: application/json`',
  422: 'Ping Payments refused the payment (its code, message and `ping_status`), or an undecodable payload',
  500: 'Something went wrong on our side (it has been logged under `request_id`)',
  502: 'Ping Payments could not be reached to create the payment',
};

function errors(...statuses: number[]): Record<string, unknown> {
  return Object.fromEntries(
    [...statuses, 500].map((status) => [String(status), { description: ERRORS[status], headers: requestIdHeader, content: json(ref('Error')) }]),
  );
}

const PUBLIC: Operation = { security: [] };
const API_KEY_OR_OPEN: Operation = { security: [{ bearerAuth: [] }, {}] };

function paths(): Record<string, Record<string, Operation>> {
  const paymentId = { $ref: '#/components/parameters/PaymentId' };
  const idempotencyKey = { $ref: '#/components/parameters/IdempotencyKey' };
  const callbackToken = { $ref: '#/components/parameters/UrlToken' };
  const create = (summary: string, description: string, requestSchema: string): Operation => ({
    tags: ['Payments'],
    summary,
    description,
    parameters: [idempotencyKey],
    requestBody: { required: true, content: json(ref(requestSchema)) },
    responses: {
      '201': ok('The payment was created; `checkout_url` is where the payer pays', 'Payment'),
      '200': ok('The same request again under the same Idempotency-Key: the same payment', 'Payment'),
      ...errors(400, 401, 409, 413, 415, 422, 502),
    },
  });
  const callback = (flow: string, schema: string): Operation => ({
    tags: ['Webhooks'],
    summary: `Ping's status callback for a ${flow}`,
    description:
      'Called by Ping Payments at the callback URL the orchestrator gave it. The body only wakes the payment: ' +
      'its status is always confirmed by fetching it from Ping. Duplicates and late callbacks are acknowledged.',
    ...PUBLIC,
    parameters: [paymentId, callbackToken],
    requestBody: { required: true, content: json(ref(schema)) },
    responses: { '204': { description: 'Accepted', headers: requestIdHeader }, ...errors(400, 401, 404, 413, 415) },
  });

  return {
    '/v1/payment-links': {
      post: create(
        'Create a payment link',
        'Creates the payment order and the payment link at Ping and answers once the link exists, with its `checkout_url`. ' +
          'Optionally distributes it by SMS, e-mail and/or a PDF invoice; `due_at` expires it.',
        'PaymentLinkRequest',
      ),
    },
    '/v1/pis-payments': {
      post: create(
        'Create an open-banking (PIS) payment',
        "Creates the payment order and initiates a PIS payment (Ping provider `open_payments`) and answers with the bank's `checkout_url`.",
        'PisPaymentRequest',
      ),
    },
    '/v1/payments': {
      get: {
        tags: ['Payments'],
        summary: 'List payments',
        description: 'Newest first, from Temporal visibility (search attributes); eventually consistent by a second or so.',
        parameters: [
          { name: 'status', in: 'query', schema: { type: 'string', enum: [...PAYMENT_STATES] } },
          { name: 'flow', in: 'query', schema: { type: 'string', enum: ['link', 'pis'] } },
          { name: 'merchant_reference', in: 'query', schema: { type: 'string', minLength: 1, maxLength: 128 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          {
            name: 'cursor',
            in: 'query',
            description: '`next_cursor` of the previous page of the same query',
            schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,2048}\\.[A-Za-z0-9_-]{22}$' },
          },
        ],
        responses: { '200': ok('A page of payments', 'PaymentList'), ...errors(400, 401) },
      },
    },
    '/v1/payments/{id}': {
      get: {
        tags: ['Payments'],
        summary: 'Get a payment',
        parameters: [paymentId],
        responses: { '200': ok('The payment, as its workflow has it now', 'Payment'), ...errors(401, 404) },
      },
    },
    '/v1/payments/{id}/cancel': {
      post: {
        tags: ['Payments'],
        summary: 'Cancel a payment',
        description: 'Cancels the link or payment at Ping and ends the payment `cancelled`. Takes no parameters (no body, or `{}`).',
        parameters: [paymentId],
        requestBody: { required: false, content: json({ type: 'object', maxProperties: 0 }) },
        responses: { '200': ok('The cancelled payment', 'Payment'), ...errors(400, 401, 404, 409, 415) },
      },
    },
    '/v1/payments/{id}/invoice': {
      get: {
        tags: ['Payments'],
        summary: "Get a payment link's PDF invoice",
        parameters: [paymentId],
        responses: { '200': ok('The invoice', 'Invoice'), ...errors(401, 404) },
      },
    },
    '/v1/payments/{id}/receipt': {
      get: {
        tags: ['Payments'],
        summary: "Get a paid payment's receipt",
        parameters: [paymentId],
        responses: { '200': ok('The receipt', 'Receipt'), ...errors(401, 404) },
      },
    },
    '/v1/payments/{id}/return/{outcome}': {
      get: {
        tags: ['Webhooks'],
        summary: "The payer's return from the bank (PIS)",
        description:
          "Where the bank sends the payer's browser back. It tells the payment what the payer saw and redirects to the caller's " +
          '`success_url`, `cancel_url` or `error_url`. The URL (with its token) is made by the orchestrator; not called by API clients.',
        ...PUBLIC,
        parameters: [paymentId, { name: 'outcome', in: 'path', required: true, schema: { type: 'string', enum: ['success', 'cancel', 'error'] } }, callbackToken],
        responses: {
          '303': { description: "Redirect to the caller's page", headers: { Location: { schema: { type: 'string', format: 'uri' } }, ...requestIdHeader } },
          ...errors(401, 404),
        },
      },
    },
    '/webhooks/ping/payment-links/{id}': { post: callback('payment link', 'PingPaymentLinkCallback') },
    '/webhooks/ping/payments/{id}': { post: callback('PIS payment', 'PingPaymentCallback') },
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

function codecOperation(direction: 'decode' | 'encode'): Operation {
  return {
    tags: ['Payload codec'],
    summary: direction === 'decode' ? 'Decrypt payloads (for the Temporal Web UI and CLI)' : 'Encrypt payloads',
    description:
      "Temporal's remote codec protocol. Called with an API key (scripts, `temporal --codec-endpoint`), or without one by a " +
      'browser page from an origin listed in `CODEC_CORS_ORIGINS` (the Web UI). Body up to 4 MB.',
    ...API_KEY_OR_OPEN,
    requestBody: { required: true, content: json(ref('CodecRequest')) },
    responses: { '200': ok('The payloads, each encoded or decoded', 'CodecPayloads'), ...errors(400, 401, 403, 413, 415, 422) },
  };
}

let cached: Record<string, unknown> | undefined;

/** The OpenAPI 3.1 document of this API (built once; a pure function of the code). */
export function openApiDocument(): Record<string, unknown> {
  cached ??= {
    openapi: '3.1.1',
    info: {
      title: 'Ping orchestrator API',
      version: '1',
      description:
        'Payments through Ping Payments, each one a durable Temporal workflow: payment links and open-banking (PIS) payments. ' +
        'Authenticate with `Authorization: Bearer <API key>`. Send an `Idempotency-Key` to make a create safe to retry. ' +
        'Amounts are in minor units. Every error has the shape `{"error": {"type", "code", "message", "param"?, "request_id"}}`. ' +
        'Responses may gain fields in later versions: ignore the ones you do not know.',
    },
    servers: [{ url: '/', description: 'This server' }],
    tags: [
      { name: 'Payments', description: 'Start payments and read their state' },
      { name: 'Webhooks', description: 'Called by Ping Payments and by the payer’s bank, with per-payment URL tokens' },
      { name: 'Payload codec', description: 'Encrypted Temporal payloads, for the Web UI and the CLI' },
      { name: 'Operations', description: 'Health and metrics' },
      { name: 'Documentation', description: 'This contract' },
    ],
    security: [{ bearerAuth: [] }],
    paths: paths(),
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'One of the API keys in API_KEYS' },
      },
      parameters: {
        PaymentId: {
          name: 'id',
          in: 'path',
          required: true,
          description: 'The payment id: `payment-link-<Idempotency-Key>` or `pis-payment-<Idempotency-Key>`',
          schema: { type: 'string', pattern: '^(payment-link|pis-payment)-[A-Za-z0-9._:-]{1,100}$' },
        },
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: 'Makes the create safe to retry: the payment id is derived from it. Without one, every request is a new payment.',
          schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,100}$' },
        },
        UrlToken: {
          name: 'token',
          in: 'query',
          required: true,
          description: 'The per-payment token in the URL the orchestrator handed out',
          schema: { type: 'string' },
        },
      },
      headers: {
        RequestId: { description: "The request's id (the caller's `X-Request-Id` if it was safe, else a new UUID)", schema: { type: 'string' } },
      },
      schemas: componentSchemas(),
    },
  };
  return cached;
}

/** Swagger UI's files, the only ones served from its package. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'swagger-ui.css',
  'swagger-ui-bundle.js': 'swagger-ui-bundle.js',
  'favicon-32x32.png': 'favicon-32x32.png',
};

const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Ping orchestrator API</title>
  <link rel="stylesheet" href="${ASSETS_PATH}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${ASSETS_PATH}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${ASSETS_PATH}/swagger-ui-bundle.js"></script>
  <script src="${ASSETS_PATH}/init.js"></script>
</body>
</html>
`;

// validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io.
const DOCS_INIT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_JSON_PATH)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

/** The page may load its own scripts and styles from this server and call this server, nothing else. */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** `GET /openapi.json`, `GET /docs` and the page's assets under `/docs/assets/`; no API key needed. */
export function openApiRoutes(): Router {
  const router = Router();
  const uiDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));

  router.get(OPENAPI_JSON_PATH, (_req, res) => {
    res.json(openApiDocument());
  });
  router.all(OPENAPI_JSON_PATH, methodNotAllowed('GET'));

  router.get(DOCS_PATH, (_req, res) => {
    res.set('Content-Security-Policy', DOCS_CSP).type('html').send(DOCS_HTML);
  });
  router.all(DOCS_PATH, methodNotAllowed('GET'));

  const assets: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const name = req.path.replace(/^\//, '');
    // They change only with the package version; nothing in them is private.
    const cache = (): void => void res.set('Cache-Control', 'public, max-age=3600');
    if (name === 'init.js') {
      cache();
      res.type('text/javascript').send(DOCS_INIT);
      return;
    }
    const file = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!file) return next();
    cache();
    res.sendFile(path.join(uiDir, file), (err) => {
      if (err) next(err);
    });
  };
  router.use(ASSETS_PATH, assets);
  return router;
}
