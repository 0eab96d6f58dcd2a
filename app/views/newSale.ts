import type { Assets } from '../assets';
import { APP_BASE, type PageContext } from '../context';
import { formatMoney } from '../format';
import { html, type SafeHtml } from '../../common/html';
import { INTL_LOCALE, type Locale } from '../i18n';
import { CURRENCY_UNIT, parsePrice, parseQuantity, VAT_RATES, type SaleCurrency } from '../money';
import { filledRows, methodValue, type ItemRow, type PaymentMethod, type SaleErrors, type SaleInput } from '../saleForm';
import { csrfField, layout } from './layout';

const METHOD_NAMES: Record<string, Record<Locale, string>> = {
  'swish:m_commerce': { sv: 'Swish', en: 'Swish' },
  'swish:e_commerce': { sv: 'Swish', en: 'Swish' },
  'payment_iq:card': { sv: 'Kort', en: 'Card' },
  'payment_iq:vipps': { sv: 'Vipps', en: 'Vipps' },
  'quickpay:vipps': { sv: 'Vipps', en: 'Vipps' },
  'vipps_mobilepay:vipps': { sv: 'Vipps MobilePay', en: 'Vipps MobilePay' },
  'billmate:invoice': { sv: 'Faktura (Billmate)', en: 'Invoice (Billmate)' },
  'klarna:checkout': { sv: 'Klarna', en: 'Klarna' },
  'open_payments:pis': { sv: 'Bank', en: 'Bank' },
};
export const methodName = (m: PaymentMethod, locale: Locale): string => METHOD_NAMES[methodValue(m)]?.[locale] ?? `${m.provider} ${m.method}`;

export interface NewSaleView {
  context: PageContext;
  assets: Assets;
  merchantName: string;
  merchantStatus: string;
  currency: SaleCurrency;
  methods: PaymentMethod[];
  input: SaleInput;
  errors?: SaleErrors;
}

/** The total of the rows that parse, as the script computes it live (the page without JS shows it after "Add item"). */
export function formTotal(input: SaleInput): number {
  return filledRows(input).reduce((sum, { row }) => sum + (parsePrice(row.price) ?? 0) * (parseQuantity(row.quantity) ?? 0), 0);
}

/** The id suffix and legend number of a row; `__i__`/`__n__` in the template the script copies. */
function itemRow(view: NewSaleView, row: ItemRow, index: number | '__i__', errors: SaleErrors['items'][number] = {}): SafeHtml {
  const { t } = view.context;
  const n = index === '__i__' ? '__n__' : index + 1;
  const id = (name: string) => `${name}-${index}`;
  const described = (name: keyof ItemRow) => (errors[name] ? html` aria-invalid="true" aria-describedby="${id(name)}-error"` : '');
  const error = (name: keyof ItemRow) => (errors[name] ? html`<p class="field-error" id="${id(name)}-error">${errors[name]}</p>` : '');
  const vats = VAT_RATES[view.currency].map((rate) => html`<option value="${rate}"${String(rate) === row.vat ? html` selected` : ''}>${rate} %</option>`);
  return html`<fieldset class="item" data-item>
<legend>${t.newSale.item(n)}</legend>
<label for="${id('description')}">${t.newSale.description}</label>
<input id="${id('description')}" name="description" type="text" maxlength="200" autocomplete="off" value="${row.description}"${described('description')}>
${error('description')}
<div class="item-row">
<div class="cell"><label for="${id('price')}">${t.newSale.price(CURRENCY_UNIT[view.currency])}</label>
<input id="${id('price')}" name="price" type="text" inputmode="decimal" autocomplete="off" value="${row.price}" data-price${described('price')}>
${error('price')}</div>
<div class="cell"><label for="${id('quantity')}">${t.newSale.quantity}</label>
<input id="${id('quantity')}" name="quantity" type="number" inputmode="numeric" min="1" max="10000" step="1" value="${row.quantity}" data-quantity${described('quantity')}>
${error('quantity')}</div>
<div class="cell"><label for="${id('vat')}">${t.newSale.vat}</label>
<select id="${id('vat')}" name="vat"${described('vat')}>${vats}</select>
${error('vat')}</div>
</div>
</fieldset>`;
}

