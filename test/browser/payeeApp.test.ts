import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { chromium, devices, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { PaymentResource } from '../../domain/payment';
import { approvedMerchant, asMerchant, type PayeeAppMerchant } from '../helpers/payeeAppMerchants';
import { startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

// axe-core's source, injected with page.evaluate: the app's CSP would block an added <script> tag (as it should).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AXE_SOURCE: string = require('axe-core').source;

/** Text as a person reads it: Intl puts no-break spaces in "140,00 kr". */
const readable = (text: string | null) => (text ?? '').replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();

/**
 * Issue 17, done when: a seller on a phone signs in with a merchant key, makes a sale of two items,
 * shows the payer a QR code (decoded here: it is the payment's checkout URL), the payer pays it in
 * the sandbox's hosted checkout on another page, and the seller's screen says "Paid" within 2 s
 * without a reload; then the sale is refunded from the day's list. Every screen is checked with
 * axe-core and photographed into a folder named in the output.
 */
describe('the payee app on a phone', () => {
  let stack: PaymentsStack;
  let merchant: PayeeAppMerchant;
  let browser: Browser;
  let seller: BrowserContext;
  let payer: BrowserContext;
  let page: Page;
  let shots: string;
  let shotCount = 0;
  const problems: string[] = [];

  beforeAll(async () => {
    // Settlement held for a minute, so the paid sale can still be refunded.
    stack = await startPaymentsStack({ money: { settlementHoldMs: 60_000, latePaymentWindowMs: 1000 } });
    merchant = await approvedMerchant(stack, { name: 'Bertils torgstånd', orgNumber: '5591235378' });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    shots = path.join(os.tmpdir(), `payee-app-${Date.now()}`);
    mkdirSync(shots, { recursive: true });
    console.log(`payee app: screenshots of each step in ${shots}`);
  }, 60_000);
  afterAll(async () => {
    await seller?.close();
    await payer?.close();
    await browser?.close();
    await stack?.stop();
  });

  const shot = async (name: string, target: Page = page) => {
    shotCount += 1;
    await target.screenshot({ path: path.join(shots, `${String(shotCount).padStart(2, '0')}-${name}.png`) });
  };

  /** axe-core on the page as it stands: no violation of impact serious or critical. */
  const accessible = async (name: string) => {
    await page.evaluate(AXE_SOURCE);
    const result = (await page.evaluate(`(async () => {
      const answer = await axe.run(document, { resultTypes: ['violations'] });
      return { passes: answer.passes.length, violations: answer.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) })) };
    })()`)) as { passes: number; violations: Array<{ id: string; impact: string | null; help: string; nodes: string[] }> };
    expect(result.passes).toBeGreaterThan(0); // axe ran its rules on the page
    expect([name, result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')]).toEqual([name, []]);
  };

  const statusText = async () => readable(await page.getByTestId('status').textContent());

  it('signs in, sells two items, shows the QR code, sees it paid live, and refunds it from the day\'s list', async () => {
    // A phone profile at the smallest screen, 360×640, Swedish.
    seller = await browser.newContext({ ...devices['Pixel 5'], viewport: { width: 360, height: 640 }, locale: 'sv-SE' });
    page = await seller.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} for ${r.url()}`);
    });
    const app = `${stack.api.url}/app`;

    // --- Sign in -----------------------------------------------------------------------------
    await page.goto(app);
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('sv');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Logga in');
    await expect(page.locator('#key').getAttribute('type')).resolves.toBe('password');
    await accessible('sign-in');
    await shot('sign-in');
    await page.getByLabel('API-nyckel').fill(merchant.key);
    await page.getByTestId('sign-in').click();
    await page.waitForURL(app);
    // The first screen renders in under a second on the dev stack (the bar): the new-sale
    // screen opened afresh (a read of the merchant through the API), as the browser timed it.
    await page.goto(app);
    const loadMs = (await page.evaluate(`(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return nav.domContentLoadedEventEnd - nav.startTime;
    })()`)) as number;
    console.log(`payee app: the new-sale screen loaded in ${Math.round(loadMs)} ms`);
    expect(loadMs).toBeLessThan(1000);
    // The key is in no storage the page can reach.
    const storage = (await page.evaluate(`({ local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage), cookies: document.cookie, html: document.documentElement.outerHTML })`)) as Record<string, string>;
    for (const [where, value] of Object.entries(storage)) expect([where, value.includes(merchant.key.slice(-32))]).toEqual([where, false]);
    expect(storage.cookies).toBe(''); // the session cookie is HttpOnly

    // --- New sale: two items, the live total --------------------------------------------------
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Ny försäljning');
    await page.locator('#description-0').fill('Kaffe');
    await page.locator('#price-0').fill('35');
    await page.locator('#quantity-0').fill('2');
    await page.locator('#vat-0').selectOption('12');
    await expect(readable(await page.getByTestId('total').textContent())).toBe('70,00 kr');
    await page.getByTestId('add-item').click();
    // Added in place by the script (no round trip): the new row is there and has the focus.
    await expect(page.evaluate('document.activeElement && document.activeElement.id')).resolves.toBe('description-1');
    expect(new URL(page.url()).pathname).toBe('/app');
    await page.locator('#description-1').fill('Kanelbulle');
    await page.locator('#price-1').fill('70,00');
    await page.locator('#vat-1').selectOption('12');
    await expect(page.locator('[data-item] legend').allTextContents()).resolves.toEqual(['Vara 1', 'Vara 2']);
    expect(readable(await page.getByTestId('total').textContent())).toBe('140,00 kr');
    await expect(page.locator('#method option').allTextContents()).resolves.toEqual(['Kort']);
    const reference = `stall-${Date.now()}`;
    await page.getByLabel('Mobilnummer').fill('0701234567');
    await page.getByLabel('Referens (valfritt)').fill(reference);
    await accessible('new sale');
    await shot('new-sale');

    // --- Charge: the sale screen and its QR code ----------------------------------------------
    await page.getByTestId('charge').click();
    await page.waitForURL(/\/app\/sales\/payment-link-/);
    const paymentId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    expect(paymentId).toMatch(new RegExp(`^payment-link-${merchant.id}\\.app-[a-z2-7]{32}$`));
    const api = asMerchant(stack, merchant);
    const created = (await api('GET', `/v1/payments/${paymentId}`)).body as PaymentResource;
    expect(created).toMatchObject({ status: 'awaiting_payment', amount: 14000, currency: 'SEK', merchant_reference: reference });
    await expect(readable(await page.getByTestId('amount').textContent())).toBe('140,00 kr');
    await expect(statusText()).resolves.toBe('Väntar på betalning');

    const qr = page.getByTestId('qr').locator('svg');
    const box = (await qr.boundingBox())!;
    expect(box.width).toBeGreaterThan(360 * 0.8); // fills the width of the phone
    const png = PNG.sync.read(await qr.screenshot());
    const decoded = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
    expect(decoded?.data).toBe(created.checkout_url);
    await accessible('sale, awaiting payment');
    await shot('sale-qr');

    // --- The payer pays on another page; the seller's screen turns without a reload ------------
    // Marks the page (a reload would lose it) and notes the moment the status area first says "Betald".
    await page.evaluate(`(() => {
      window.notReloaded = true;
      const status = document.querySelector('[data-testid="status"]');
      new MutationObserver(() => {
        if (window.paidSeenAt === undefined && status.textContent.includes('Betald')) window.paidSeenAt = Date.now();
      }).observe(status, { childList: true, characterData: true, subtree: true });
    })()`);
    payer = await browser.newContext({ ...devices['Pixel 5'], locale: 'sv-SE' });
    const checkout = await payer.newPage();
    await checkout.goto(decoded!.data);
    await expect(checkout.getByTestId('total').textContent()).resolves.toBe('140,00 SEK');
    await shot('payer-checkout', checkout);

    // When the API first shows it paid: reads every 25 ms that do not wait for each other (a read is a
    // workflow query, and one now and then waits a second or more while the next answers at once).
    let apiPaidAt: number | undefined;
    const watchApi = (async () => {
      const deadline = Date.now() + 20_000;
      while (apiPaidAt === undefined && Date.now() < deadline) {
        void api('GET', `/v1/payments/${paymentId}`).then(({ body }: { body: PaymentResource }) => {
          if ((body.status === 'paid' || body.status === 'completed') && apiPaidAt === undefined) apiPaidAt = Date.now();
        });
        await new Promise((r) => setTimeout(r, 25));
      }
      if (apiPaidAt === undefined) throw new Error('the API never showed the payment paid');
    })();
    const clickedAt = Date.now();
    await checkout.getByTestId('pay-payment_iq-card').click();
    await page.getByTestId('status').filter({ hasText: 'Betald' }).waitFor({ timeout: 10_000 });
    await watchApi;
    const screenPaidAt = (await page.evaluate('window.paidSeenAt')) as number;
    expect(screenPaidAt).toBeGreaterThan(clickedAt);
    console.log(`payee app: "Betald" on the seller's screen ${screenPaidAt - apiPaidAt!} ms after the API first showed it paid (${screenPaidAt - clickedAt} ms after the payer's click)`);
    expect(screenPaidAt - apiPaidAt!).toBeLessThan(2000);
    await expect(statusText()).resolves.toBe('Betald ✓ 140,00 kr');
    await expect(page.evaluate('window.notReloaded')).resolves.toBe(true);
    // What no longer applies is gone, refund is offered.
    await expect(page.getByTestId('qr').isVisible()).resolves.toBe(false);
    await expect(page.getByTestId('refund').isVisible()).resolves.toBe(true);
    await accessible('sale, paid');
    await shot('sale-paid');

    // --- Today's sales: the sale, its status, the day's total -----------------------------------
    await page.getByRole('link', { name: 'Dagens försäljning' }).click();
    await page.waitForURL(`${app}/sales`);
    const row = page.locator(`[data-payment-id="${paymentId}"]`);
    // Visibility (the list) follows a payment by a second or so.
    for (let i = 0; i < 50 && !(await row.isVisible() && (await row.getByTestId('row-status').textContent()) === 'Betald'); i += 1) {
      await page.waitForTimeout(200);
      await page.reload();
    }
    await expect(row.getByTestId('row-status').textContent()).resolves.toBe('Betald');
    expect(readable(await row.textContent())).toContain('140,00 kr');
    expect(readable(await row.textContent())).toContain(reference);
    expect(readable(await page.getByTestId('day-total').textContent())).toContain('140,00 kr');
    await accessible("today's sales");
    await shot('sales-today');
    // Searching by the reference finds exactly this sale.
    await page.getByLabel('Sök på referens').fill(reference);
    await page.getByRole('button', { name: 'Sök' }).click();
    await page.waitForURL(/reference=/);
    await expect(page.getByTestId('sale-row').count()).resolves.toBe(1);
    await shot('sales-search');

    // --- The sale's detail: refund it ---------------------------------------------------------
    await page.locator(`[data-payment-id="${paymentId}"]`).click();
    await page.waitForURL(/\/app\/sales\/payment-link-/);
    await expect(statusText()).resolves.toBe('Betald ✓ 140,00 kr');
    await page.getByTestId('receipt').waitFor({ state: 'visible', timeout: 10_000 });
    await accessible('sale detail');
    await shot('sale-detail');
    await page.getByTestId('refund').click();
    await page.waitForURL(/\/app\/sales\/payment-link-/);
    await page.getByTestId('status').filter({ hasText: 'Återbetald' }).waitFor({ timeout: 15_000 });
    await expect(statusText()).resolves.toBe('Återbetald');
    await expect(page.getByTestId('refund').isVisible()).resolves.toBe(false);
    expect((await api('GET', `/v1/payments/${paymentId}`)).body).toMatchObject({ status: 'refunded', refund: { status: 'succeeded', reason: 'requested_by_customer' } });
    await accessible('sale refunded');
    await shot('sale-refunded');

    // --- English, once ------------------------------------------------------------------------
    await page.getByTestId('language').click();
    await page.waitForURL(/\/app\/sales\/payment-link-/);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sale');
    await expect(statusText()).resolves.toBe('Refunded');
    await expect(page.getByRole('link', { name: "Today's sales" }).isVisible()).resolves.toBe(true);
    await accessible('sale in English');
    await shot('sale-english');
    await page.getByRole('link', { name: 'New sale' }).click();
    await page.waitForURL(app);
    expect(readable(await page.getByTestId('total').textContent())).toBe('SEK 0.00');
    await shot('new-sale-english');

    // --- Sign out -------------------------------------------------------------------------------
    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/app\/sign-in/);
    await expect(page.getByTestId('sign-in-message').textContent()).resolves.toBe('You are signed out.');
    await page.goto(`${app}/sales`);
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');

    // No CSP violation, script error or console error on any screen.
    expect(problems).toEqual([]);
  }, 120_000);

  it('speaks Swedish to a Swedish browser and English to everyone else, until the seller switches', async () => {
    for (const [acceptLanguage, lang, heading] of [
      ['sv-SE,sv;q=0.9,en;q=0.8', 'sv', 'Logga in'],
      ['sv', 'sv', 'Logga in'],
      ['en-GB,en;q=0.9,sv;q=0.8', 'en', 'Sign in'],
      ['nb-NO,nb;q=0.9', 'en', 'Sign in'],
      ['de;q=0.5,sv-FI;q=0.9', 'sv', 'Logga in'],
      ['', 'en', 'Sign in'],
    ]) {
      const res = await fetch(`${stack.api.url}/app/sign-in`, { headers: acceptLanguage ? { 'accept-language': acceptLanguage } : {} });
      const body = await res.text();
      expect([acceptLanguage, /<html lang="(\w+)"/.exec(body)?.[1], /<h1>([^<]*)<\/h1>/.exec(body)?.[1]]).toEqual([acceptLanguage, lang, heading]);
    }
    // The app_lang cookie (set by the switch) wins over the browser.
    const chosen = await fetch(`${stack.api.url}/app/sign-in`, { headers: { 'accept-language': 'sv-SE', cookie: 'app_lang=en' } });
    expect(/<html lang="(\w+)"/.exec(await chosen.text())?.[1]).toBe('en');
  });

  it('works without JavaScript: "Add item" posts the form back, and the sale screen offers a refresh', async () => {
    const context = await browser.newContext({ ...devices['Pixel 5'], viewport: { width: 360, height: 640 }, locale: 'sv-SE', javaScriptEnabled: false });
    try {
      page = await context.newPage();
      const app = `${stack.api.url}/app`;
      await page.goto(app);
      await page.getByLabel('API-nyckel').fill(merchant.key);
      await page.getByTestId('sign-in').click();
      await page.waitForURL(app);
      await page.locator('#description-0').fill('Tidning');
      await page.locator('#price-0').fill('49,50');
      await page.getByTestId('add-item').click();
      // The server drew the form again, with what was typed, one more row, and the total so far.
      await page.locator('#description-1').waitFor();
      await expect(page.locator('#description-0').inputValue()).resolves.toBe('Tidning');
      expect(readable(await page.getByTestId('total').textContent())).toBe('49,50 kr');
      await page.locator('#description-1').fill('Kaffe');
      await page.locator('#price-1').fill('25');
      // (axe needs scripts; the same page with its script is checked above.)
      await shot('no-js-new-sale');
      await page.getByTestId('charge').click();
      await page.waitForURL(/\/app\/sales\/payment-link-/);
      const paymentId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
      await expect(readable(await page.getByTestId('amount').textContent())).toBe('74,50 kr');
      await expect(page.getByTestId('refresh').isVisible()).resolves.toBe(true);
      const payment = (await asMerchant(stack, merchant)('GET', `/v1/payments/${paymentId}`)).body as PaymentResource;
      await stack.control('POST', `/payment-links/${payment.ping_payment_link_id}/pay`, {});
      await stack.waitForPayment(paymentId, (p) => p.status === 'paid' || p.status === 'completed');
      await page.getByTestId('refresh').click();
      await expect(statusText()).resolves.toBe('Betald ✓ 74,50 kr');
      await expect(page.getByTestId('qr').isVisible()).resolves.toBe(false);
      await shot('no-js-paid');
    } finally {
      await context.close();
    }
  }, 60_000);
});
