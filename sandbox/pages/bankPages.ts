import type { Payment } from '../entities';
import { formatMoney } from '../format';
import { html, SafeHtml } from '../../common/html';
import { page } from './html';
import { providerName } from './labels';

export const BANKS = [
  { id: 'swedbank', name: 'Swedbank' },
  { id: 'seb', name: 'SEB' },
  { id: 'handelsbanken', name: 'Handelsbanken' },
  { id: 'nordea', name: 'Nordea' },
  { id: 'danske', name: 'Danske Bank' },
  { id: 'lansforsakringar', name: 'Länsförsäkringar' },
] as const;

const capitalised = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function frame(payment: Payment, title: string, content: SafeHtml): string {
  const amount = formatMoney(payment.totalAmount, payment.currency, 'sv-SE');
  return page({
    title,
    lang: 'en',
    body: html`<div class="card" data-testid="bank-checkout" data-payment-id="${payment.id}" data-status="${payment.status}">
<div class="muted">${capitalised(providerName(payment.provider, payment.method))} payment</div>
<h1>${title}</h1>
<p>Amount: <strong data-testid="amount">${amount}</strong></p>
${content}
</div>`,
  });
}

const outcomeButtons = (payment: Payment, approveLabel: string): SafeHtml => html`<form method="post" action="/checkout/payments/${payment.id}/complete" class="actions">
<button class="primary" type="submit" name="outcome" value="pay" id="approve" data-testid="approve">${approveLabel}</button>
<button class="secondary" type="submit" name="outcome" value="cancel" id="cancel" data-testid="cancel">Cancel</button>
<button class="danger" type="submit" name="outcome" value="decline" id="decline" data-testid="decline">Simulate: bank declines</button>
<button class="danger" type="submit" name="outcome" value="error" id="error" data-testid="error">Simulate: technical error</button>
</form>`;

/** Step 1 of the PIS flow: the payer picks their bank. */
export function chooseBankPage(payment: Payment): string {
  const buttons = BANKS.map(
    (b) => html`<button class="secondary" type="submit" name="bank" value="${b.id}" id="bank-${b.id}" data-testid="bank-${b.id}">${b.name}</button>`,
  );
  return frame(
    payment,
    'Choose your bank',
    html`<form method="post" action="/checkout/payments/${payment.id}/bank" data-testid="choose-bank"><div class="banks">${buttons}</div></form>
<form method="post" action="/checkout/payments/${payment.id}/complete" class="actions"><button class="secondary" type="submit" name="outcome" value="cancel" id="cancel" data-testid="cancel">Cancel</button></form>`,
  );
}

/**
 * Step 2: BankID. A QR code to scan with a phone on a desktop; on a phone, a button that opens the app.
 * The SVG comes from the qrcode library (our own output, no user data), so it is inserted as markup.
 */
export function bankIdPage(payment: Payment, bankName: string, qrSvg: string, appLaunchUrl: string, mobile: boolean): string {
  const signIn = mobile
    ? html`<div class="actions"><a class="button primary" href="${appLaunchUrl}" id="bankid-open" data-testid="bankid-open">Open BankID</a></div>`
    : html`<p class="muted">Open the BankID app on your phone and scan the QR code.</p>
<div class="qr" id="bankid-qr" data-testid="bankid-qr">${new SafeHtml(qrSvg)}</div>`;
  return frame(payment, `Sign in to ${bankName} with BankID`, html`${signIn}${outcomeButtons(payment, 'Approve payment in BankID')}`);
}

/** Other redirect-style providers (card, Vipps, Klarna, …): one page with the outcomes. */
export function providerPage(payment: Payment): string {
  return frame(payment, `Pay with ${providerName(payment.provider, payment.method)}`, outcomeButtons(payment, 'Pay'));
}

export function paymentResultPage(payment: Payment): string {
  const ok = payment.status === 'COMPLETED';
  return frame(
    payment,
    ok ? 'Payment completed' : 'Payment not completed',
    html`<p><span class="status ${ok ? 'ok' : 'bad'}" data-testid="payment-status">${payment.status}</span></p>`,
  );
}
