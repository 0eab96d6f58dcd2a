import { z } from 'zod';
import { CURSOR_PATTERN } from '../../domain/ids';
import type { ApiKeyView, MerchantOrganization, MerchantPerson, MerchantResource, MerchantSettings } from '../../domain/merchant';
import { freeformObject, httpsUrl, method, provider, text } from './common';

/**
 * The merchant endpoints' bodies (api/routes/merchants.ts, api/routes/merchantApiKeys.ts): what they
 * accept, and what they answer (for the OpenAPI document and test/integration/openapi.test.ts, exact
 * as api/schemas/responses.ts's are). Unknown fields are rejected.
 */

// ---------------------------------------------------------------- what Ping is sent (docs/ping-contract.md §2.6)

const countryCode = z.string({ error: 'must be a country code' }).regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 country code in capitals, e.g. SE');
const digits = (n: number) => z.string({ error: `must be a string of ${n} digits` }).regex(new RegExp(`^\\d{${n}}$`), `must be ${n} digits, without spaces or dashes`);
/** Numbers whose form the contract does not give: one printable word, so no separator or control character reaches Ping. */
const identifier = z.string({ error: 'must be a string' }).regex(/^[A-Za-z0-9-]{1,32}$/, 'must be 1-32 letters, digits or dashes');
const phone = z
  .string({ error: 'must be a phone number' })
  .trim()
  .regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number, e.g. 0701234567 or +46701234567');

const ORGANIZATION_NUMBERS = ['se_organization_number', 'no_organization_number', 'dk_organization_number', 'fi_organization_number'] as const;
const PERSON_NUMBERS = ['se_personal_identity_number', 'dk_civil_registration_number', 'no_identity_number'] as const;

const organization = z
  .strictObject({
    country: countryCode,
    name: text(200).optional(),
    se_organization_number: digits(10).optional(),
    no_organization_number: digits(9).optional(),
    dk_organization_number: digits(8).optional(),
    fi_organization_number: identifier.optional(),
  })
  .superRefine((o, ctx) => {
    const given = ORGANIZATION_NUMBERS.filter((key) => o[key] !== undefined);
    // The contract names one organisation number per organisation; with two, Ping would have to pick.
    if (given.length === 0) ctx.addIssue({ code: 'custom', path: [], message: `must have an organisation number: one of ${ORGANIZATION_NUMBERS.join(', ')}` });
    if (given.length > 1) ctx.addIssue({ code: 'custom', path: [given[1]!], message: `must not be sent with ${given[0]}: one organisation number only` });
    if (o.dk_organization_number !== undefined && o.country !== 'DK') ctx.addIssue({ code: 'custom', path: ['country'], message: 'must be DK with a dk_organization_number' });
  });

const person = z
  .strictObject({
    country: countryCode,
    name: text(200).optional(),
    se_personal_identity_number: digits(12).optional(),
    dk_civil_registration_number: identifier.optional(),
    no_identity_number: identifier.optional(),
  })
  .superRefine((p, ctx) => {
    // A person may have none (the contract's German person has none), but never two.
    const given = PERSON_NUMBERS.filter((key) => p[key] !== undefined);
    if (given.length > 1) ctx.addIssue({ code: 'custom', path: [given[1]!], message: `must not be sent with ${given[0]}: one identity number only` });
  });

// ---------------------------------------------------------------- our own settings (domain/merchant.ts MerchantSettings)

const supplier = z.strictObject({
  name: text(200),
  city: text(100).optional(),
  organization_number: text(40).optional(),
  website: httpsUrl.optional(),
  zip: text(20).optional(),
});

const settingsFields = {
  display_name: text(200).meta({ description: "The name on the merchant's payments: the link's supplier and the PIS receipt's sender, when a payment names none" }),
  notify_url: httpsUrl.meta({ description: "Where the merchant's payment events go when a payment names no notify_url; https on a public address" }),
  payment_methods: z
    .array(z.strictObject({ provider, method, parameters: freeformObject.optional() }), { error: 'must be an array' })
    .min(1, 'must offer at least one payment method')
    .max(10, 'must offer at most 10 payment methods'),
  locale: z.enum(['sv-SE', 'nb-NO'], { error: 'must be sv-SE or nb-NO' }),
  supplier,
};

/** `POST /v1/merchants`: the profile Ping gets, exactly one of `organization` and `person`, and our settings. */
export const merchantCreateRequestSchema = z
  .strictObject({
    name: text(200),
    email: z.email('must be an e-mail address').max(254, 'must be at most 254 characters').optional(),
    phone_number: phone.optional(),
    organization: organization.optional(),
    person: person.optional(),
    display_name: settingsFields.display_name.optional(),
    notify_url: settingsFields.notify_url.optional(),
    payment_methods: settingsFields.payment_methods.optional(),
    locale: settingsFields.locale.optional(),
    supplier: settingsFields.supplier.optional(),
  })
  .superRefine((body, ctx) => {
    if (body.organization === undefined && body.person === undefined) {
      ctx.addIssue({ code: 'custom', path: ['organization'], message: 'exactly one of organization and person is required' });
    }
    if (body.organization !== undefined && body.person !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['person'], message: 'must not be sent with organization: exactly one of the two' });
    }
  });
export type MerchantCreateRequest = z.output<typeof merchantCreateRequestSchema>;

/** `PATCH /v1/merchants/:id`: our own fields only (a merchant's profile is Ping's); `null` clears one. */
export const merchantUpdateRequestSchema = z.strictObject({
  display_name: settingsFields.display_name.nullable().optional(),
  notify_url: settingsFields.notify_url.nullable().optional(),
  payment_methods: settingsFields.payment_methods.nullable().optional(),
  locale: settingsFields.locale.nullable().optional(),
  supplier: settingsFields.supplier.nullable().optional(),
});

