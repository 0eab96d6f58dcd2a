import { chromium, type Browser, type Page } from 'playwright-core';
import { harnessEnv } from '../harnessEnv';
import { linkRequest, startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';
import { startCallbackReceiver, type CallbackReceiver } from '../helpers/sandbox';

/** A payer in the hosted checkout, and a support person in the Temporal Web UI, in a real browser. */
describe('payment link in a browser', () => {
  let stack: PaymentsStack;
  let shop: CallbackReceiver;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    stack = await startPaymentsStack();
    shop = await startCallbackReceiver();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });
  afterEach(() => page?.close());
  afterAll(async () => {
    await browser?.close();
    await shop?.stop();
    await stack?.stop();
  });

  it('is paid by a payer in the hosted checkout and ends completed with a receipt', async () => {
    const created = await stack.call(
      'POST',
      '/v1/payment-links',
      linkRequest({
        payment_methods: [{ provider: 'payment_iq', method: 'card' }],
        success_url: `${shop.url}/shop/paid`,
        cancel_url: `${shop.url}/shop/cancelled`,
        customer: { first_name: 'Bertil', last_name: 'Jönsson', email: 'bertil.browser@example.com' },
      }),
    );
    expect(created.status).toBe(201);

    await page.goto(created.body.checkout_url);
    await expect(page.getByTestId('total').textContent()).resolves.toBe('165,00 SEK');
    await page.getByTestId('pay-payment_iq-card').click();
    await page.waitForURL(`${shop.url}/shop/paid`);

    const done = await stack.waitForPayment(created.body.id, (p) => p.status === 'completed');
    expect(done.events.map((e) => e.type)).toEqual(expect.arrayContaining(['paid', 'receipt_emailed', 'completed']));
    const [receipt] = await stack.inbox.waitForMessages((m) => m.to.includes('bertil.browser@example.com'));
    expect(receipt!.text).toContain('165');
  });

  it('is found by merchant reference in the Temporal Web UI, with its summary and where it stands', async () => {
    const reference = `support-${Date.now()}`;
    const dueAt = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const created = await stack.call('POST', '/v1/payment-links', linkRequest({ merchant_reference: reference, due_at: dueAt, distribution: { sms: true } }));
    await stack.waitForPayment(created.body.id, (p) => p.distribution.sms);

    const ui = harnessEnv().temporalUiUrl;
    await page.goto(`${ui}/namespaces/default/workflows?query=${encodeURIComponent(`MerchantReference="${reference}"`)}`);
    const row = page.getByRole('link', { name: created.body.id });
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    await page.getByTestId('user-metadata-tab').click();

    const summary = `Payment link · 165.00 SEK · ${reference}`;
    const rendered = page.locator('iframe[title="output"]');
    await rendered.first().waitFor();
    const srcs = await rendered.evaluateAll((frames) => frames.map((f) => decodeURIComponent(new URL(f.getAttribute('src') ?? '', 'http://ui.invalid').searchParams.get('content') ?? '')));
    expect(srcs).toContain(summary);
    expect(srcs.some((s) => s.includes('**Merchant reference:** ' + reference))).toBe(true);
    expect(srcs).toContain(`Awaiting payment, due ${dueAt.slice(0, 10)} ${dueAt.slice(11, 16)} UTC; Ping: CREATED; SMS sent`);
    // The summary is really drawn on the page, not only carried in a URL.
    await expect(page.frameLocator('iframe[title="output"]').first().getByText(summary).isVisible()).resolves.toBe(true);
    await expect(page.getByText('Create payment link at Ping').first().isVisible()).resolves.toBe(true);

    await stack.call('POST', `/v1/payments/${created.body.id}/cancel`);
  });
});
