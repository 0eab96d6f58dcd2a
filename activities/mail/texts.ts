import type { ReceiptLocale } from './receiptInput';

interface Texts {
  subject(merchant: string): string;
  greeting(name?: string): string;
  thanks(merchant: string): string;
  amount: string;
  paidAt: string;
  reference: string;
  item: string;
  quantity: string;
  unitPrice: string;
  vat: string;
  lineTotal: string;
  total: string;
  vatIncluded: string;
  receiptLink: string;
  pdfAttached: string;
  paymentId: string;
  timeZone: string;
}

export const TEXTS: Record<ReceiptLocale, Texts> = {
  'sv-SE': {
    subject: (m) => `Kvitto från ${m}`,
    greeting: (n) => (n ? `Hej ${n}!` : 'Hej!'),
    thanks: (m) => `Tack för din betalning till ${m}. Här är ditt kvitto.`,
    amount: 'Belopp',
    paidAt: 'Betald',
    reference: 'Referens',
    item: 'Artikel',
    quantity: 'Antal',
    unitPrice: 'À-pris',
    vat: 'Moms',
    lineTotal: 'Summa',
    total: 'Totalt',
    vatIncluded: 'Varav moms',
    receiptLink: 'Kvittot finns här',
    pdfAttached: 'Kvittot finns också som PDF i bilagan.',
    paymentId: 'Betalnings-id',
    timeZone: 'Europe/Stockholm',
  },
  'nb-NO': {
    subject: (m) => `Kvittering fra ${m}`,
    greeting: (n) => (n ? `Hei ${n}!` : 'Hei!'),
    thanks: (m) => `Takk for betalingen til ${m}. Her er kvitteringen din.`,
    amount: 'Beløp',
    paidAt: 'Betalt',
    reference: 'Referanse',
    item: 'Vare',
    quantity: 'Antall',
    unitPrice: 'Enhetspris',
    vat: 'MVA',
    lineTotal: 'Sum',
    total: 'Totalt',
    vatIncluded: 'Herav MVA',
    receiptLink: 'Kvitteringen finner du her',
    pdfAttached: 'Kvitteringen er også vedlagt som PDF.',
    paymentId: 'Betalings-ID',
    timeZone: 'Europe/Oslo',
  },
  en: {
    subject: (m) => `Receipt from ${m}`,
    greeting: (n) => (n ? `Hi ${n},` : 'Hi,'),
    thanks: (m) => `Thank you for your payment to ${m}. Here is your receipt.`,
    amount: 'Amount',
    paidAt: 'Paid',
    reference: 'Reference',
    item: 'Item',
    quantity: 'Qty',
    unitPrice: 'Unit price',
    vat: 'VAT',
    lineTotal: 'Total',
    total: 'Total',
    vatIncluded: 'Of which VAT',
    receiptLink: 'Your receipt',
    pdfAttached: 'The receipt is also attached as a PDF.',
    paymentId: 'Payment id',
    // The payer's zone is unknown; UTC, named, is at least unambiguous.
    timeZone: 'UTC',
  },
};