/** `GET /v1/merchants`'s query string. */
export const merchantListQuerySchema = z.strictObject({
  limit: z.coerce.number({ error: 'must be a number' }).int().min(1, 'must be between 1 and 100').max(100, 'must be between 1 and 100').default(10),
  cursor: z
    .string()
    .regex(CURSOR_PATTERN, 'must be a cursor from an earlier page')
    .optional()
    .meta({ description: '`next_cursor` of the previous page' }),
});

// The request schemas must produce what the domain types hold (checked by the compiler).
type Assignable<A, B> = [A] extends [B] ? true : false;
export const organizationMatchesDomain: Assignable<z.output<typeof organization>, MerchantOrganization> = true;
export const personMatchesDomain: Assignable<z.output<typeof person>, MerchantPerson> = true;
export const settingsMatchDomain: Assignable<Required<z.output<typeof merchantUpdateRequestSchema>>, MerchantSettings> = true;

// ---------------------------------------------------------------- answers

const instant = z.iso.datetime({ offset: true }).describe('An ISO 8601 instant, e.g. 2026-12-31T12:00:00.000Z');
/** Both ways assignable: neither side has a field the other lacks (checked by the compiler). */
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

const profileOrganization = z.strictObject({
  country: z.string(),
  name: z.string().optional(),
  se_organization_number: z.string().optional(),
  no_organization_number: z.string().optional(),
  dk_organization_number: z.string().optional(),
  fi_organization_number: z.string().optional(),
});
const profilePerson = z.strictObject({
  country: z.string(),
  name: z.string().optional(),
  se_personal_identity_number: z.string().optional(),
  dk_civil_registration_number: z.string().optional(),
  no_identity_number: z.string().optional(),
});
const settingsShape = {
  display_name: z.string().nullable(),
  notify_url: z.string().nullable(),
  payment_methods: z.array(z.strictObject({ provider: z.string(), method: z.string(), parameters: z.record(z.string(), z.unknown()).optional() })).nullable(),
  locale: z.enum(['sv-SE', 'nb-NO']).nullable(),
  supplier: z
    .strictObject({ name: z.string(), city: z.string().optional(), organization_number: z.string().optional(), website: z.string().optional(), zip: z.string().optional() })
    .nullable(),
};

const merchantShape = z
  .strictObject({
    id: z.string().describe('Our merchant id: `mer_` and 20 characters'),
    object: z.literal('merchant'),
    ping_merchant_id: z.string().nullable().describe("Ping's id of the merchant, once Ping has made it"),
    status: z
      .enum(['creating', 'created', 'pending', 'approved', 'denied', 'failed'])
      .describe("`creating` until Ping has the merchant, then Ping's status (lower case); `failed` when Ping refused it. It takes payments once `approved`"),
    profile: z.strictObject({
      name: z.string(),
      email: z.string().optional(),
      phone_number: z.string().optional(),
      organization: profileOrganization.optional(),
      person: profilePerson.optional(),
    }),
    ...settingsShape,
    signing_secret_version: z.number().int().describe('Bumped by each rotation of the signing secret'),
    failure: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
    created_at: instant,
    updated_at: instant,
    history: z.array(
      z.strictObject({
        type: z.string().describe('What happened, e.g. `merchant.created`, `merchant.status_changed`, `api_key.created`, `api_key.revoked`, `signing_secret.rotated`, `merchant.updated`'),
        at: instant,
        actor: z.string().describe('`platform:<key id>`, `merchant:<key id>`, or `ping`'),
        detail: z.string().optional(),
      }),
    ),
  })
  .describe('A merchant: a payee of the platform, and a merchant at Ping; one durable Temporal workflow');
export const merchantSchema: z.ZodType<MerchantResource> = merchantShape;
export const merchantSchemaMatchesType: Mutual<z.output<typeof merchantShape>, MerchantResource> = true;

const signingSecret = z.string().describe("The merchant's signing secret (`whsec_…`): shown once; its payment events are signed with it");

export const merchantCreatedSchema = merchantShape.extend({ signing_secret: signingSecret }).describe('The new merchant, with its signing secret (shown only in this answer)');

export const merchantListSchema = z
  .strictObject({
    object: z.literal('list'),
    data: z.array(merchantShape),
    has_more: z.boolean(),
    next_cursor: z.string().nullable().describe('Pass as `cursor` to get the next page; null on the last page'),
  })
  .describe('A page of merchants, newest first');

const apiKeyShape = z
  .strictObject({
    id: z.string().describe('The key id (`key_…`): not secret'),
    object: z.literal('api_key'),
    prefix: z.string().describe('The start of the key, to recognise it by'),
    created_at: instant,
    last_used_at: instant.nullable().describe('Updated at most once a minute'),
    revoked_at: instant.nullable(),
  })
  .describe("A merchant's API key (never the key itself)");
export const apiKeySchema: z.ZodType<ApiKeyView> = apiKeyShape;
export const apiKeySchemaMatchesType: Mutual<z.output<typeof apiKeyShape>, ApiKeyView> = true;

export const apiKeyCreatedSchema = apiKeyShape
  .extend({ secret: z.string().describe('The key (`sk_…`): shown only in this answer; only its SHA-256 is kept') })
  .describe('The new key, with its secret');

export const apiKeyListSchema = z.strictObject({ object: z.literal('list'), data: z.array(apiKeyShape) }).describe("A merchant's keys, revoked ones included, oldest first");

export const signingSecretSchema = z
  .strictObject({
    object: z.literal('signing_secret'),
    merchant_id: z.string(),
    version: z.number().int(),
    secret: signingSecret,
  })
  .describe('The new signing secret; events are signed with it from now on');
