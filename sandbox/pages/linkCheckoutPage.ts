import type { PaymentLink } from '../entities';
import { formatDate, formatMoney, formatVat } from '../format';
import { html, webUrl } from '../../common/html';
import { page } from './html';
import { labels, providerName } from './labels';

export interface LinkCheckoutView {
  link: PaymentLink;
  /** The form's values when re-shown after a mistake; otherwise the link's pre-filled customer. */
  customer?: { first_name?: string; last_name?: string; email?: string; phone?: string };
  error?: string;
  notice?: string;
}

/** The hosted checkout of a payment link: who is asking, for what, how much, and one button per method. */
export function linkCheckoutPage({ link, customer, error, notice }: LinkCheckoutView): string {
  const t = labels(link.locale);
  const money = (minor: number) => formatMoney(minor, link.currency, link.locale);
  const values = { ...link.customer, ...customer };
  const logo = webUrl(link.logoImageLink);
  const base = `/checkout/payment-links/${link.id}`;
  const open = link.status === 'CREATED';
  const statusClass = link.status === 'COMPLETED' ? 'ok' : link.status === 'CREATED' ? '' : 'bad';

  const rows = link.items.map(
    (i) => html`<tr data-testid="item">
  <td>${i.description}${i.item_number ? html`<div class="muted">${i.item_number}</div>` : ''}</td>
  <td class="num">${i.quantity} ${i.unit}</td>
  <td class="num">${money(i.price)}</td>
  <td class="num">${formatVat(i.vat)}</td>
  <td class="num">${money(i.price * i.quantity)}</td>
</tr>`,
  );

  const field = (name: keyof typeof values, label: string, type: string, autocomplete: string) =>
    html`<div><label for="customer-${name}">${label}</label><input id="customer-${name}" data-testid="customer-${name}" name="${name}" type="${type}" autocomplete="${autocomplete}" value="${values[name] ?? ''}"></div>`;

  const buttons = link.providerMethods.map(
    (m) =>
      html`<button class="primary" type="submit" name="method" value="${m.provider}:${m.method}" data-testid="pay-${m.provider}-${m.method}" id="pay-${m.provider}-${m.method}">${t.payWith} ${providerName(m.provider, m.method)}</button>`,
  );

  const body = html`<div class="card" data-testid="checkout" data-payment-link-id="${link.id}" data-status="${link.status}">
${logo ? html`<img class="logo" src="${logo}" alt="">` : ''}
<div class="muted">${t.from}</div>
<h1 data-testid="supplier-name">${link.supplier.name}</h1>
${link.supplier.organization_number ? html`<div class="muted" data-testid="supplier-org">${link.supplier.organization_number}</div>` : ''}
<p><span class="status ${statusClass}" data-testid="link-status">${t.status[link.status]}</span></p>
${notice ? html`<p class="muted" data-testid="notice">${notice}</p>` : ''}
<h2>${t.items}</h2>
<table>
<thead><tr><th>${t.description}</th><th class="num">${t.quantity}</th><th class="num">${t.price}</th><th class="num">${t.vat}</th><th class="num">${t.amount}</th></tr></thead>
<tbody>${rows}</tbody>
<tfoot><tr><td colspan="4">${t.total}</td><td class="num" data-testid="total">${money(link.totalAmount)}</td></tr></tfoot>
</table>
${link.expiresAt !== null ? html`<p class="muted">${t.dueDate}: <span data-testid="due-date">${formatDate(link.expiresAt - 1, link.locale)}</span></p>` : ''}
${
  open
    ? html`<form method="post" action="${base}/pay" id="checkout-form" data-testid="checkout-form">
<h2>${t.yourDetails}</h2>
<div class="row">${field('first_name', t.firstName, 'text', 'given-name')}${field('last_name', t.lastName, 'text', 'family-name')}</div>
${field('email', t.email, 'email', 'email')}
${field('phone', t.phone, 'tel', 'tel')}
${error ? html`<div class="error" role="alert" data-testid="error">${error}</div>` : ''}
<div class="actions">${buttons}</div>
</form>
<form method="post" action="${base}/cancel" class="inline-form"><div class="actions"><button class="secondary" type="submit" id="cancel" data-testid="cancel">${t.cancel}</button></div></form>`
    : ''
}
</div>`;

  return page({ title: `${link.supplier.name} – ${money(link.totalAmount)}`, lang: link.locale.slice(0, 2), body });
}
