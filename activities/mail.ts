import { ApplicationFailure } from '@temporalio/common';
import { createTransport } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import { createLogger, type Logger } from '../common/logger';

export type ReceiptLocale = 'sv-SE' | 'nb-NO' | 'en';

export interface ReceiptItem {
  description: string;
  quantity: number;
  /** VAT included, as in Ping's order items. */
  unitPriceMinor: number;
  /** A percent number (25, 12, 11.1), as Ping sends it. */
  vatPercent: number;
}

export interface ReceiptEmailInput {
  paymentId: string;
  to: string;
  payerName?: string;
  merchantName: string;
  amountMinor: number;
  currency: string;
  items: ReceiptItem[];
  /** The merchant's reference (OCR / KID) the payer may need to quote. */
  reference?: string;
  /** ISO 8601. */
  paidAt: string;
  /** Where the PDF receipt can be downloaded; linked in the mail, and attached when it can be fetched. */
  receiptUrl?: string;
  locale?: ReceiptLocale;
}

export interface MailActivityDeps {
  smtpUrl: string;
  /** The From header, e.g. `Ping orchestrator <receipts@localhost>`. */
  from: string;
  logger?: Logger;
  /** How long fetching the receipt PDF may take before the mail goes out with the link only (default 5 s). */
  fetchTimeoutMs?: number;
}

export interface MailActivities {
  sendReceiptEmail(input: ReceiptEmailInput): Promise<{ messageId: string }>;
  /** Ends the pooled SMTP connections (worker shutdown, end of a test). */
  close(): void;
}

/** An attachment bigger than this is left out; the link still works and mail servers would refuse it. */
const MAX_PDF_BYTES = 10 * 1024 * 1024;

/** `bertil@example.com` → `b***@example.com`: enough for support to match a complaint, not a payer's address in the logs. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${address[0]}***${address.slice(at)}`;
}

/** SMTP replies and nodemailer messages often quote the recipient; they end up in logs and in Temporal history. */
function maskAddressesIn(text: string): string {
  return text.replace(/[^\s<>()[\]",;:]+@[^\s<>()[\]",;:]+/g, maskEmail);
}

/**
 * One mailbox, nothing else: no display name, no list, no header-breaking characters. Not RFC 5322 in
 * full; it exists to turn an obviously wrong address into a clear permanent failure before any SMTP.
 */
export function isPlausibleAddress(address: string): boolean {
  if (address.length > 254) return false;
  const match = /^([^\s@<>()[\]\\,;:"]{1,64})@([^\s@<>()[\]\\,;:"]+)$/u.exec(address);
  if (!match) return false;
  const labels = match[2].split('.');
  return labels.every((l) => l.length > 0 && l.length <= 63 && /^[\p{L}\p{N}-]+$/u.test(l) && !l.startsWith('-') && !l.endsWith('-'));
}

/**
 * The Message-ID is derived from the payment, not generated: when the SMTP server accepted the mail but
 * its reply was lost (a timeout after DATA), the activity fails and Temporal sends it again. The second
 * copy then carries the same Message-ID, so mail clients and support staff see it as the same receipt.
 * Characters outside [A-Za-z0-9_-] are written as their UTF-8 bytes, `=XX` each (as quoted-printable
 * does), so any payment id gives a valid id, and distinct payment ids distinct ones.
 */
export function receiptMessageId(paymentId: string): string {
  return `<receipt.${safeToken(paymentId)}@ping-orchestrator>`;
}

