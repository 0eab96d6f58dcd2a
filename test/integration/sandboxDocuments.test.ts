import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createLink, createOrder, initiateBody, startSandbox, type RunningSandbox } from '../helpers/sandbox';

const run = promisify(execFile);
const LINKS = '/payment_links/api/v1/payment_links';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('sandbox: invoice and receipt PDFs', () => {
  let sb: RunningSandbox;
  let dir: string;

  beforeAll(async () => {
    sb = await startSandbox();
    dir = await mkdtemp(path.join(os.tmpdir(), 'sandbox-pdf-'));
  });

  afterAll(async () => {
    await sb?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Downloads a PDF, renders page 1 with pdftoppm and returns the PDF's text (pdftotext). */
  async function renderPdf(url: string, name: string): Promise<string> {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const file = path.join(dir, `${name}.pdf`);
    await writeFile(file, pdf);
    await run('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', file, path.join(dir, name)]);
    const pngs = (await readdir(dir)).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png'));
    expect(pngs).toHaveLength(1);
    const png = await readFile(path.join(dir, pngs[0]!));
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png.length).toBeGreaterThan(1000);
    const { stdout } = await run('pdftotext', ['-layout', file, '-']);
    return stdout;
  }

  it('serves an invoice PDF that renders and shows the OCR reference, amount, due date and items', async () => {
    const { id } = await createLink(sb, { due_date: '2099-06-30', invoice_address: { street_addres: 'Storgatan 1', zip: '70225', city: 'Örebro' } });
    expect((await sb.request('PUT', `${LINKS}/${id}/invoice`, { body: { reference_type: 'OCR' } })).status).toBe(204);
    const invoice = (await sb.request('GET', `${LINKS}/${id}/invoice`)).json();
    const text = await renderPdf(invoice.url, 'invoice');
    expect(text).toContain(invoice.reference);
    expect(text).toContain('165,00 SEK');
    expect(text).toContain('Hawaii Pizza');
    expect(text).toContain('Läsk');
    expect(text).toContain('30 juni 2099');
    expect(text).toContain('Storgatan 1');
    expect(text).toContain('Faktura');
  });

  it('serves a Norwegian KID invoice', async () => {
    const { id } = await createLink(sb, { locale: 'nb-NO' }, 'NOK');
    await sb.request('PUT', `${LINKS}/${id}/invoice`, { body: { reference_type: 'KID' } });
    const invoice = (await sb.request('GET', `${LINKS}/${id}/invoice`)).json();
    const text = await renderPdf(invoice.url, 'kid');
    expect(text).toContain(`KID`);
    expect(text).toContain(invoice.reference);
    expect(text).toContain('NOK');
  });

  it('serves a receipt PDF once paid, with the paid amount, items and payment time', async () => {
    const { id } = await createLink(sb);
    const receiptPath = `/documents/payment-links/${id}/receipt.pdf`;
    expect((await fetch(`${sb.url}${receiptPath}`)).status).toBe(404);
    const paid = (await sb.request('POST', `/_sandbox/payment-links/${id}/pay`, { body: { provider: 'payment_iq', method: 'card' } })).json();
    const receipt = (await sb.request('GET', `${LINKS}/${id}/receipt`)).json();
    expect(receipt.url).toBe(`${sb.url}${receiptPath}`);
    const text = await renderPdf(receipt.url, 'receipt');
    expect(text).toContain('Kvitto');
    expect(text).toContain('165,00 SEK');
    expect(text).toContain('Hawaii Pizza');
    expect(text).toContain(paid.payment.id);
    expect(text).toMatch(/\d{2}:\d{2}/);
  });

  it('serves the deposit invoice of a ping/deposit payment', async () => {
    const orderId = await createOrder(sb);
    const res = await sb.request('POST', `/payments/api/v1/payment_orders/${orderId}/payments`, { body: initiateBody('ping', 'deposit', { reference_type: 'OCR' }) });
    const { provider_method_response: response } = res.json();
    const text = await renderPdf(response.invoice.display_url, 'deposit');
    expect(text).toContain(response.reference);
  });

  it('answers 404 for an invoice that was never created', async () => {
    const { id } = await createLink(sb);
    expect((await fetch(`${sb.url}/documents/payment-links/${id}/invoice.pdf`)).status).toBe(404);
  });
});
