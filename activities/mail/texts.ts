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

interface RefundTexts {
  subject(amount: string, merchant: string): string;
  greeting(name?: string): string;
  refunded(merchant: string, amount: string): string;
  /** For the automatic refund of a payment Ping completed after the payment had ended (expired, cancelled). */
  latePayment(merchant: string): string;
  whenVisible: string;
  amount: string;
  refundedAt: string;
  reference: string;
  paymentId: string;
  timeZone: string;
}

/** The refund e-mail, in the receipt's locales and time zones (TEXTS above). */
export const REFUND_TEXTS: Record<ReceiptLocale, RefundTexts> = {
  'sv-SE': {
    subject: (a, m) => `Din återbetalning på ${a} från ${m}`,
    greeting: TEXTS['sv-SE'].greeting,
    refunded: (m, a) => `${m} har betalat tillbaka ${a} till dig.`,
    latePayment: (m) => `Din betalning nådde ${m} först efter att betalningen redan hade avslutats, så pengarna går tillbaka till dig.`,
    whenVisible: 'Det kan ta några bankdagar innan pengarna syns på ditt konto.',
    amount: 'Belopp',
    refundedAt: 'Återbetald',
    reference: TEXTS['sv-SE'].reference,
    paymentId: TEXTS['sv-SE'].paymentId,
    timeZone: TEXTS['sv-SE'].timeZone,
  },
  'nb-NO': {
    subject: (a, m) => `Din tilbakebetaling på ${a} fra ${m}`,
    greeting: TEXTS['nb-NO'].greeting,
    refunded: (m, a) => `${m} har betalt tilbake ${a} til deg.`,
    latePayment: (m) => `Betalingen din nådde ${m} først etter at betalingen allerede var avsluttet, så pengene går tilbake til deg.`,
    whenVisible: 'Det kan ta noen bankdager før pengene vises på kontoen din.',
    amount: 'Beløp',
    refundedAt: 'Tilbakebetalt',
    reference: TEXTS['nb-NO'].reference,
    paymentId: TEXTS['nb-NO'].paymentId,
    timeZone: TEXTS['nb-NO'].timeZone,
  },
  en: {
    subject: (a, m) => `Your refund of ${a} from ${m}`,
    greeting: TEXTS.en.greeting,
    refunded: (m, a) => `${m} has refunded ${a} to you.`,
    latePayment: (m) => `Your payment reached ${m} only after the payment had already ended, so the money goes back to you.`,
    whenVisible: 'It may take a few banking days before the money shows in your account.',
    amount: 'Amount',
    refundedAt: 'Refunded',
    reference: TEXTS.en.reference,
    paymentId: TEXTS.en.paymentId,
    timeZone: TEXTS.en.timeZone,
  },
};
