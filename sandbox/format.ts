import type { Currency } from './entities';

/** "1 234,50 SEK": the amount in major units, grouped as the locale groups, with the ISO code (never "kr", which is ambiguous between SEK and NOK). */
export function formatMoney(minor: number, currency: Currency | string, locale = 'sv-SE'): string {
  const number = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(minor / 100);
  // Intl groups with narrow/no-break spaces, which the PDF's standard fonts cannot draw.
  return `${number.replace(/[\u00a0\u202f]/g, ' ')} ${currency}`;
}

export function formatVat(vat: number): string {
  return `${Number.isInteger(vat) ? vat : vat.toFixed(2)} %`;
}

export function formatDateTime(iso: string, locale = 'sv-SE'): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Stockholm' })
    .format(new Date(iso))
    .replace(/[\u00a0\u202f]/g, ' ');
}

export function formatDate(instant: number | string, locale = 'sv-SE'): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'Europe/Stockholm' })
    .format(new Date(instant))
    .replace(/[\u00a0\u202f]/g, ' ');
}
