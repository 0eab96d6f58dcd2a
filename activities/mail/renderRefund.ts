import { escapeHtml, formatMoment, mailLocale, moneyFormatter, oneLine } from './format';
import type { RefundEmailInput } from './refundInput';
import { REFUND_TEXTS } from './texts';

interface RenderedRefund {
  subject: string;
  text: string;
  html: string;
}

/** "Din återbetalning på 140,00 kr": the amount, the merchant, the reference and when, and why when it was a late payment. */
export function renderRefund(input: RefundEmailInput): RenderedRefund {
  const locale = mailLocale(input.locale);
  const t = REFUND_TEXTS[locale];
  const amount = moneyFormatter(locale, input.currency)(input.amountMinor);
  const merchant = oneLine(input.merchantName);
  // The merchant is made one line; the amount keeps its no-break spaces (`140,00\u00a0kr`), as in the body.
  const subject = t.subject(amount, merchant);

  const paragraphs = [t.refunded(merchant, amount), ...(input.latePayment ? [t.latePayment(merchant)] : []), t.whenVisible];
  const facts: Array<[string, string]> = [
    [t.amount, amount],
    [t.refundedAt, formatMoment(locale, t.timeZone, input.refundedAt)],
    ...(input.reference ? [[t.reference, input.reference] as [string, string]] : []),
    [t.paymentId, input.paymentId],
  ];

  const text = [
    t.greeting(input.payerName),
    '',
    ...paragraphs.flatMap((p) => [p, '']),
    ...facts.map(([label, value]) => `${label}: ${value}`),
    '',
    merchant,
    '',
  ].join('\n');

  const cell = 'style="padding:4px 8px;border-bottom:1px solid #ddd;text-align:left"';
  const html = `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;color:#222;line-height:1.4">
<p>${escapeHtml(t.greeting(input.payerName))}</p>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
<table style="border-collapse:collapse">
${facts.map(([label, value]) => `<tr><th ${cell}>${escapeHtml(label)}</th><td ${cell}>${escapeHtml(value)}</td></tr>`).join('\n')}
</table>
<p>${escapeHtml(merchant)}</p>
</body></html>
`;

  return { subject, text, html };
}
