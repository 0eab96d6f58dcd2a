import { escapeHtml, formatMoment, mailLocale, moneyFormatter, oneLine } from './format';
import type { ReceiptEmailInput, ReceiptLocale } from './receiptInput';
import { TEXTS } from './texts';

interface RenderedReceipt {
  subject: string;
  text: string;
  html: string;
}

export function renderReceipt(input: ReceiptEmailInput, options: { receiptUrl?: string; pdfAttached: boolean }): RenderedReceipt {
  const locale: ReceiptLocale = mailLocale(input.locale);
  const t = TEXTS[locale];
  const money = moneyFormatter(locale, input.currency);
  const percentFormat = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 });
  const percent = (vat: number) => percentFormat.format(vat / 100);
  const paidAt = formatMoment(locale, t.timeZone, input.paidAt);

  const merchant = oneLine(input.merchantName);
  const lines = input.items.map((item) => ({ ...item, totalMinor: Math.round(item.quantity * item.unitPriceMinor) }));
  // Prices include VAT, so the VAT of a line is total × rate / (100 + rate); summed per rate as receipts show it.
  const vatByRate = new Map<number, number>();
  for (const line of lines) vatByRate.set(line.vatPercent, (vatByRate.get(line.vatPercent) ?? 0) + line.totalMinor);
  const vatRows = [...vatByRate.entries()]
    .filter(([rate]) => rate > 0)
    .sort(([a], [b]) => b - a)
    .map(([rate, gross]) => ({ label: `${t.vatIncluded} ${percent(rate)}`, amount: money(Math.round((gross * rate) / (100 + rate))) }));

  const facts: Array<[string, string]> = [
    [t.amount, money(input.amountMinor)],
    [t.paidAt, paidAt],
    ...(input.reference ? [[t.reference, input.reference] as [string, string]] : []),
    [t.paymentId, input.paymentId],
  ];

  const text = [
    t.greeting(input.payerName),
    '',
    t.thanks(merchant),
    '',
    ...facts.map(([label, value]) => `${label}: ${value}`),
    ...(lines.length
      ? [
          '',
          ...lines.map((l) => `${l.description}: ${l.quantity} × ${money(l.unitPriceMinor)} = ${money(l.totalMinor)} (${t.vat} ${percent(l.vatPercent)})`),
          `${t.total}: ${money(input.amountMinor)}`,
          ...vatRows.map((r) => `${r.label}: ${r.amount}`),
        ]
      : []),
    ...(options.receiptUrl ? ['', `${t.receiptLink}: ${options.receiptUrl}`] : []),
    ...(options.pdfAttached ? [t.pdfAttached] : []),
    '',
    merchant,
    '',
  ].join('\n');

  const cell = 'style="padding:4px 8px;border-bottom:1px solid #ddd;text-align:left"';
  const num = 'style="padding:4px 8px;border-bottom:1px solid #ddd;text-align:right"';
  const itemsTable = lines.length
    ? `<table style="border-collapse:collapse;margin:16px 0">
<thead><tr><th ${cell}>${escapeHtml(t.item)}</th><th ${num}>${escapeHtml(t.quantity)}</th><th ${num}>${escapeHtml(t.unitPrice)}</th><th ${num}>${escapeHtml(t.vat)}</th><th ${num}>${escapeHtml(t.lineTotal)}</th></tr></thead>
<tbody>
${lines
  .map(
    (l) =>
      `<tr><td ${cell}>${escapeHtml(l.description)}</td><td ${num}>${escapeHtml(String(l.quantity))}</td><td ${num}>${escapeHtml(money(l.unitPriceMinor))}</td><td ${num}>${escapeHtml(percent(l.vatPercent))}</td><td ${num}>${escapeHtml(money(l.totalMinor))}</td></tr>`,
  )
  .join('\n')}
</tbody>
<tfoot>
<tr><th ${cell} colspan="4">${escapeHtml(t.total)}</th><th ${num}>${escapeHtml(money(input.amountMinor))}</th></tr>
${vatRows.map((r) => `<tr><td ${cell} colspan="4">${escapeHtml(r.label)}</td><td ${num}>${escapeHtml(r.amount)}</td></tr>`).join('\n')}
</tfoot>
</table>`
    : '';

  const html = `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(t.subject(merchant))}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;color:#222;line-height:1.4">
<p>${escapeHtml(t.greeting(input.payerName))}</p>
<p>${escapeHtml(t.thanks(merchant))}</p>
<table style="border-collapse:collapse">
${facts.map(([label, value]) => `<tr><th ${cell}>${escapeHtml(label)}</th><td ${cell}>${escapeHtml(value)}</td></tr>`).join('\n')}
</table>
${itemsTable}
${options.receiptUrl ? `<p><a href="${escapeHtml(options.receiptUrl)}">${escapeHtml(t.receiptLink)}</a></p>` : ''}
${options.pdfAttached ? `<p>${escapeHtml(t.pdfAttached)}</p>` : ''}
<p>${escapeHtml(merchant)}</p>
</body></html>
`;

  return { subject: t.subject(merchant), text, html };
}
