import type { Assets } from '../assets';
import { APP_BASE, type PageContext } from '../context';
import { formatDateTime, formatMoney, formatTime, statusKind } from '../format';
import { html } from '../../common/html';
import type { PaymentState } from '../../domain/payment';
import { salePath } from './sale';
import { layout } from './layout';

/** A row of `GET /v1/payments` (visibility's view of a payment). */
export interface PaymentRow {
  id: string;
  status: PaymentState | null;
  amount: number | null;
  currency: string | null;
  merchant_reference: string | null;
  created_at: string;
}

export interface SalesView {
  context: PageContext;
  assets: Assets;
  rows: PaymentRow[];
  /** The day's paid total per currency (paid and completed payments). */
  totals: Array<{ currency: string; amount: number; count: number }>;
  /** The search, when the seller searched by reference (every day's sales with it). */
  reference?: string;
  truncated: boolean;
  /** The merchant's currency, for a day without paid sales. */
  currency: string;
  error?: string;
}

/** Today's sales (or a reference's), newest first, each a link to its sale screen; the day's paid total on top. */
export function salesPage({ context, assets, rows, totals, reference, truncated, currency, error }: SalesView): string {
  const { t, locale } = context;
  const title = reference !== undefined ? t.sales.results(reference) : t.sales.title;
  const list = rows.map((row) => {
    const status = row.status ?? 'creating';
    const when = reference !== undefined ? formatDateTime(row.created_at, locale) : formatTime(row.created_at, locale);
    return html`<li><a href="${salePath(row.id)}" class="sale-row" data-testid="sale-row" data-payment-id="${row.id}">
<span class="when">${when}</span>
<span class="what">${row.merchant_reference ?? ''}</span>
<span class="sum">${row.amount !== null && row.currency ? formatMoney(row.amount, row.currency, locale) : ''}</span>
<span class="status ${statusKind(status)}" data-testid="row-status">${t.status[status] ?? status}</span>
</a></li>`;
  });
  const body = html`<h1>${title}</h1>
${error ? html`<p class="flash error" role="alert">${error}</p>` : ''}
${reference === undefined
  ? html`<p class="day-total" data-testid="day-total"><span class="hint">${t.sales.paidToday}</span>
${totals.length === 0 ? html`<strong>${formatMoney(0, currency, locale)}</strong>` : totals.map((x) => html`<strong>${formatMoney(x.amount, x.currency, locale)}</strong> <span class="hint">${t.sales.count(x.count)}</span> `)}
</p>`
  : html`<p><a href="${APP_BASE}/sales">${t.sales.showToday}</a></p>`}
<form method="get" action="${APP_BASE}/sales" class="search" role="search">
<label for="reference">${t.sales.search}</label>
<div class="row"><input id="reference" name="reference" type="search" maxlength="128" autocomplete="off" value="${reference ?? ''}"><button type="submit" class="secondary">${t.sales.searchButton}</button></div>
</form>
${rows.length === 0 ? html`<p data-testid="no-sales">${reference !== undefined ? t.sales.noneFound : t.sales.none}</p>` : html`<ul class="sales" data-testid="sales">${list}</ul>`}
${truncated ? html`<p class="hint">${t.sales.more}</p>` : ''}`;
  const returnTo = reference !== undefined ? `${APP_BASE}/sales?reference=${encodeURIComponent(reference)}` : `${APP_BASE}/sales`;
  return layout({ context, assets, title, body, returnTo, current: 'sales' });
}
