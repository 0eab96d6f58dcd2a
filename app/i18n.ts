import type { Request } from 'express';
import type { PaymentState } from '../domain/payment';

/** The app's two languages. */
export const LOCALES = ['sv', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const isLocale = (value: unknown): value is Locale => value === 'sv' || value === 'en';

/** The BCP 47 tag Intl formats amounts and dates with: Swedish "140,00 kr", British English "SEK 140.00". */
export const INTL_LOCALE: Record<Locale, string> = { sv: 'sv-SE', en: 'en-GB' };

/**
 * The browser's choice: its most preferred language (by `q`) decides, Swedish for any `sv*`,
 * English otherwise.
 */
export function fromAcceptLanguage(header: string | undefined): Locale {
  const ranges = (header ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.tag && r.tag !== '*' && Number.isFinite(r.q) && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranges[0]?.tag.startsWith('sv') ? 'sv' : 'en';
}

export function negotiateLocale(req: Request, chosen: string | undefined): Locale {
  return isLocale(chosen) ? chosen : fromAcceptLanguage(req.get('accept-language'));
}

export interface Messages {
  appName: string;
  skipLink: string;
  nav: { label: string; newSale: string; sales: string; signOut: string };
  language: { label: string; other: Locale; otherName: string };
  signIn: { title: string; intro: string; key: string; keyHint: string; submit: string; failed: string; tooMany: string; signedOut: string; keyRevoked: string };
  newSale: {
    title: string;
    item: (n: number | string) => string;
    description: string;
    price: (currencyLabel: string) => string;
    quantity: string;
    vat: string;
    addItem: string;
    removeItem: string;
    emptyRows: string;
    total: string;
    method: string;
    payer: string;
    phone: string;
    email: string;
    reference: string;
    referenceHint: string;
    charge: string;
    noMethods: string;
    notApproved: (status: string) => string;
  };
  invalid: {
    form: string;
    description: string;
    price: string;
    quantity: string;
    vat: string;
    noItems: string;
    tooMany: string;
    total: string;
    method: string;
    phone: string;
    email: string;
    reference: string;
  };
  create: { pingRefused: (code: string) => string; pingUnavailable: string; failed: (code: string) => string };
  customer: string;
  sale: {
    title: string;
    amount: string;
    status: string;
    scan: string;
    qrLabel: string;
    openCheckout: string;
    send: string;
    sendTo: { sms: string; email: string };
    sendHint: string;
    sendSms: string;
    sendEmail: string;
    sent: string;
    sendFailed: string;
    cancel: string;
    cancelled: string;
    cancelPending: string;
    refund: string;
    refundConfirm: string;
    refunded: string;
    refundPending: string;
    refundFailed: string;
    details: string;
    reference: string;
    created: string;
    documents: string;
    receipt: string;
    invoice: string;
    refresh: string;
    refreshHint: string;
  };
  refusals: Record<string, string>;
  status: Record<PaymentState, string>;
  refundStatus: { pending: string; failed: string };
  sales: {
    title: string;
    paidToday: string;
    count: (n: number) => string;
    none: string;
    search: string;
    searchButton: string;
    results: (reference: string) => string;
    noneFound: string;
    showToday: string;
    more: string;
    time: string;
  };
  errors: {
    notFound: string;
    notFoundText: string;
    csrf: string;
    csrfText: string;
    unavailable: string;
    unavailableText: string;
    rateLimited: string;
    failed: string;
    failedText: string;
    back: string;
    tryAgain: string;
  };
}

const sv: Messages = {
  appName: 'Kassa',
  skipLink: 'Hoppa till innehållet',
  nav: { label: 'Meny', newSale: 'Ny försäljning', sales: 'Dagens försäljning', signOut: 'Logga ut' },
  language: { label: 'Språk', other: 'en', otherName: 'English' },
  signIn: {
    title: 'Logga in',
    intro: 'Logga in med din handlarnyckel en gång. Den sparas på servern, aldrig i telefonen.',
    key: 'API-nyckel',
    keyHint: 'Din handlarnyckel börjar med sk_.',
    submit: 'Logga in',
    failed: 'Nyckeln fungerade inte. Kontrollera den och försök igen.',
    tooMany: 'För många försök. Vänta en minut och försök igen.',
    signedOut: 'Du är utloggad.',
    keyRevoked: 'Din nyckel fungerar inte längre. Logga in igen.',
  },
  newSale: {
    title: 'Ny försäljning',
    item: (n) => `Vara ${n}`,
    description: 'Beskrivning',
    price: (c) => `Pris (${c})`,
    quantity: 'Antal',
    vat: 'Moms',
    addItem: 'Lägg till vara',
    removeItem: 'Ta bort',
    emptyRows: 'Tomma rader hoppas över.',
    total: 'Totalt',
    method: 'Betalsätt',
    payer: 'Betalare (valfritt)',
    phone: 'Mobilnummer',
    email: 'E-post',
    reference: 'Referens (valfritt)',
    referenceHint: 'Till exempel ordernummer. Utan referens blir den sale- och tiden.',
    charge: 'Ta betalt',
    noMethods: 'Inga betalsätt är inställda för ditt konto, så du kan inte ta betalt än. Be plattformen lägga till betalsätt.',
    notApproved: (s) => `Ditt konto är inte godkänt hos Ping än (${s}), så du kan inte ta betalt.`,
  },
  invalid: {
    form: 'Rätta det som är markerat.',
    description: 'Skriv vad du säljer (högst 200 tecken).',
    price: 'Skriv ett pris, till exempel 70 eller 70,50.',
    quantity: 'Antalet ska vara ett heltal från 1 till 10 000.',
    vat: 'Välj en momssats.',
    noItems: 'Lägg till minst en vara.',
    tooMany: 'Högst 100 varor per försäljning.',
    total: 'Totalen är för stor.',
    method: 'Välj ett betalsätt.',
    phone: 'Skriv ett mobilnummer, till exempel 0701234567.',
    email: 'Skriv en e-postadress.',
    reference: 'Referensen får vara högst 100 tecken, utan citattecken och bakstreck.',
  },
  create: {
    pingRefused: (code) => `Ping tog inte emot betalningen (${code}).`,
    pingUnavailable: 'Ping svarade inte. Försök igen: samma försäljning blir aldrig två betalningar.',
    failed: (code) => `Betalningen kunde inte skapas (${code}).`,
  },
  customer: 'Kund',
  sale: {
    title: 'Försäljning',
    amount: 'Belopp',
    status: 'Status',
    scan: 'Låt kunden skanna koden med mobilen.',
    qrLabel: 'QR-kod till betalsidan',
    openCheckout: 'Öppna betalsidan',
    send: 'Skicka länken',
    sendTo: { sms: 'Mobilnummer för SMS', email: 'E-post för länken' },
    sendHint: 'Lämna tomt för att använda försäljningens.',
    sendSms: 'Skicka via SMS',
    sendEmail: 'Skicka via e-post',
    sent: 'Länken är skickad.',
    sendFailed: 'Ping kunde inte skicka länken.',
    cancel: 'Avbryt försäljningen',
    cancelled: 'Försäljningen är avbruten.',
    cancelPending: 'Avbrytandet pågår.',
    refund: 'Återbetala',
    refundConfirm: 'Hela beloppet betalas tillbaka till kunden.',
    refunded: 'Pengarna är återbetalda.',
    refundPending: 'Återbetalningen pågår.',
    refundFailed: 'Återbetalningen misslyckades.',
    details: 'Detaljer',
    reference: 'Referens',
    created: 'Skapad',
    documents: 'Dokument',
    receipt: 'Kvitto (PDF)',
    invoice: 'Faktura (PDF)',
    refresh: 'Uppdatera',
    refreshHint: 'Statusen uppdateras av sig själv; annars:',
  },
  refusals: {
    payment_final: 'Betalningen är redan avslutad.',
    payment_not_a_link: 'Det här är ingen betallänk.',
    already_refunded: 'Betalningen är redan återbetald.',
    payment_settled: 'Pengarna är redan utbetalda, så den kan inte återbetalas här.',
    payment_not_paid: 'Betalningen är inte betald.',
    payment_refunded: 'Betalningen är återbetald.',
    send_failed: 'Ping kunde inte skicka länken.',
    parameter_invalid: 'Kontrollera uppgifterna.',
  },
  status: {
    creating: 'Skapas',
    awaiting_payment: 'Väntar på betalning',
    paid: 'Betald',
    completed: 'Betald',
    expired: 'Utgången',
    cancelled: 'Avbruten',
    failed: 'Misslyckad',
    refunded: 'Återbetald',
  },
  refundStatus: { pending: 'Återbetalning pågår', failed: 'Återbetalningen misslyckades' },
  sales: {
    title: 'Dagens försäljning',
    paidToday: 'Betalt i dag',
    count: (n) => `${n} st`,
    none: 'Inga försäljningar i dag än.',
    search: 'Sök på referens',
    searchButton: 'Sök',
    results: (r) => `Försäljningar med referensen ${r}`,
    noneFound: 'Ingen försäljning har den referensen.',
    showToday: 'Visa dagens försäljning',
    more: 'Fler försäljningar finns än de som visas.',
    time: 'Tid',
  },
  errors: {
    notFound: 'Hittades inte',
    notFoundText: 'Det finns ingen sådan sida eller försäljning.',
    csrf: 'Formuläret har gått ut',
    csrfText: 'Inget har gjorts. Öppna sidan igen och försök en gång till.',
    unavailable: 'Tjänsten svarar inte',
    unavailableText: 'Betaltjänsten går inte att nå just nu. Försök igen om en stund.',
    rateLimited: 'För många förfrågningar just nu. Vänta en stund och försök igen.',
    failed: 'Något gick fel',
    failedText: 'Försök igen om en stund.',
    back: 'Till kassan',
    tryAgain: 'Försök igen',
  },
};

const en: Messages = {
  appName: 'Till',
  skipLink: 'Skip to content',
  nav: { label: 'Menu', newSale: 'New sale', sales: "Today's sales", signOut: 'Sign out' },
  language: { label: 'Language', other: 'sv', otherName: 'Svenska' },
  signIn: {
    title: 'Sign in',
    intro: 'Sign in once with your merchant key. It is kept on the server, never on the phone.',
    key: 'API key',
    keyHint: 'Your merchant key starts with sk_.',
    submit: 'Sign in',
    failed: 'That key did not work. Check it and try again.',
    tooMany: 'Too many attempts. Wait a minute and try again.',
    signedOut: 'You are signed out.',
    keyRevoked: 'Your key no longer works. Sign in again.',
  },
  newSale: {
    title: 'New sale',
    item: (n) => `Item ${n}`,
    description: 'Description',
    price: (c) => `Price (${c})`,
    quantity: 'Quantity',
    vat: 'VAT',
    addItem: 'Add item',
    removeItem: 'Remove',
    emptyRows: 'Empty rows are skipped.',
    total: 'Total',
    method: 'Payment method',
    payer: 'Payer (optional)',
    phone: 'Mobile number',
    email: 'E-mail',
    reference: 'Reference (optional)',
    referenceHint: 'An order number, for example. Without one it is sale- and the time.',
    charge: 'Charge',
    noMethods: 'No payment methods are set up for your account, so you cannot charge yet. Ask your platform to add payment methods.',
    notApproved: (s) => `Your account is not approved at Ping yet (${s}), so you cannot charge.`,
  },
  invalid: {
    form: 'Fix the marked fields.',
    description: 'Describe what you sell (at most 200 characters).',
    price: 'Enter a price, for example 70 or 70.50.',
    quantity: 'The quantity must be a whole number from 1 to 10,000.',
    vat: 'Choose a VAT rate.',
    noItems: 'Add at least one item.',
    tooMany: 'At most 100 items per sale.',
    total: 'The total is too large.',
    method: 'Choose a payment method.',
    phone: 'Enter a mobile number, for example 0701234567.',
    email: 'Enter an e-mail address.',
    reference: 'The reference may be at most 100 characters, without quotes or backslashes.',
  },
  create: {
    pingRefused: (code) => `Ping did not accept the payment (${code}).`,
    pingUnavailable: 'Ping did not answer. Try again: the same sale never becomes two payments.',
    failed: (code) => `The payment could not be made (${code}).`,
  },
  customer: 'Customer',
  sale: {
    title: 'Sale',
    amount: 'Amount',
    status: 'Status',
    scan: 'Let the payer scan the code with their phone.',
    qrLabel: 'QR code of the payment page',
    openCheckout: 'Open the payment page',
    send: 'Send the link',
    sendTo: { sms: 'Mobile number for the SMS', email: 'E-mail for the link' },
    sendHint: "Leave empty to use the sale's own.",
    sendSms: 'Send by SMS',
    sendEmail: 'Send by e-mail',
    sent: 'The link is sent.',
    sendFailed: 'Ping could not send the link.',
    cancel: 'Cancel the sale',
    cancelled: 'The sale is cancelled.',
    cancelPending: 'The cancel is under way.',
    refund: 'Refund',
    refundConfirm: 'The whole amount goes back to the payer.',
    refunded: 'The money is refunded.',
    refundPending: 'The refund is under way.',
    refundFailed: 'The refund failed.',
    details: 'Details',
    reference: 'Reference',
    created: 'Created',
    documents: 'Documents',
    receipt: 'Receipt (PDF)',
    invoice: 'Invoice (PDF)',
    refresh: 'Refresh',
    refreshHint: 'The status updates by itself; otherwise:',
  },
  refusals: {
    payment_final: 'The payment is already over.',
    payment_not_a_link: 'This is not a payment link.',
    already_refunded: 'The payment is already refunded.',
    payment_settled: 'The money has already been paid out, so it cannot be refunded here.',
    payment_not_paid: 'The payment is not paid.',
    payment_refunded: 'The payment is refunded.',
    send_failed: 'Ping could not send the link.',
    parameter_invalid: 'Check the details.',
  },
  status: {
    creating: 'Being created',
    awaiting_payment: 'Waiting for payment',
    paid: 'Paid',
    completed: 'Paid',
    expired: 'Expired',
    cancelled: 'Cancelled',
    failed: 'Failed',
    refunded: 'Refunded',
  },
  refundStatus: { pending: 'Refund under way', failed: 'Refund failed' },
  sales: {
    title: "Today's sales",
    paidToday: 'Paid today',
    count: (n) => `${n} ${n === 1 ? 'sale' : 'sales'}`,
    none: 'No sales today yet.',
    search: 'Search by reference',
    searchButton: 'Search',
    results: (r) => `Sales with the reference ${r}`,
    noneFound: 'No sale has that reference.',
    showToday: "Show today's sales",
    more: 'There are more sales than shown.',
    time: 'Time',
  },
  errors: {
    notFound: 'Not found',
    notFoundText: 'There is no such page or sale.',
    csrf: 'The form has expired',
    csrfText: 'Nothing was done. Open the page again and try once more.',
    unavailable: 'The service does not answer',
    unavailableText: 'The payment service cannot be reached right now. Try again in a moment.',
    rateLimited: 'Too many requests right now. Wait a moment and try again.',
    failed: 'Something went wrong',
    failedText: 'Try again in a moment.',
    back: 'Back to the till',
    tryAgain: 'Try again',
  },
};

export const MESSAGES: Record<Locale, Messages> = { sv, en };