function safeToken(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/gu, (c) =>
    [...Buffer.from(c, 'utf8')].map((byte) => `=${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

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

const TEXTS: Record<ReceiptLocale, Texts> = {
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

function invalidInput(message: string): ApplicationFailure {
  // A malformed input fails the same way on every attempt: retrying would only delay the workflow.
  return ApplicationFailure.nonRetryable(message, 'InvalidReceiptInput');
}

function validateInput(input: ReceiptEmailInput): void {
  if (typeof input.paymentId !== 'string' || input.paymentId.trim() === '' || input.paymentId.length > 200) {
    throw invalidInput('paymentId must be a non-empty string of at most 200 characters');
  }
  if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor < 0) throw invalidInput('amountMinor must be a non-negative integer');
  if (!/^[A-Z]{3}$/.test(input.currency)) throw invalidInput(`currency must be an ISO 4217 code, got ${JSON.stringify(input.currency)}`);
  if (Number.isNaN(Date.parse(input.paidAt))) throw invalidInput(`paidAt must be an ISO 8601 time, got ${JSON.stringify(input.paidAt)}`);
  if (typeof input.merchantName !== 'string' || input.merchantName.trim() === '') throw invalidInput('merchantName must not be empty');
  for (const item of input.items) {
    if (!(item.quantity > 0) || !Number.isFinite(item.quantity)) throw invalidInput('every item needs a positive quantity');
    if (!Number.isSafeInteger(item.unitPriceMinor)) throw invalidInput('every item needs an integer unitPriceMinor');
    if (!(item.vatPercent >= 0 && item.vatPercent < 100)) throw invalidInput('every item needs a vatPercent from 0 to 99.99');
  }
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A header must stay one line whatever a merchant typed as its name. */
function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

function httpUrlOrUndefined(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

interface RenderedReceipt {
  subject: string;
  text: string;
  html: string;
}

export function renderReceipt(input: ReceiptEmailInput, options: { receiptUrl?: string; pdfAttached: boolean }): RenderedReceipt {
  const locale: ReceiptLocale = input.locale === 'sv-SE' || input.locale === 'nb-NO' ? input.locale : 'en';
  const t = TEXTS[locale];
  const moneyFormat = new Intl.NumberFormat(locale, { style: 'currency', currency: input.currency });
  // Intl knows each currency's minor unit (öre, øre: 2; JPY, ISK: 0), which is what Ping's minor units follow.
  const minorDigits = moneyFormat.resolvedOptions().maximumFractionDigits ?? 2;
  const money = (minor: number) => moneyFormat.format(minor / 10 ** minorDigits);
  const percentFormat = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 });
  const percent = (vat: number) => percentFormat.format(vat / 100);
  const paidAt = new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: t.timeZone,
    timeZoneName: 'short',
  }).format(new Date(input.paidAt));

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

type PdfResult = { pdf: Buffer } | { reason: string };

async function fetchReceiptPdf(url: string, timeoutMs: number): Promise<PdfResult> {
  try {
    // The timeout covers reading the body too: a server that trickles bytes cannot hold the receipt back.
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/pdf' } });
    if (res.status !== 200) {
      await res.body?.cancel();
      return { reason: `answered HTTP ${res.status}` };
    }
    if (Number(res.headers.get('content-length') ?? 0) > MAX_PDF_BYTES) {
      await res.body?.cancel();
      return { reason: 'the PDF is larger than the attachment limit' };
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length > MAX_PDF_BYTES) return { reason: 'the PDF is larger than the attachment limit' };
    // The magic bytes, not the content type: an error page served as 200 must not be attached as a receipt.
    if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') return { reason: `answered 200 with ${res.headers.get('content-type') ?? 'no content type'}, not a PDF` };
    return { pdf: bytes };
  } catch (err) {
    return { reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

interface SmtpError extends Error {
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
}

/** RFC 5321: every 5yz reply is final, except 503 (bad sequence), which a new connection can clear. */
function isPermanentReply(code: number | undefined): boolean {
  return code !== undefined && code >= 500 && code < 600 && code !== 503;
}

/**
 * Maps a send failure onto Temporal's retry semantics. A recipient the server refuses for good will
 * be refused on every attempt, so it fails the activity at once; a message refused for good at DATA
 * likewise. Everything else (connection refused or reset, timeouts, 4xx, authentication, a rejected
 * sender, which a config fix heals) is thrown as an ordinary error, so Temporal retries it.
 * The thrown message is masked and carries no `cause`: both end up in workflow history.
 */
function toActivityError(err: unknown): Error {
  const e = (err instanceof Error ? err : new Error(String(err))) as SmtpError;
  const detail = maskAddressesIn(e.response ?? e.message);
  const details = { code: e.code, command: e.command, responseCode: e.responseCode };
  if (e.code === 'EENVELOPE' && (e.command === 'RCPT TO' ? isPermanentReply(e.responseCode) : e.responseCode === undefined)) {
    return ApplicationFailure.nonRetryable(`The recipient address was refused: ${detail}`, 'InvalidRecipient', details);
  }
  if (isPermanentReply(e.responseCode) && (e.command === 'DATA' || e.code === 'EMESSAGE')) {
    return ApplicationFailure.nonRetryable(`The mail server refused the receipt: ${detail}`, 'MailRejected', details);
  }
  return Object.assign(new Error(`Sending the receipt e-mail failed (${[e.code, e.responseCode].filter(Boolean).join(' ') || e.name}): ${detail}`), {
    code: e.code,
    responseCode: e.responseCode,
  });
}

export function createMailActivities(deps: MailActivityDeps): MailActivities {
  const logger = deps.logger ?? createLogger({ name: 'mail', level: 'silent', format: 'json' });
  const fetchTimeoutMs = deps.fetchTimeoutMs ?? 5_000;
  const sender = addressparser(deps.from, { flatten: true });
  if (sender.length !== 1 || !isPlausibleAddress(sender[0].address)) {
    // A config mistake: better at worker start than as a failure in every payment.
    throw new Error(`The mail sender must be one address such as "Shop <receipts@example.com>", got ${JSON.stringify(deps.from)}`);
  }
  // One pool per worker: receipts of many payments share a few SMTP connections instead of one each.
  const transport = createTransport({
    url: deps.smtpUrl,
    pool: true,
    maxConnections: 5,
    // Well inside an activity's timeout, so a dead server shows up as a retry, not as a hung attempt.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    // Attachments are buffers we built; nothing in a message may make the worker read files or URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  });

  return {
    async sendReceiptEmail(input) {
      validateInput(input);
      const to = input.to.trim();
      const maskedTo = maskEmail(to);
      const log = logger.child({ paymentId: input.paymentId, to: maskedTo });
      if (!isPlausibleAddress(to)) {
        log.warn('receipt not sent: the recipient is not an e-mail address');
        throw ApplicationFailure.nonRetryable(`The recipient ${maskedTo} is not a valid e-mail address`, 'InvalidRecipient', { recipient: maskedTo });
      }

      const receiptUrl = httpUrlOrUndefined(input.receiptUrl);
      if (input.receiptUrl && !receiptUrl) log.warn('receiptUrl is not an http(s) URL; the receipt goes out without the link');
      let pdf: Buffer | undefined;
      if (receiptUrl) {
        const result = await fetchReceiptPdf(receiptUrl, fetchTimeoutMs);
        if ('pdf' in result) pdf = result.pdf;
        // The link in the mail is the fallback, so a missing PDF never holds a receipt back.
        else log.warn({ receiptHost: new URL(receiptUrl).host, reason: result.reason }, 'receipt PDF not attached; sending the link only');
      }

      const messageId = receiptMessageId(input.paymentId);
      const rendered = renderReceipt(input, { receiptUrl, pdfAttached: pdf !== undefined });
      try {
        const info = await transport.sendMail({
          from: deps.from,
          to,
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          messageId,
          attachments: pdf ? [{ filename: `receipt-${safeToken(input.paymentId)}.pdf`, content: pdf, contentType: 'application/pdf' }] : [],
        });
        log.info({ messageId, pdfAttached: pdf !== undefined, smtpResponse: maskAddressesIn(info.response) }, 'receipt e-mail sent');
        return { messageId };
      } catch (err) {
        const failure = toActivityError(err);
        const retryable = !(failure instanceof ApplicationFailure && failure.nonRetryable);
        log.warn({ messageId, retryable, failure: failure.message }, 'receipt e-mail not sent');
        throw failure;
      }
    },
    close() {
      transport.close();
    },
  };
}