/**
 * The new-sale form: item rows, the live total, the payment method, the payer's optional contact and
 * a reference, and "Charge". Without JavaScript, "Add item" posts the form back with one more row;
 * with it, the script adds the row in place and keeps the total live.
 */
export function newSalePage(view: NewSaleView): string {
  const { context, assets, input, errors, currency, methods } = view;
  const { t, locale } = context;
  const canCharge = view.merchantStatus === 'approved' && methods.length > 0;
  const rows = input.items.map((row, index) => itemRow(view, row, index, errors?.items[index]));
  const fieldError = (name: 'method' | 'phone' | 'email' | 'reference') => (errors?.[name] ? html`<p class="field-error" id="${name}-error">${errors[name]}</p>` : '');
  const invalid = (name: 'method' | 'phone' | 'email' | 'reference', hint?: string) => {
    const ids = [hint, errors?.[name] ? `${name}-error` : undefined].filter(Boolean).join(' ');
    return html`${ids ? html` aria-describedby="${ids}"` : ''}${errors?.[name] ? html` aria-invalid="true"` : ''}`;
  };
  const total = html`<p class="total"><span id="total-label">${t.newSale.total}</span> <output aria-labelledby="total-label" data-total data-testid="total" data-currency="${currency}" data-locale="${INTL_LOCALE[locale]}">${formatMoney(formTotal(input), currency, locale)}</output></p>`;
  const methodOptions = methods.map((m) => html`<option value="${methodValue(m)}"${methodValue(m) === input.method ? html` selected` : ''}>${methodName(m, locale)}</option>`);
  const charge = canCharge
    ? html`<label for="method">${t.newSale.method}</label>
<select id="method" name="method"${invalid('method')}>${methodOptions}</select>
${fieldError('method')}`
    : html`<p class="flash error" data-testid="cannot-charge">${view.merchantStatus === 'approved' ? t.newSale.noMethods : t.newSale.notApproved(view.merchantStatus)}</p>`;

  const body = html`<h1>${t.newSale.title}</h1>
<p class="merchant">${view.merchantName}</p>
${errors?.form ? html`<p class="flash error" role="alert" data-testid="form-error">${errors.form}</p>` : ''}
<form method="post" action="${APP_BASE}/sales" class="stack sale-form" id="sale-form" data-sale-form data-remove-label="${t.newSale.removeItem}" novalidate>
${csrfField(context.session?.csrf)}
<input type="hidden" name="sale_key" value="${input.saleKey}">
<input type="hidden" name="started_at" value="${input.startedAt}">
<div class="items" data-items>
${rows}
</div>
<template id="item-template">${itemRow(view, { description: '', price: '', quantity: '1', vat: String(VAT_RATES[currency][0]) }, '__i__')}</template>
<p class="hint">${t.newSale.emptyRows}</p>
<button type="submit" name="action" value="add_item" class="secondary" data-add-item data-testid="add-item">${t.newSale.addItem}</button>
${charge}
<fieldset class="payer">
<legend>${t.newSale.payer}</legend>
<label for="phone">${t.newSale.phone}</label>
<input id="phone" name="phone" type="tel" autocomplete="off" value="${input.phone}"${invalid('phone')}>
${fieldError('phone')}
<label for="email">${t.newSale.email}</label>
<input id="email" name="email" type="email" autocomplete="off" value="${input.email}"${invalid('email')}>
${fieldError('email')}
</fieldset>
<label for="reference">${t.newSale.reference}</label>
<input id="reference" name="reference" type="text" maxlength="100" autocomplete="off" value="${input.reference}"${invalid('reference', 'reference-hint')}>
<p class="hint" id="reference-hint">${t.newSale.referenceHint}</p>
${fieldError('reference')}
${canCharge ? html`<div class="actions sticky">${total}<button type="submit" name="action" value="charge" class="primary big" data-testid="charge">${t.newSale.charge}</button></div>` : total}
</form>`;
  return layout({ context, assets, title: t.newSale.title, body, returnTo: APP_BASE, script: true, current: 'new' });
}
