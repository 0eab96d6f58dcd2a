import type { MerchantProfile, PingMerchantStatus } from '../domain/merchant';
import type { Merchant, PingClient } from '../ping';
import { call, isRetry } from './pingCalls';

export interface MerchantActivityDeps {
  ping: PingClient;
}

/** The page size Ping's own SDK asks for (the sandbox's maximum too), and enough pages for 10 000 merchants. */
const LIST_PAGE_SIZE = 200;
const LIST_MAX_PAGES = 50;

/** The fields that name who a merchant is at Ping: an organisation number or a personal identity number. */
const IDENTITY_NUMBER = /_(organization_number|personal_identity_number|civil_registration_number|identity_number)$/;

type Party = Record<string, unknown> | null | undefined;

/**
 * Who a merchant is, as one comparable string: whether it is an organisation or a person, its
 * country and its identity numbers. A profile without a number (Ping takes a person with none)
 * is known by its kind and country only, so the name carries the rest of the match.
 */
function identityOf(organization: Party, person: Party): string {
  const kind = organization ? 'organization' : person ? 'person' : 'none';
  const party = organization ?? person ?? {};
  const numbers = Object.keys(party)
    .filter((key) => IDENTITY_NUMBER.test(key) && typeof party[key] === 'string')
    .sort()
    .map((key) => `${key}=${String(party[key])}`);
  return [kind, typeof party.country === 'string' ? party.country.toUpperCase() : '', ...numbers].join('|');
}

const sameMerchant = (profile: MerchantProfile) => {
  const wanted = identityOf(profile.organization as Party, profile.person as Party);
  return (m: Merchant) => m.name === profile.name && identityOf(m.organization as Party, m.person as Party) === wanted;
};

/**
 * The merchant's life at Ping: its creation and its status. The merchant workflow
 * (workflows/merchant.ts) runs the create as an ordinary activity, so an attempt after the first is
 * always counted as one, and reads the status as a local activity.
 */
export function createMerchantActivities({ ping }: MerchantActivityDeps) {
  return {
    /**
     * Ping's CreateMerchant takes no idempotency key and no reference of ours. So a retry (an earlier
     * attempt may have created the merchant before its answer was lost), or a run that says an
     * earlier run may have (`lookFirst`), first looks for a merchant with the same name and identity
     * number and adopts the newest such (lists are oldest first): a lost answer never makes a second
     * merchant at Ping. The first attempt of the first run creates at once.
     */
    async createPingMerchant(profile: MerchantProfile, options: { lookFirst?: boolean } = {}): Promise<{ pingMerchantId: string }> {
      if (isRetry() || options.lookFirst) {
        const merchants = await call(() => ping.listMerchants({ limit: LIST_PAGE_SIZE, maxPages: LIST_MAX_PAGES }));
        const earlier = merchants.filter(sameMerchant(profile)).at(-1);
        if (earlier) return { pingMerchantId: earlier.id };
      }
      const created = await call(() =>
        ping.createMerchant({
          name: profile.name,
          ...(profile.organization ? { organization: profile.organization } : {}),
          ...(profile.person ? { person: profile.person } : {}),
        }),
      );
      return { pingMerchantId: created.id };
    },

    /** Only the status: what the workflow decides on, to keep its history small. */
    async getPingMerchant(pingMerchantId: string): Promise<{ status: PingMerchantStatus }> {
      const merchant = await call(() => ping.getMerchant(pingMerchantId));
      return { status: merchant.status };
    },
  };
}

export type MerchantActivities = ReturnType<typeof createMerchantActivities>;
