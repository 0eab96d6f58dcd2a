import { z } from 'zod';
import { merchantStatusCallbackSchema, paymentLinkStatusCallbackSchema, paymentStatusCallbackSchema } from '../../ping';
import {
  apiKeyCreatedSchema,
  apiKeyListSchema,
  apiKeySchema,
  merchantCreatedSchema,
  merchantCreateRequestSchema,
  merchantListSchema,
  merchantSchema,
  merchantUpdateRequestSchema,
  signingSecretSchema,
} from '../schemas/merchant';
import { paymentLinkRequestSchema } from '../schemas/paymentLink';
import { pisPaymentRequestSchema } from '../schemas/pisPayment';
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
} from '../schemas/responses';
import type { JsonSchema } from './parameters';
import { refundRequestSchema } from '../schemas/refund';
import { paymentSendRequestSchema } from '../schemas/paymentSend';
import {
  subscriptionCancelRequestSchema,
  subscriptionCreateRequestSchema,
  subscriptionListSchema,
  subscriptionSchema,
  subscriptionUpdateRequestSchema,
} from '../schemas/subscription';

export const SCHEMA_REF = '#/components/schemas/';
export const schemaRef = (name: string) => ({ $ref: `${SCHEMA_REF}${name}` });

/** The codec endpoint's request (api/codecRoutes.ts): like its answer, but metadata and data may be missing or null. */
const codecRequestSchema = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), z.string()).nullish(), data: z.string().nullish() }))
    .max(1000),
});

/** The credit top-up callback's body is not known (docs/ping-contract.md §4): any JSON object. */
const creditTopUpCallbackSchema = z.looseObject({}).describe("Ping's credit account top-up: its shape is not documented; logged as received");

/**
 * JSON Schema (2020-12, the dialect of OpenAPI 3.1) of every named schema (`#/components/schemas/…`),
 * generated from the zod schemas the API validates requests with (api/schemas/*, ping/) and the
 * response schemas (api/schemas/responses.ts), with cross-references between them.
 */
export function componentSchemas(): Record<string, JsonSchema> {
  const uri = (id: string) => `${SCHEMA_REF}${id}`;
  const clean = (schemas: Record<string, JsonSchema>) =>
    Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _schema, $id: _id, ...schema }]) => [id, schema]));

  // Requests as the API accepts them (input side: before trimming and defaults); unknown fields are refused.
  const requests = z.registry<{ id: string }>();
  requests.add(paymentLinkRequestSchema, { id: 'PaymentLinkRequest' });
  requests.add(pisPaymentRequestSchema, { id: 'PisPaymentRequest' });
  requests.add(refundRequestSchema, { id: 'RefundRequest' });
  requests.add(paymentSendRequestSchema, { id: 'PaymentSendRequest' });
  requests.add(paymentLinkStatusCallbackSchema, { id: 'PingPaymentLinkCallback' });
  requests.add(paymentStatusCallbackSchema, { id: 'PingPaymentCallback' });
  requests.add(codecRequestSchema, { id: 'CodecRequest' });
  requests.add(merchantCreateRequestSchema, { id: 'MerchantCreateRequest' });
  requests.add(merchantUpdateRequestSchema, { id: 'MerchantUpdateRequest' });
  requests.add(merchantStatusCallbackSchema, { id: 'PingMerchantCallback' });
  requests.add(creditTopUpCallbackSchema, { id: 'PingCreditTopUpCallback' });
  requests.add(subscriptionCreateRequestSchema, { id: 'SubscriptionCreateRequest' });
  requests.add(subscriptionUpdateRequestSchema, { id: 'SubscriptionUpdateRequest' });
  requests.add(subscriptionCancelRequestSchema, { id: 'SubscriptionCancelRequest' });
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
  responses.add(merchantSchema, { id: 'Merchant' });
  responses.add(merchantCreatedSchema, { id: 'MerchantCreated' });
  responses.add(merchantListSchema, { id: 'MerchantList' });
  responses.add(apiKeySchema, { id: 'ApiKey' });
  responses.add(apiKeyCreatedSchema, { id: 'ApiKeyCreated' });
  responses.add(apiKeyListSchema, { id: 'ApiKeyList' });
  responses.add(signingSecretSchema, { id: 'SigningSecret' });
  responses.add(subscriptionSchema, { id: 'Subscription' });
  responses.add(subscriptionListSchema, { id: 'SubscriptionList' });
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
