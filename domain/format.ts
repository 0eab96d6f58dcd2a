import type { Currency } from './payment';

// Pure formatting shared by the workflows (current details) and the API (Web UI summary).

/** "2026-12-01 12:00 UTC": unambiguous for a support person in any time zone. */
export function formatInstant(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function formatAmount(minor: number, currency: Currency): string {
  return `${(minor / 100).toFixed(2)} ${currency}`;
}
