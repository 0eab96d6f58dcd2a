import type { PaymentState } from '../domain/payment';
import { INTL_LOCALE, MESSAGES, type Locale } from './i18n';

/** The sellers' day: "today's sales" are those made since midnight in Sweden. */
export const SALES_TIME_ZONE = 'Europe/Stockholm';

/** An amount in minor units (öre, øre, cents: every currency the API takes has two decimals), as the locale writes it. */
export function formatMoney(minor: number, currency: string, locale: Locale): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale], { style: 'currency', currency }).format(minor / 100);
}

export function formatTime(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { timeZone: SALES_TIME_ZONE, hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

export function formatDateTime(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { timeZone: SALES_TIME_ZONE, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** The calendar day in Sweden, `YYYY-MM-DD`, so days compare as strings. */
export function stockholmDay(at: Date | string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: SALES_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** `2026-12-02T14:03:22`, Swedish local time: the default merchant reference of a sale. */
export function stockholmDateTime(at: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: SALES_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
}

/** Paid shows as paid, whether the receipt is out yet (`completed`) or not. */
export const isPaid = (status: string): boolean => status === 'paid' || status === 'completed';

/**
 * The status area's text: "Betald ✓ 140,00 kr", "Paid ✓ SEK 140.00", or the state's word. The sale
 * screen's script writes the same (app/public/sale.js), from the label this sends it.
 */
export function statusText(status: PaymentState, amount: number, currency: string, locale: Locale): string {
  const label = MESSAGES[locale].status[status] ?? status;
  return isPaid(status) ? `${label} ✓ ${formatMoney(amount, currency, locale)}` : label;
}

/** A CSS class per kind of state, for colour (the text always says the state too): paid, waiting, failed, or over some other way. */
export function statusKind(status: string): 'ok' | 'wait' | 'bad' | 'over' {
  if (isPaid(status)) return 'ok';
  if (status === 'awaiting_payment' || status === 'creating') return 'wait';
  return status === 'failed' ? 'bad' : 'over';
}
