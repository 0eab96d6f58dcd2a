import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import type { MerchantResource, MerchantSettings } from '../domain/merchant';
import { field, fields } from './context';
import { stockholmDateTime } from './format';
import type { Messages } from './i18n';
import { parsePrice, parseQuantity, VAT_RATES, type SaleCurrency } from './money';

export type PaymentMethod = NonNullable<MerchantSettings['payment_methods']>[number];
export const methodValue = (m: PaymentMethod): string => `${m.provider}:${m.method}`;

export interface ItemRow {
  description: string;
  price: string;
  quantity: string;
  vat: string;
}
export type ItemField = keyof ItemRow;

/** The form as the seller filled it in: re-rendered as it was when something is wrong. */
export interface SaleInput {
  items: ItemRow[];
  method: string;
  phone: string;
  email: string;
  reference: string;
  /** Made when the form was rendered; the sale's Idempotency-Key is `app-<sale_key>`. */
  saleKey: string;
  /** When the form was rendered (ms): the default reference is that time, so a resubmission is the same request. */
  startedAt: number;
}

export interface SaleErrors {
  form?: string;
  items: Record<number, Partial<Record<ItemField, string>>>;
  method?: string;
  phone?: string;
  email?: string;
  reference?: string;
}

export const MAX_ITEMS = 100;
const SALE_KEY = /^[a-z2-7]{32}$/;
const PHONE = /^\+?[0-9 ()-]{6,20}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const UNPRINTABLE = /[\p{Cc}\p{Cs}\u202A-\u202E\u2066-\u2069]/u;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** 160 random bits in base 32 (no underscore, which an Idempotency-Key of a merchant may not hold). */
export function newSaleKey(): string {
  return [...randomBytes(32)].map((b) => BASE32[b & 31]).join('');
}

export const emptyRow = (currency: SaleCurrency): ItemRow => ({ description: '', price: '', quantity: '1', vat: String(VAT_RATES[currency][0]) });

export function newSaleInput(currency: SaleCurrency, now = Date.now()): SaleInput {
  return { items: [emptyRow(currency)], method: '', phone: '', email: '', reference: '', saleKey: newSaleKey(), startedAt: now };
}

const isEmptyRow = (row: ItemRow) => !row.description.trim() && !row.price.trim();

/** The posted form. Rows come as repeated fields, in order. */
export function readSaleForm(req: Request, now = Date.now()): SaleInput {
  const descriptions = fields(req, 'description');
  const prices = fields(req, 'price');
  const quantities = fields(req, 'quantity');
  const vats = fields(req, 'vat');
  const count = Math.min(MAX_ITEMS + 1, Math.max(descriptions.length, prices.length));
  const items: ItemRow[] = [];
  for (let i = 0; i < count; i += 1) {
    items.push({ description: (descriptions[i] ?? '').trim(), price: (prices[i] ?? '').trim(), quantity: (quantities[i] ?? '').trim(), vat: (vats[i] ?? '').trim() });
  }
  const started = Number(field(req, 'started_at'));
  // Made by us when the form was rendered; anything else (an edited form) is now.
  const startedAt = Number.isSafeInteger(started) && started > now - 7 * 86_400_000 && started <= now + 300_000 ? started : now;
  return { items, method: field(req, 'method'), phone: field(req, 'phone'), email: field(req, 'email'), reference: field(req, 'reference'), saleKey: field(req, 'sale_key'), startedAt };
}

export const validSaleKey = (key: string): boolean => SALE_KEY.test(key);

export interface SaleContext {
  merchant: MerchantResource;
  currency: SaleCurrency;
  t: Messages;
}

/** The rows that count: the ones with a description or a price. */
export const filledRows = (input: SaleInput): Array<{ row: ItemRow; index: number }> =>
  input.items.map((row, index) => ({ row, index })).filter(({ row }) => !isEmptyRow(row));

/**
 * The `POST /v1/payment-links` body of a sale, or what is wrong with the form. Checked here first
 * for messages in the seller's language; the API checks it again, as it checks every caller's.
 */
