import type { Payment, PaymentLink } from '../entities';
import { formatDate, formatDateTime, formatMoney, formatVat } from '../format';
import { providerName } from '../pages/labels';
import type { DocumentModel } from './renderDocument';

/** The sandbox's own payment details for invoices: Bankgirot for SEK, a Norwegian account for NOK. */
const PAY_TO: Record<string, string> = {
  SEK: 'Bankgiro 5050-1055',
  NOK: 'Kontonummer 1503.12.34567',
};

const T = {
  'sv-SE': {
    invoice: 'Faktura',
    receipt: 'Kvitto',
    from: 'Från',
    to: 'Till',
    columns: ['Beskrivning', 'Antal', 'À-pris', 'Moms', 'Belopp'] as DocumentModel['columns'],
    total: 'Att betala',
    paidTotal: 'Betalt',
    vat: 'Varav moms',
    invoiceDate: 'Fakturadatum',
    dueDate: 'Förfallodag',
    paidAt: 'Betald',
    method: 'Betalsätt',
    paymentId: 'Betalnings-id',
    howToPay: 'Så betalar du',
    payOnline: 'Eller betala online:',
    paidHeading: 'Betalningen är mottagen',
    thanks: 'Tack för din betalning.',
  },
  'nb-NO': {
    invoice: 'Faktura',
    receipt: 'Kvittering',
    from: 'Fra',
    to: 'Til',
    columns: ['Beskrivelse', 'Antall', 'Pris', 'MVA', 'Beløp'] as DocumentModel['columns'],
    total: 'Å betale',
    paidTotal: 'Betalt',
    vat: 'Herav MVA',
    invoiceDate: 'Fakturadato',
    dueDate: 'Forfallsdato',
    paidAt: 'Betalt',
    method: 'Betalingsmåte',
    paymentId: 'Betalings-ID',
    howToPay: 'Slik betaler du',
    payOnline: 'Eller betal på nett:',
    paidHeading: 'Betalingen er mottatt',
    thanks: 'Takk for betalingen.',
  },
};

function common(link: PaymentLink) {
  const t = T[link.locale];
  const money = (minor: number) => formatMoney(minor, link.currency, link.locale);
  const s = link.supplier;
  const c = link.customer;
  const address = link.invoiceAddress;
  const vat = link.items.reduce((sum, i) => sum + Math.round((i.price * i.quantity * i.vat) / (100 + i.vat)), 0);
  return {
    t,
    money,
    from: {
      heading: t.from,
      lines: [s.name, s.organization_number, [s.zip, s.city].filter(Boolean).join(' '), s.website].filter((l): l is string => Boolean(l)),
    },
    to: {
      heading: t.to,
      lines: [`${c.first_name} ${c.last_name}`, address?.street_address, address ? [address.zip, address.city].filter(Boolean).join(' ') : null, c.email]
        .filter((l): l is string => Boolean(l)),
    },
    rows: link.items.map(
      (i): [string, string, string, string, string] => [
        i.description,
        `${i.quantity} ${i.unit}`,
        money(i.price),
        formatVat(i.vat),
        money(i.price * i.quantity),
      ],
    ),
    vat: money(vat),
  };
}

export function invoiceModel(link: PaymentLink, invoiceDueAt: number): DocumentModel {
  const invoice = link.invoice!;
  const { t, money, from, to, rows, vat } = common(link);
  return {
    title: invoice.documentName || t.invoice,
    subject: `${t.invoice} ${invoice.reference}`,
    meta: [
      [invoice.referenceType, invoice.reference],
      [t.invoiceDate, formatDate(invoice.createdAt, link.locale)],
      [t.dueDate, formatDate(invoiceDueAt, link.locale)],
      [t.total, money(link.totalAmount)],
    ],
    from,
    to,
    columns: t.columns,
    rows,
    totals: [
      [t.vat, vat],
      [t.total, money(link.totalAmount)],
    ],
    callout: {
      heading: t.howToPay,
      lines: [
        `${PAY_TO[link.currency] ?? 'IBAN SE4850000000054401096835'}`,
        `${invoice.referenceType}: ${invoice.reference}`,
        `${t.total}: ${money(link.totalAmount)}`,
        `${t.payOnline} ${link.checkoutUrl}`,
      ],
    },
    footer: [`${from.lines.join(' · ')}`],
  };
}

export function receiptModel(link: PaymentLink, payment: Payment | undefined): DocumentModel {
  const { t, money, from, to, rows, vat } = common(link);
  const paidAt = link.completedAt ?? link.statusChangedAt;
  return {
    title: t.receipt,
    subject: `${t.receipt} ${link.id}`,
    meta: [
      [t.paidAt, formatDateTime(paidAt, link.locale)],
      [t.method, payment ? providerName(payment.provider, payment.method) : '-'],
      [t.paidTotal, money(link.totalAmount)],
    ],
    from,
    to,
    columns: t.columns,
    rows,
    totals: [
      [t.vat, vat],
      [t.paidTotal, money(link.totalAmount)],
    ],
    callout: { heading: t.paidHeading, lines: [t.thanks, `${t.paymentId}: ${payment?.id ?? link.paymentId ?? '-'}`] },
    footer: [`${from.lines.join(' · ')}`],
  };
}

/** The invoice of a Ping deposit payment (`provider_method_response.invoice`). */
export function depositInvoiceModel(payment: Payment): DocumentModel {
  const t = T['sv-SE'];
  const money = (minor: number) => formatMoney(minor, payment.currency, 'sv-SE');
  const reference = String(payment.providerMethodResponse.reference ?? '');
  return {
    title: t.invoice,
    subject: `${t.invoice} ${reference}`,
    meta: [
      [payment.currency === 'NOK' ? 'KID' : 'OCR', reference],
      [t.invoiceDate, formatDate(payment.initiatedAt)],
      [t.total, money(payment.totalAmount)],
    ],
    from: { heading: t.from, lines: ['Ping Payments sandbox'] },
    to: { heading: t.to, lines: [String(payment.payer?.name ?? '')].filter(Boolean) },
    columns: t.columns,
    rows: payment.orderItems.map((i) => [i.name, '1', money(i.amount), formatVat(i.vat_rate), money(i.amount)]),
    totals: [[t.total, money(payment.totalAmount)]],
    callout: { heading: t.howToPay, lines: [PAY_TO[payment.currency] ?? 'IBAN SE4850000000054401096835', `Referens: ${reference}`] },
    footer: ['Ping Payments sandbox'],
  };
}
