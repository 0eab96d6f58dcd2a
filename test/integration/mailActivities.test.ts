import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import PDFDocument from 'pdfkit';
import pino from 'pino';
import {
  createMailActivities,
  maskEmail,
  receiptMessageId,
  refundMessageId,
  type MailActivities,
  type ReceiptEmailInput,
  type RefundEmailInput,
} from '../../activities/mail';
import { freePort } from '../helpers/ports';
import { startInbox, type InboxMessage, type RunningInbox } from '../helpers/inbox';

/** sendReceiptEmail against the real dev inbox, with a real HTTP server behind receiptUrl. */

const NBSP = '\u00a0';

function renderPdf(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A6' });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.text('Kvitto');
    doc.end();
  });
}

interface ReceiptServer {
  url: string;
  stop(): Promise<void>;
}

/** Stands in for Ping's receipt URLs: a PDF, a 404, an HTML page answered 200, and one that never answers. */
async function startReceiptServer(pdf: Buffer): Promise<ReceiptServer> {
  const server = http.createServer((req, res) => {
    if (req.url === '/receipt.pdf') return void res.writeHead(200, { 'content-type': 'application/pdf' }).end(pdf);
    if (req.url === '/error-page') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>oops</html>');
    if (req.url === '/hang') return; // Holds the request until the client gives up.
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A real pino logger whose lines the test can read. */
function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

let inbox: RunningInbox;
let receipts: ReceiptServer;
let pdf: Buffer;
let mail: MailActivities;
const captured = capturingLogger();
const opened: MailActivities[] = [];

beforeAll(async () => {
  pdf = await renderPdf();
  [inbox, receipts] = await Promise.all([startInbox(), startReceiptServer(pdf)]);
  mail = createMailActivities({ smtpUrl: inbox.smtpUrl, from: 'Ping orchestrator <receipts@localhost>', logger: captured.logger, fetchTimeoutMs: 2000 });
  opened.push(mail);
});

afterAll(async () => {
  for (const m of opened) m.close();
  await Promise.all([inbox?.stop(), receipts?.stop()]);
});

function receipt(overrides: Partial<ReceiptEmailInput> = {}): ReceiptEmailInput {
  return {
    paymentId: 'pay-1',
    to: 'bertil@example.com',
    payerName: 'Bertil',
    merchantName: 'Bröd & Salt AB',
    amountMinor: 140_000,
    currency: 'SEK',
    items: [
      { description: 'Tårta <stor>', quantity: 2, unitPriceMinor: 50_000, vatPercent: 12 },
      { description: 'Kaffe', quantity: 4, unitPriceMinor: 10_000, vatPercent: 25 },
    ],
    reference: '7350012345',
    paidAt: '2025-03-01T12:34:00Z',
    locale: 'sv-SE',
    ...overrides,
  };
}

async function onlyMessage(paymentId: string): Promise<InboxMessage> {
  const [message] = await inbox.waitForMessages((m) => m.message_id === receiptMessageId(paymentId));
  return message;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('sendReceiptEmail', () => {
  it('sends a Swedish receipt with amount, items, VAT, reference, time and link, the PDF attached', async () => {
    const receiptUrl = `${receipts.url}/receipt.pdf`;
    const result = await mail.sendReceiptEmail(receipt({ paymentId: 'pay-sv', receiptUrl }));
    expect(result).toEqual({ messageId: '<receipt.pay-sv@ping-orchestrator>' });

    const message = await onlyMessage('pay-sv');
    expect(message.message_id).toBe('<receipt.pay-sv@ping-orchestrator>');
    expect(message.subject).toBe('Kvitto från Bröd & Salt AB');
    expect(message.from).toBe('Ping orchestrator <receipts@localhost>');
    expect(message.to).toEqual(['bertil@example.com']);
    expect(message.text).toContain('Hej Bertil!');
    expect(message.text).toContain(`Belopp: 1${NBSP}400,00${NBSP}kr`);
    expect(message.text).toContain(`Tårta <stor>: 2 × 500,00${NBSP}kr = 1${NBSP}000,00${NBSP}kr (Moms 12${NBSP}%)`);
    expect(message.text).toContain(`Kaffe: 4 × 100,00${NBSP}kr = 400,00${NBSP}kr (Moms 25${NBSP}%)`);
    // Prices include VAT: 1000 kr at 12 % holds 107,14 kr, 400 kr at 25 % holds 80 kr.
    expect(message.text).toContain(`Varav moms 12${NBSP}%: 107,14${NBSP}kr`);
    expect(message.text).toContain(`Varav moms 25${NBSP}%: 80,00${NBSP}kr`);
    expect(message.text).toContain('Referens: 7350012345');
    expect(message.text).toContain('Betald: 1 mars 2025 kl. 13:34 CET');
    expect(message.text).toContain(`Kvittot finns här: ${receiptUrl}`);
    expect(message.text).toContain('Kvittot finns också som PDF i bilagan.');

    expect(message.html).toContain('Bröd &#38; Salt AB');
    expect(message.html).toContain('Tårta &#60;stor&#62;');
    expect(message.html).not.toContain('<stor>');
    expect(message.html).toContain(`<a href="${receiptUrl}">Kvittot finns här</a>`);
    expect(message.html).toContain(`1${NBSP}400,00${NBSP}kr`);

    expect(message.attachments).toEqual([{ filename: 'receipt-pay-sv.pdf', content_type: 'application/pdf', size: pdf.length }]);
    const res = await fetch(`${inbox.inboxUrl}/messages/${message.id}/attachments/0`);
    expect(Buffer.from(await res.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('sends an English receipt for any other locale, and a Norwegian one for nb-NO', async () => {
    await mail.sendReceiptEmail(receipt({ paymentId: 'pay-en', locale: 'en', payerName: undefined, reference: undefined }));
    const en = await onlyMessage('pay-en');
    expect(en.subject).toBe('Receipt from Bröd & Salt AB');
    expect(en.text).toContain('Hi,');
    expect(en.text).toContain(`Amount: SEK${NBSP}1,400.00`);
    expect(en.text).toContain(`Kaffe: 4 × SEK${NBSP}100.00 = SEK${NBSP}400.00 (VAT 25%)`);
    expect(en.text).toContain('Paid: March 1, 2025 at 12:34 PM UTC');
    expect(en.text).not.toContain('Reference');
    expect(en.attachments).toEqual([]);

    await mail.sendReceiptEmail(receipt({ paymentId: 'pay-nb', locale: 'nb-NO', currency: 'NOK', reference: '1234567890123' }));
    const nb = await onlyMessage('pay-nb');
    expect(nb.subject).toBe('Kvittering fra Bröd & Salt AB');
    expect(nb.text).toContain(`Beløp: 1${NBSP}400,00${NBSP}kr`);
    expect(nb.text).toContain('Referanse: 1234567890123');
  });

  it('gives a retried send the same Message-ID, so the copy is recognisably the same receipt', async () => {
    const first = await mail.sendReceiptEmail(receipt({ paymentId: 'pay-retry' }));
    const second = await mail.sendReceiptEmail(receipt({ paymentId: 'pay-retry' }));
    expect(second).toEqual(first);
    const copies = await inbox.waitForMessages((m) => m.message_id === '<receipt.pay-retry@ping-orchestrator>', 5000, 2);
    expect(copies).toHaveLength(2);
    // An id with characters a Message-ID cannot hold still gives a valid, distinct one.
    expect(receiptMessageId('order 7/ä')).toBe('<receipt.order=207=2F=C3=A4@ping-orchestrator>');
  });

  it.each([
    ['answers 404', '/missing.pdf'],
    ['answers 200 with an HTML page', '/error-page'],
    ['does not answer within the timeout', '/hang'],
  ])('still sends the receipt with the link when the receipt URL %s', async (_case, path) => {
    const paymentId = `pay-nopdf-${path.replace(/\W/g, '')}`;
    const receiptUrl = `${receipts.url}${path}`;
    const quick = createMailActivities({ smtpUrl: inbox.smtpUrl, from: 'receipts@localhost', logger: captured.logger, fetchTimeoutMs: 300 });
    opened.push(quick);
    const started = Date.now();
    await quick.sendReceiptEmail(receipt({ paymentId, receiptUrl }));
    expect(Date.now() - started).toBeLessThan(3000);
    const message = await onlyMessage(paymentId);
    expect(message.attachments).toEqual([]);
    expect(message.text).toContain(`Kvittot finns här: ${receiptUrl}`);
    expect(message.text).not.toContain('bilagan');
    const warning = captured.lines.find((l) => l.includes(paymentId) && l.includes('receipt PDF not attached'));
    expect(warning).toBeDefined();
  });

  it('fails non-retryably with InvalidRecipient for an address that is not one, before any SMTP', async () => {
    for (const to of ['not-an-address', 'a@b.se, c@d.se', 'bertil@example.com\r\nBcc: x@evil.example', '']) {
      const err = await caught(mail.sendReceiptEmail(receipt({ paymentId: 'pay-bad-address', to })));
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect(err).toMatchObject({ type: 'InvalidRecipient', nonRetryable: true });
    }
    expect(inbox.messages().some((m) => m.message_id === receiptMessageId('pay-bad-address'))).toBe(false);
  });

  it('fails non-retryably with InvalidRecipient when the SMTP server refuses the recipient with 550', async () => {
    const err = await caught(mail.sendReceiptEmail(receipt({ paymentId: 'pay-550', to: 'bertil@nowhere.invalid' })));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'InvalidRecipient', nonRetryable: true });
    // The address is payer data: the failure (stored in workflow history) carries it masked.
    expect((err as Error).message).toContain('b***@nowhere.invalid');
    expect((err as Error).message).not.toContain('bertil@');
  });

  it('fails retryably (a plain Error) on a temporary 4xx refusal', async () => {
    const busy = await startInbox({ rejectRecipient: () => ({ code: 451, message: '4.3.0 Mailbox temporarily unavailable' }) });
    const sender = createMailActivities({ smtpUrl: busy.smtpUrl, from: 'receipts@localhost' });
    try {
      const err = await caught(sender.sendReceiptEmail(receipt({ paymentId: 'pay-451' })));
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(ApplicationFailure);
      expect(err).toMatchObject({ responseCode: 451 });
    } finally {
      sender.close();
      await busy.stop();
    }
  });

  it('fails retryably (a plain Error) when nothing listens on the SMTP port', async () => {
    const closed = createMailActivities({ smtpUrl: `smtp://127.0.0.1:${await freePort()}`, from: 'receipts@localhost' });
    opened.push(closed);
    const err = await caught(closed.sendReceiptEmail(receipt({ paymentId: 'pay-no-smtp' })));
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    expect((err as Error).message).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
  });

  it('fails non-retryably on input no retry can fix', async () => {
    const err = await caught(mail.sendReceiptEmail(receipt({ paymentId: 'pay-bad-input', currency: 'kronor' })));
    expect(err).toMatchObject({ type: 'InvalidReceiptInput', nonRetryable: true });
  });

  it('never logs the payer address in full', async () => {
    expect(maskEmail('bertil@example.com')).toBe('b***@example.com');
    const sent = captured.lines.filter((l) => l.includes('receipt e-mail sent'));
    expect(sent.length).toBeGreaterThan(0);
    expect(sent[0]).toContain('b***@example.com');
    expect(captured.lines.join('\n')).not.toContain('bertil@');
  });
});

function refund(overrides: Partial<RefundEmailInput> = {}): RefundEmailInput {
  return {
    paymentId: 'pay-refund-1',
    to: 'bertil@example.com',
    payerName: 'Bertil',
    merchantName: 'Bröd & Salt <AB>',
    amountMinor: 14_000,
    currency: 'SEK',
    reference: '7350012345',
    refundedAt: '2025-03-01T12:34:00Z',
    locale: 'sv-SE',
    ...overrides,
  };
}

async function onlyRefund(paymentId: string): Promise<InboxMessage> {
  const [message] = await inbox.waitForMessages((m) => m.message_id === refundMessageId(paymentId));
  return message;
}

describe('sendRefundEmail', () => {
  it('sends a Swedish refund e-mail with the amount as the receipt writes it, the merchant, the reference and when', async () => {
    const result = await mail.sendRefundEmail(refund({ paymentId: 'pay-refund-sv' }));
    expect(result).toEqual({ messageId: '<refund.pay-refund-sv@ping-orchestrator>' });

    const message = await onlyRefund('pay-refund-sv');
    expect(message.subject).toBe(`Din återbetalning på 140,00${NBSP}kr från Bröd & Salt <AB>`);
    expect(message.from).toBe('Ping orchestrator <receipts@localhost>');
    expect(message.to).toEqual(['bertil@example.com']);
    expect(message.text).toContain('Hej Bertil!');
    expect(message.text).toContain(`Bröd & Salt <AB> har betalat tillbaka 140,00${NBSP}kr till dig.`);
    expect(message.text).toContain(`Belopp: 140,00${NBSP}kr`);
    expect(message.text).toContain('Återbetald: 1 mars 2025 kl. 13:34 CET');
    expect(message.text).toContain('Referens: 7350012345');
    expect(message.text).toContain('Betalnings-id: pay-refund-sv');
    expect(message.text).not.toContain('avslutats');
    expect(message.attachments).toEqual([]);

    expect(message.html).toContain('Bröd &#38; Salt &#60;AB&#62;');
    expect(message.html).not.toContain('<AB>');
    expect(message.html).toContain(`140,00${NBSP}kr`);
  });

  it('writes English for en and any other locale, and Norwegian for nb-NO', async () => {
    await mail.sendRefundEmail(refund({ paymentId: 'pay-refund-en', locale: 'en', payerName: undefined, reference: undefined }));
    const en = await onlyRefund('pay-refund-en');
    expect(en.subject).toBe(`Your refund of SEK${NBSP}140.00 from Bröd & Salt <AB>`);
    expect(en.text).toContain('Hi,');
    expect(en.text).toContain(`Amount: SEK${NBSP}140.00`);
    expect(en.text).toContain('Refunded: March 1, 2025 at 12:34 PM UTC');
    expect(en.text).not.toContain('Reference');

    await mail.sendRefundEmail(refund({ paymentId: 'pay-refund-other', locale: 'de-DE' as RefundEmailInput['locale'] }));
    expect((await onlyRefund('pay-refund-other')).subject).toMatch(/^Your refund of /);

    await mail.sendRefundEmail(refund({ paymentId: 'pay-refund-nb', locale: 'nb-NO', currency: 'NOK' }));
    const nb = await onlyRefund('pay-refund-nb');
    expect(nb.subject).toBe(`Din tilbakebetaling på 140,00${NBSP}kr fra Bröd & Salt <AB>`);
    expect(nb.text).toContain(`Beløp: 140,00${NBSP}kr`);
    expect(nb.text).toContain('Referanse: 7350012345');
  });

  it('says why for a late payment, in each language', async () => {
    await mail.sendRefundEmail(refund({ paymentId: 'pay-refund-late-sv', latePayment: true }));
    const sv = await onlyRefund('pay-refund-late-sv');
    const svLate = 'Din betalning nådde Bröd & Salt <AB> först efter att betalningen redan hade avslutats, så pengarna går tillbaka till dig.';
    expect(sv.text).toContain(svLate);
    expect(sv.html).toContain('Din betalning nådde Bröd &#38; Salt &#60;AB&#62; först efter');

    await mail.sendRefundEmail(refund({ paymentId: 'pay-refund-late-en', latePayment: true, locale: 'en' }));
    expect((await onlyRefund('pay-refund-late-en')).text).toContain('Your payment reached Bröd & Salt <AB> only after the payment had already ended, so the money goes back to you.');

    await mail.sendRefundEmail(refund({ paymentId: 'pay-refund-late-nb', latePayment: true, locale: 'nb-NO', currency: 'NOK' }));
    expect((await onlyRefund('pay-refund-late-nb')).text).toContain('først etter at betalingen allerede var avsluttet, så pengene går tilbake til deg.');
  });

  it("gives a retried send the same Message-ID, never the receipt's", async () => {
    const first = await mail.sendRefundEmail(refund({ paymentId: 'pay-refund-retry' }));
    const second = await mail.sendRefundEmail(refund({ paymentId: 'pay-refund-retry' }));
    expect(second).toEqual(first);
    const copies = await inbox.waitForMessages((m) => m.message_id === '<refund.pay-refund-retry@ping-orchestrator>', 5000, 2);
    expect(copies).toHaveLength(2);
    expect(refundMessageId('pay-1')).not.toBe(receiptMessageId('pay-1'));
    expect(refundMessageId('order 7/ä')).toBe('<refund.order=207=2F=C3=A4@ping-orchestrator>');
  });

  it('fails as the receipt does: InvalidRecipient before any SMTP, or when the server refuses the address', async () => {
    const bad = await caught(mail.sendRefundEmail(refund({ paymentId: 'pay-refund-bad-address', to: 'a@b.se, c@d.se' })));
    expect(bad).toMatchObject({ type: 'InvalidRecipient', nonRetryable: true });
    expect(inbox.messages().some((m) => m.message_id === refundMessageId('pay-refund-bad-address'))).toBe(false);

    const refused = await caught(mail.sendRefundEmail(refund({ paymentId: 'pay-refund-550', to: 'bertil@nowhere.invalid' })));
    expect(refused).toMatchObject({ type: 'InvalidRecipient', nonRetryable: true });
    expect((refused as Error).message).not.toContain('bertil@');
  });

  it('fails retryably (a plain Error) on a temporary refusal, naming the refund e-mail', async () => {
    const busy = await startInbox({ rejectRecipient: () => ({ code: 451, message: '4.3.0 Mailbox temporarily unavailable' }) });
    const sender = createMailActivities({ smtpUrl: busy.smtpUrl, from: 'receipts@localhost' });
    try {
      const err = await caught(sender.sendRefundEmail(refund({ paymentId: 'pay-refund-451' })));
      expect(err).not.toBeInstanceOf(ApplicationFailure);
      expect(err).toMatchObject({ responseCode: 451 });
      expect((err as Error).message).toMatch(/^Sending the refund e-mail failed/);
    } finally {
      sender.close();
      await busy.stop();
    }
  });

  it('fails non-retryably on input no retry can fix', async () => {
    for (const bad of [{ currency: 'kronor' }, { refundedAt: 'yesterday' }, { amountMinor: 1.5 }, { merchantName: ' ' }, { paymentId: '' }]) {
      const err = await caught(mail.sendRefundEmail(refund({ paymentId: 'pay-refund-bad-input', ...bad })));
      expect(err).toMatchObject({ type: 'InvalidRefundInput', nonRetryable: true });
    }
  });
});
