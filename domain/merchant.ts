/**
 * Our merchants: the platform's payees, each a merchant at Ping, with its own API keys, signing
 * secret and defaults (docs/merchants.md). One durable workflow per merchant is its system of record.
 */

/** Ping's merchant statuses (docs/ping-contract.md §2.6), as our resource shows them. */
export const PING_MERCHANT_STATUSES = ['CREATED', 'PENDING', 'APPROVED', 'DENIED'] as const;
export type PingMerchantStatus = (typeof PING_MERCHANT_STATUSES)[number];

/** `creating` until Ping has given the merchant its id; then Ping's status, lower-cased. */
export type MerchantStatus = 'creating' | 'created' | 'pending' | 'approved' | 'denied' | 'failed';

/**
 * Our merchant ids: `mer_` and 20 lower-case base-32 characters. The underscore cannot appear in an
 * Idempotency-Key (domain/ids.ts), so a payment id that names a merchant (`payment-link-mer_….key`)
 * can only have been made for that merchant: the owner of a payment is read from its id.
 */
export const MERCHANT_ID_PATTERN = /^mer_[a-z2-7]{20}$/;
export const MERCHANT_WORKFLOW_PREFIX = 'merchant-';
export const merchantWorkflowId = (merchantId: string) => `${MERCHANT_WORKFLOW_PREFIX}${merchantId}`;

/** A secret key: `sk_`, the merchant's id without its prefix, `_`, and 32 base-32 characters (160 bits). */
export const MERCHANT_KEY_PATTERN = /^sk_([a-z2-7]{20})_([a-z2-7]{32})$/;
export const merchantOfKey = (key: string): string | undefined => {
  const match = MERCHANT_KEY_PATTERN.exec(key);
  return match ? `mer_${match[1]}` : undefined;
};
/** What a key list shows of a key: its merchant part and 4 of its 32 secret characters, to tell keys apart, never enough to use one. */
export const keyPrefix = (key: string) => `${key.slice(0, 28)}…`;

export interface MerchantOrganization {
  country: string;
  name?: string;
  se_organization_number?: string;
  no_organization_number?: string;
  dk_organization_number?: string;
  fi_organization_number?: string;
}

export interface MerchantPerson {
  country: string;
  name?: string;
  se_personal_identity_number?: string;
  dk_civil_registration_number?: string;
  no_identity_number?: string;
}

/** What the platform sends Ping for a new merchant (`POST /v1/merchants`). */
export interface MerchantProfile {
  name: string;
  email?: string;
  phone_number?: string;
  organization?: MerchantOrganization;
  person?: MerchantPerson;
}

/** Our own fields of a merchant (`PATCH /v1/merchants/:id`): what its payments get when they name none. */
export interface MerchantSettings {
  display_name: string | null;
  notify_url: string | null;
  payment_methods: Array<{ provider: string; method: string; parameters?: Record<string, unknown> }> | null;
  locale: 'sv-SE' | 'nb-NO' | null;
  /** The supplier shown on a payment link's page and invoice. */
  supplier: { name: string; city?: string; organization_number?: string; website?: string; zip?: string } | null;
}

export interface ApiKeyView {
  id: string;
  object: 'api_key';
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** An audit event on the merchant's history: who did what, when. */
export interface MerchantEvent {
  type: string;
  at: string;
  /** `platform:<key id>` or `merchant:<key id>`, or `ping` for a status Ping reported. */
  actor: string;
  detail?: string;
}

export interface MerchantResource extends MerchantSettings {
  id: string;
  object: 'merchant';
  ping_merchant_id: string | null;
  status: MerchantStatus;
  profile: MerchantProfile;
  /** Bumped by each rotation; the signing secret is derived from it (common/merchantSigning.ts). */
  signing_secret_version: number;
  failure: { code: string; message: string } | null;
  created_at: string;
  updated_at: string;
  history: MerchantEvent[];
}

/** What the API's key check needs of a merchant: its keys' hashes and what a payment takes from it. */
export interface MerchantAuth {
  merchantId: string;
  status: MerchantStatus;
  pingMerchantId: string | null;
  settings: MerchantSettings;
  keys: Array<{ id: string; sha256: string; revoked: boolean }>;
}
