import type { ReceiptLocale } from './receiptInput';

/** What the receipt and the refund e-mail share, so the same amount reads the same in both. */

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A header must stay one line whatever a merchant typed as its name. */
export function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/** sv-SE and nb-NO as asked, English for anything else. */
export function mailLocale(locale: string | undefined): ReceiptLocale {
  return locale === 'sv-SE' || locale === 'nb-NO' ? locale : 'en';
}

/** Minor units to the locale's money format: `140 000` öre is `1 400,00 kr` in Swedish, `SEK 1,400.00` in English. */
export function moneyFormatter(locale: ReceiptLocale, currency: string): (minor: number) => string {
  const moneyFormat = new Intl.NumberFormat(locale, { style: 'currency', currency });
  // Intl knows each currency's minor unit (öre, øre: 2; JPY, ISK: 0), which is what Ping's minor units follow.
  const minorDigits = moneyFormat.resolvedOptions().maximumFractionDigits ?? 2;
  return (minor) => moneyFormat.format(minor / 10 ** minorDigits);
}

/** A moment as the payer reads it, with its zone named (`1 mars 2025 kl. 13:34 CET`). */
export function formatMoment(locale: ReceiptLocale, timeZone: string, iso: string): string {
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(new Date(iso));
}
