import { z } from 'zod';
import { currencies, httpUrl, methods, openEnum, pingId, providers, timestamp } from './commonSchemas';

/**
 * Payments API bodies for merchants and the tenant (docs/ping-contract.md §2.6, §2.8). Same rules as
 * paymentsSchemas.ts: requests stripped to what we mean to send, responses loose objects with only
 * what the flows need required, so a field Ping adds later never makes a merchant unreadable.
 */

// ---------------------------------------------------------------- requests

const countryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 country code');
const digits = (n: number) => z.string().regex(new RegExp(`^\\d{${n}}$`), `must be ${n} digits`);

/** The organisation numbers the contract names; the lengths it gives are checked, the rest only as text. */
const organizationNumbers = ['se_organization_number', 'no_organization_number', 'dk_organization_number', 'fi_organization_number', 'de_organization_number', 'at_organization_number'] as const;

export const merchantOrganizationSchema = z
  .object({
    country: countryCode,
    name: z.string().min(1).optional(),
    se_organization_number: digits(10).optional(),
    no_organization_number: digits(9).optional(),
    dk_organization_number: digits(8).optional(),
    fi_organization_number: z.string().min(1).optional(),
    /** The German VAT id. */
    de_organization_number: z.string().min(1).optional(),
    /** The Austrian VAT id. */
    at_organization_number: z.string().min(1).optional(),
  })
  // The contract speaks of "one organisation number"; two would leave Ping to pick, so we never send that.
  .refine((o) => organizationNumbers.filter((key) => o[key] !== undefined).length <= 1, {
    message: 'must have at most one organisation number',
  });

export const merchantPersonSchema = z.object({
  country: countryCode,
  name: z.string().min(1).optional(),
  se_personal_identity_number: digits(12).optional(),
  dk_civil_registration_number: z.string().min(1).optional(),
  no_identity_number: z.string().min(1).optional(),
});

/**
 * CreateMerchant: a name and exactly one of `organization` and `person`. The SDK leaves nulls out on
 * this endpoint, so the optional parts are absent rather than null.
 */
export const createMerchantRequestSchema = z
  .object({
    name: z.string().trim().min(1),
    organization: merchantOrganizationSchema.optional(),
    person: merchantPersonSchema.optional(),
  })
  .refine((m) => (m.organization === undefined) !== (m.person === undefined), {
    message: 'exactly one of organization and person is required',
    path: ['organization'],
  });

/**
 * UpdateTenant replaces all three URLs at once (PUT, 204). The SDK requires the first two and writes
 * an explicit null for the disbursement URL when it is unset, so we send the same. A caller changing
 * one URL reads the tenant first and passes the others back.
 */
export const updateTenantRequestSchema = z.object({
  merchant_status_callback_url: httpUrl,
  credit_account_top_up_callback_url: httpUrl,
  disbursement_callback_url: httpUrl.nullable().default(null),
});

// ---------------------------------------------------------------- responses

export const merchantStatuses = ['CREATED', 'APPROVED', 'DENIED', 'PENDING'] as const;
/** Not open: whether a merchant may be paid depends on it, so an unknown value must fail loudly (see openEnum). */
export const merchantStatusSchema = z.enum(merchantStatuses);
export type MerchantStatus = z.infer<typeof merchantStatusSchema>;

export const kycStatuses = ['UNVERIFIED', 'PROCESSING', 'APPROVED', 'DENIED', 'EXPIRED'] as const;

export const kycInformationSchema = z.looseObject({
  kyc_renewal_ongoing: z.boolean().nullish(),
  latest_kyc_gathered_at: timestamp.nullish(),
  /** Only shown, never branched on: the merchant's own status is the decision. */
  status: openEnum(kycStatuses).nullish(),
});

const providerMethodRefSchema = z.looseObject({ provider: openEnum(providers), method: openEnum(methods) });

/** A merchant as GET and lists show it: only the id and the status are required. */
export const merchantSchema = z.looseObject({
  id: pingId,
  status: merchantStatusSchema,
  name: z.string().nullish(),
  email: z.string().nullish(),
  phone_number: z.string().nullish(),
  organization: z.looseObject({ country: z.string().nullish(), kyc_information: kycInformationSchema.nullish() }).nullish(),
  person: z.looseObject({ country: z.string().nullish() }).nullish(),
  payment_provider_methods: z.array(providerMethodRefSchema).nullish(),
});

/** GET api/v1/merchants: a page, and where the next one is (docs/ping-contract.md §2.2). */
export const merchantPageSchema = z.looseObject({
  data: z.array(merchantSchema),
  _links: z.looseObject({ next: z.looseObject({ href: z.string() }).nullish() }).nullish(),
});

/**
 * GET api/v1/tenant. Only the id is required; the callback URLs are read as plain strings, since they
 * are ours to set and a URL Ping normalised differently must not make the tenant unreadable.
 */
export const tenantSchema = z.looseObject({
  id: pingId,
  name: z.string().nullish(),
  organization: z.looseObject({}).nullish(),
  accounts: z
    .looseObject({ credit: z.array(z.looseObject({ balance: z.number().int(), currency: openEnum(currencies) })).nullish() })
    .nullish(),
  callback_signing_key: z.string().nullish(),
  merchant_status_callback_url: z.string().nullish(),
  credit_account_top_up_callback_url: z.string().nullish(),
  disbursement_callback_url: z.string().nullish(),
  payment_provider_methods: z.array(providerMethodRefSchema).nullish(),
});

export type CreateMerchantInput = z.input<typeof createMerchantRequestSchema>;
export type UpdateTenantInput = z.input<typeof updateTenantRequestSchema>;
export type Merchant = z.output<typeof merchantSchema>;
export type MerchantPage = z.output<typeof merchantPageSchema>;
export type Tenant = z.output<typeof tenantSchema>;
