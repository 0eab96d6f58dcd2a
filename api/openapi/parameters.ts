import { z } from 'zod';
import { IDEMPOTENCY_KEY_PATTERN, PAYMENT_ID_PATTERN, PAYMENT_ID_PREFIXES } from '../../domain/ids';
import { MERCHANT_ID_PATTERN } from '../../domain/merchant';
import { KEY_ID_PATTERN } from '../merchantIds';
import { SUBSCRIPTION_ID_PATTERN } from '../../domain/subscription';

/**
 * The parameters outside request bodies, generated from the same zod schemas and patterns the API
 * validates with (domain/ids.ts, api/schemas/listQuery.ts), so a changed limit or pattern changes
 * the document too.
 */

export type JsonSchema = Record<string, unknown>;
type ParameterName = 'PaymentId' | 'IdempotencyKey' | 'RefundIdempotencyKey' | 'UrlToken' | 'MerchantId' | 'ApiKeyId' | 'MerchantIdempotencyKey' | 'OnBehalfOf' | 'TenantToken' | 'SubscriptionId' | 'SubscriptionIdempotencyKey';
type Parameter = { name: string; in: 'path' | 'query' | 'header'; required?: boolean; description?: string; schema: JsonSchema };

/** Query strings and headers arrive as text: the input side (before coercion and defaults) is what a client sends. */
function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  // The dialect is the document's (OpenAPI 3.1: JSON Schema 2020-12), declared once for all of it.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/**
 * One query parameter per field of a zod object. A field's description moves from its schema to the
 * parameter, where OpenAPI tools show it.
 */
export function queryParameters(schema: z.ZodType): Parameter[] {
  const { properties = {}, required = [] } = jsonSchemaOf(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(properties).map(([name, { description, ...fieldSchema }]) => ({
    name,
    in: 'query',
    ...(typeof description === 'string' ? { description } : {}),
    ...(required.includes(name) ? { required: true } : {}),
    schema: fieldSchema,
  }));
}

const idForms = Object.values(PAYMENT_ID_PREFIXES)
  .map((prefix) => `\`${prefix}-<Idempotency-Key>\``)
  .join(' or ');

/** The shared parameters (`#/components/parameters/…`). */
export function componentParameters(): Record<ParameterName, Parameter> {
  return {
    PaymentId: {
      name: 'id',
      in: 'path',
      required: true,
      description: `The payment id: ${idForms}`,
      schema: jsonSchemaOf(z.string().regex(PAYMENT_ID_PATTERN)),
    },
    IdempotencyKey: {
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Makes the create safe to retry: the payment id is derived from it. Without one, every request is a new payment.',
      schema: jsonSchemaOf(z.string().regex(IDEMPOTENCY_KEY_PATTERN)),
    },
    RefundIdempotencyKey: {
      name: 'Idempotency-Key',
      in: 'header',
      required: true,
      description: 'Required: the same key asks for the same refund again (200), so a retried request never refunds twice.',
      schema: jsonSchemaOf(z.string().regex(IDEMPOTENCY_KEY_PATTERN)),
    },
    UrlToken: {
      name: 'token',
      in: 'query',
      required: true,
      description: 'The per-payment token in the URL the orchestrator handed out',
      schema: { type: 'string' },
    },
    MerchantId: {
      name: 'id',
      in: 'path',
      required: true,
      description: 'The merchant id (`mer_…`). A merchant key, or a platform key with On-Behalf-Of, reaches only its own merchant: any other id is a 404, as an unknown one',
      schema: jsonSchemaOf(z.string().regex(MERCHANT_ID_PATTERN)),
    },
    ApiKeyId: {
      name: 'key_id',
      in: 'path',
      required: true,
      description: "The API key's id (`key_…`), as the key list shows it",
      schema: jsonSchemaOf(z.string().regex(KEY_ID_PATTERN)),
    },
    MerchantIdempotencyKey: {
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Makes the create safe to retry: the merchant id is derived from it. Without one, every request is a new merchant.',
      schema: jsonSchemaOf(z.string().regex(IDEMPOTENCY_KEY_PATTERN)),
    },
    OnBehalfOf: {
      name: 'On-Behalf-Of',
      in: 'header',
      required: false,
      description:
        "With a platform key: act for this merchant, confined to it as its own key would be (an unknown merchant is a 404 with `param` `On-Behalf-Of`). With a merchant's key: only its own id (any other is a 403 `on_behalf_of_not_allowed`)",
      schema: jsonSchemaOf(z.string().regex(MERCHANT_ID_PATTERN)),
    },
    SubscriptionId: {
      name: 'id',
      in: 'path',
      required: true,
      description: "The subscription id (`sub_…`). A merchant key, or a platform key with On-Behalf-Of, reaches only its own merchant's subscriptions: any other id is a 404, as an unknown one",
      schema: jsonSchemaOf(z.string().regex(SUBSCRIPTION_ID_PATTERN)),
    },
    SubscriptionIdempotencyKey: {
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Makes the create safe to retry: the subscription id is derived from it and the merchant. Without one, every request is a new subscription.',
      schema: jsonSchemaOf(z.string().regex(IDEMPOTENCY_KEY_PATTERN)),
    },
    TenantToken: {
      name: 'token',
      in: 'path',
      required: true,
      description: "The tenant callback URL's token, one per kind of callback, set on the tenant at Ping by the worker",
      schema: { type: 'string' },
    },
  };
}

export const parameterRef = (name: ParameterName) => ({ $ref: `#/components/parameters/${name}` });
