import type { LinkLocale } from '../entities';

/** The checkout speaks the link's locale (docs/ping-contract.md §5.2: `locale` is the checkout's language). */
const SV = {
  pay: 'Betala',
  payWith: 'Betala med',
  cancel: 'Avbryt',
  items: 'Varor',
  description: 'Beskrivning',
  quantity: 'Antal',
  price: 'Pris',
  vat: 'Moms',
  amount: 'Belopp',
  total: 'Att betala',
  dueDate: 'Förfallodag',
  yourDetails: 'Dina uppgifter',
  firstName: 'Förnamn',
  lastName: 'Efternamn',
  email: 'E-post',
  phone: 'Telefon',
  from: 'Från',
  nameRequired: 'Fyll i för- och efternamn.',
  paid: 'Betald',
  status: {
    CREATED: 'Väntar på betalning',
    COMPLETED: 'Betalningen är genomförd. Tack!',
    EXPIRED: 'Betalningslänken har gått ut.',
    CANCELLED: 'Betalningslänken har avbrutits.',
  },
  cancelled: 'Du avbröt betalningen. Länken går fortfarande att betala.',
};

const NB: typeof SV = {
  pay: 'Betal',
  payWith: 'Betal med',
  cancel: 'Avbryt',
  items: 'Varer',
  description: 'Beskrivelse',
  quantity: 'Antall',
  price: 'Pris',
  vat: 'MVA',
  amount: 'Beløp',
  total: 'Å betale',
  dueDate: 'Forfallsdato',
  yourDetails: 'Dine opplysninger',
  firstName: 'Fornavn',
  lastName: 'Etternavn',
  email: 'E-post',
  phone: 'Telefon',
  from: 'Fra',
  nameRequired: 'Fyll inn fornavn og etternavn.',
  paid: 'Betalt',
  status: {
    CREATED: 'Venter på betaling',
    COMPLETED: 'Betalingen er gjennomført. Takk!',
    EXPIRED: 'Betalingslenken har utløpt.',
    CANCELLED: 'Betalingslenken er kansellert.',
  },
  cancelled: 'Du avbrøt betalingen. Lenken kan fortsatt betales.',
};

export type Labels = typeof SV;

export function labels(locale: LinkLocale): Labels {
  return locale === 'nb-NO' ? NB : SV;
}

const PROVIDER_NAMES: Record<string, string> = {
  'swish/e_commerce': 'Swish',
  'swish/m_commerce': 'Swish',
  'billmate/invoice': 'faktura (Billmate)',
  'payment_iq/card': 'kort',
  'payment_iq/vipps': 'Vipps',
  'quickpay/vipps': 'Vipps',
  'open_payments/pis': 'bank',
};

export function providerName(provider: string, method: string): string {
  return PROVIDER_NAMES[`${provider}/${method}`] ?? `${provider} ${method}`;
}