export function saleRequest(input: SaleInput, { merchant, currency, t }: SaleContext): { ok: true; body: Record<string, unknown> } | { ok: false; errors: SaleErrors } {
  const errors: SaleErrors = { items: {} };
  const rates: readonly number[] = VAT_RATES[currency];
  const rows = filledRows(input);
  const items = rows.map(({ row, index }) => {
    const bad: Partial<Record<ItemField, string>> = {};
    const price = parsePrice(row.price);
    const quantity = parseQuantity(row.quantity);
    const vat = Number(row.vat);
    if (!row.description || row.description.length > 200 || UNPRINTABLE.test(row.description)) bad.description = t.invalid.description;
    if (price === undefined) bad.price = t.invalid.price;
    if (quantity === undefined) bad.quantity = t.invalid.quantity;
    if (row.vat === '' || !rates.includes(vat)) bad.vat = t.invalid.vat;
    if (Object.keys(bad).length > 0) errors.items[index] = bad;
    return { description: row.description, price: price ?? 0, quantity: quantity ?? 0, vat };
  });
  if (rows.length === 0) errors.form = t.invalid.noItems;
  else if (rows.length > MAX_ITEMS) errors.form = t.invalid.tooMany;
  else if (items.reduce((sum, i) => sum + i.price * i.quantity, 0) > 1_000_000_000) errors.form = t.invalid.total;
  const method = (merchant.payment_methods ?? []).find((m) => methodValue(m) === input.method);
  if (!method) errors.method = t.invalid.method;
  if (input.phone && !PHONE.test(input.phone)) errors.phone = t.invalid.phone;
  if (input.email && (input.email.length > 254 || !EMAIL.test(input.email))) errors.email = t.invalid.email;
  if (input.reference && (input.reference.length > 100 || /['"\\]/.test(input.reference) || UNPRINTABLE.test(input.reference))) errors.reference = t.invalid.reference;
  if (hasErrors(errors)) return { ok: false, errors: { ...errors, form: errors.form ?? t.invalid.form } };

  // The link's language is the merchant's, or its currency's; the checkout shows the customer's name in it.
  const linkLocale = merchant.locale ?? (currency === 'NOK' ? 'nb-NO' : 'sv-SE');
  const body: Record<string, unknown> = {
    currency,
    items,
    // Ping's payment link needs a customer's name; a sale at a stall has none: "Kund" and the reference.
    customer: {
      first_name: linkLocale === 'nb-NO' ? 'Kunde' : 'Kund',
      last_name: input.reference || '—',
      ...(input.phone ? { phone: input.phone } : {}),
      ...(input.email ? { email: input.email } : {}),
    },
    payment_methods: [method],
    merchant_reference: input.reference || `sale-${stockholmDateTime(new Date(input.startedAt))}`,
  };
  if (!merchant.locale) body.locale = linkLocale;
  // The merchant's supplier (or display name) is the default; a merchant with neither is named by its profile.
  if (!merchant.supplier && !merchant.display_name) body.supplier = { name: merchant.profile.name };
  return { ok: true, body };
}

export function hasErrors(errors: SaleErrors): boolean {
  return Boolean(errors.form || errors.method || errors.phone || errors.email || errors.reference || Object.keys(errors.items).length > 0);
}

/** The API's 400 `param` as the form's field, so its refusal shows where the seller typed. */
export function errorsFromParam(param: string | undefined, input: SaleInput, t: Messages, fallback: string): SaleErrors {
  const errors: SaleErrors = { items: {}, form: fallback };
  const item = /^items\[(\d+)\]\.(description|price|quantity|vat)$/.exec(param ?? '');
  if (item) {
    const rows = filledRows(input);
    const index = rows[Number(item[1])]?.index;
    const name = item[2] as ItemField;
    if (index !== undefined) errors.items[index] = { [name]: t.invalid[name] };
  } else if (param === 'customer.phone') errors.phone = t.invalid.phone;
  else if (param === 'customer.email') errors.email = t.invalid.email;
  else if (param === 'merchant_reference' || param === 'customer.last_name') errors.reference = t.invalid.reference;
  else if (param?.startsWith('payment_methods')) errors.method = t.invalid.method;
  return errors;
}
