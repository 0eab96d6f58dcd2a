import type { MerchantResource } from '../domain/merchant';

/** The currencies a seller here sells in, with the VAT rates a sale is usually taxed at (first: the standard rate). */
export const VAT_RATES = { SEK: [25, 12, 6, 0], NOK: [25, 15, 12, 0] } as const;
export type SaleCurrency = keyof typeof VAT_RATES;

/** What the price field's label calls the currency. */
export const CURRENCY_UNIT: Record<SaleCurrency, string> = { SEK: 'kr', NOK: 'kr' };

/**
 * A merchant's currency. A merchant has no currency field: a Norwegian one (locale `nb-NO`, or a
 * Norwegian organisation or person) sells in NOK, everyone else in SEK.
 */
export function merchantCurrency(merchant: Pick<MerchantResource, 'locale' | 'profile'>): SaleCurrency {
  if (merchant.locale === 'nb-NO') return 'NOK';
  if (merchant.locale === 'sv-SE') return 'SEK';
  const country = merchant.profile?.organization?.country ?? merchant.profile?.person?.country;
  return country === 'NO' ? 'NOK' : 'SEK';
}

/**
 * A price as a seller types it, in minor units: "70", "70,50", "70.5", "1 000" (spaces, also
 * no-break ones, as thousands separators). Undefined for anything else, and for zero.
 */
export function parsePrice(input: string): number | undefined {
  const cleaned = input.replace(/[\s\u00a0\u202f]/g, '');
  const match = /^(\d{1,8})(?:[.,](\d{1,2}))?$/.exec(cleaned);
  if (!match) return undefined;
  const minor = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return minor > 0 && minor <= 1_000_000_000 ? minor : undefined;
}

/** A quantity field: a whole number from 1 to 10 000, as the API takes. */
export function parseQuantity(input: string): number | undefined {
  const cleaned = input.trim();
  if (!/^\d{1,5}$/.test(cleaned)) return undefined;
  const n = Number(cleaned);
  return n >= 1 && n <= 10_000 ? n : undefined;
}
