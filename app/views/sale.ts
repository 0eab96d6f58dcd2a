import type { PaymentResource } from '../../domain/payment';
import type { Assets } from '../assets';
import { APP_BASE, type PageContext } from '../context';
import { formatDateTime, formatMoney, statusKind, statusText } from '../format';
import { html, trusted, webUrl } from '../../common/html';
import { INTL_LOCALE } from '../i18n';
import { qrSvg } from '../qr';
import type { SaleState } from '../saleState';
import type { SaleContact } from '../sessions';
import { csrfField, layout } from './layout';

export interface SaleView {
  context: PageContext;
  assets: Assets;
  payment: PaymentResource;
  state: SaleState;
  contact?: SaleContact;
}

export const salePath = (id: string): string => `${APP_BASE}/sales/${encodeURIComponent(id)}`;

/**
 * The sale screen: the amount, the live status (an aria-live region the script updates from the
 * event stream), and, while unpaid, a QR code of the checkout URL as wide as the screen, the send
 * buttons and cancel; once paid, refund; the documents when they exist. Each part is in the page
 * from the start, hidden when it does not apply, so the script only shows and hides.
 */
export function salePage({ context, assets, payment, state, contact }: SaleView): string {
  const { t, locale, session } = context;
  const path = salePath(payment.id);
  const checkout = webUrl(payment.checkout_url);
  const hidden = (show: boolean) => (show ? '' : html` hidden`);
  const sendForm = (channel: 'sms' | 'email') => {
    const value = channel === 'sms' ? contact?.phone : contact?.email;
    return html`<form method="post" action="${path}/send" class="stack send">
${csrfField(session?.csrf)}<input type="hidden" name="channel" value="${channel}">
<label for="to-${channel}">${t.sale.sendTo[channel]}</label>
<input id="to-${channel}" name="to" type="${channel === 'sms' ? 'tel' : 'email'}" autocomplete="off" value="${value ?? ''}" aria-describedby="send-hint">
<button type="submit" class="secondary big" data-testid="send-${channel}">${channel === 'sms' ? t.sale.sendSms : t.sale.sendEmail}</button>
</form>`;
  };
  const body = html`<h1>${t.sale.title}</h1>
<p class="amount" data-testid="amount">${formatMoney(payment.amount, payment.currency, locale)}</p>
<div class="status-area" data-status-area data-events="${state.final ? '' : `${path}/events`}" data-locale="${INTL_LOCALE[locale]}">
<p id="sale-status" class="status ${statusKind(payment.status)}" role="status" aria-live="polite" aria-atomic="true" data-testid="status" data-status="${payment.status}">${statusText(payment.status, payment.amount, payment.currency, locale)}</p>
<p class="hint" data-note data-testid="note"${hidden(state.note !== null)}>${state.note ?? ''}</p>
<p class="hint refresh" data-refresh${hidden(!state.final)}>${t.sale.refreshHint} <a href="${path}" data-testid="refresh">${t.sale.refresh}</a></p>
</div>
<section data-section="awaiting" aria-labelledby="scan-heading"${hidden(state.awaiting)}>
<h2 id="scan-heading" class="visually-hidden">${t.sale.qrLabel}</h2>
${checkout ? html`<figure class="qr" data-testid="qr">${trusted(qrSvg(checkout, t.sale.qrLabel))}<figcaption>${t.sale.scan}</figcaption></figure>
<p class="center"><a href="${checkout}" rel="noreferrer" data-testid="checkout-link">${t.sale.openCheckout}</a></p>` : ''}
<h2>${t.sale.send}</h2>
<p class="hint" id="send-hint">${t.sale.sendHint}</p>
${sendForm('sms')}
${sendForm('email')}
<form method="post" action="${path}/cancel" class="actions">${csrfField(session?.csrf)}<button type="submit" class="danger big" data-testid="cancel">${t.sale.cancel}</button></form>
</section>
<section data-section="refund" aria-labelledby="refund-heading"${hidden(state.refundable)}>
<h2 id="refund-heading">${t.sale.refund}</h2>
<p class="hint">${t.sale.refundConfirm}</p>
<form method="post" action="${path}/refund" class="actions">${csrfField(session?.csrf)}<button type="submit" class="danger big" data-testid="refund">${t.sale.refund}</button></form>
</section>
<section aria-labelledby="details-heading">
<h2 id="details-heading">${t.sale.details}</h2>
<dl class="details">
<dt>${t.sale.reference}</dt><dd data-testid="reference">${payment.merchant_reference ?? '—'}</dd>
<dt>${t.sale.created}</dt><dd>${formatDateTime(payment.created_at, locale)}</dd>
</dl>
<p class="documents">
<a href="${state.receipt_url ?? '#'}" data-receipt data-testid="receipt"${hidden(state.receipt_url !== null)}>${t.sale.receipt}</a>
<a href="${state.invoice_url ?? '#'}" data-invoice data-testid="invoice"${hidden(state.invoice_url !== null)}>${t.sale.invoice}</a>
</p>
</section>`;
  return layout({ context, assets, title: t.sale.title, body, returnTo: path, script: true });
}
