import { chromium, type Browser, type Page } from 'playwright-core';
import { pisRequest, startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';
import { startCallbackReceiver, type CallbackReceiver } from '../helpers/sandbox';

/**
 * A payer at the (sandbox) bank: the bank sends the browser to our return URL, which forwards it to the
 * caller's page; the payment's end state comes from Ping's confirmed status.
 */
describe('PIS payment in a browser', () => {
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
    page = await browser.newPage();
  });
  afterEach(() => page?.close());
  afterAll(async () => {
    await browser?.close();
    await shop?.stop();
    await stack?.stop();
  });

  const create = async () => {
    const created = await stack.call(
      'POST',
      '/v1/pis-payments',
      pisRequest({ success_url: `${shop.url}/shop/paid`, cancel_url: `${shop.url}/shop/cancelled`, error_url: `${shop.url}/shop/error` }),
    );
    expect(created.status).toBe(201);
    return created.body as { id: string; checkout_url: string };
  };

  it('payer cancels at the bank: lands on the cancel page, payment cancelled', async () => {
    const payment = await create();
    await page.goto(payment.checkout_url);
    await page.getByTestId('bank-handelsbanken').click();
    await page.locator('[data-testid="bankid-qr"] svg').waitFor({ state: 'visible' });
    await page.getByTestId('cancel').click();
    await page.waitForURL(`${shop.url}/shop/cancelled`);
    await expect(page.getByTestId('landing').textContent()).resolves.toBe('/shop/cancelled');

    const ended = await stack.waitForPayment(payment.id, (p) => p.status === 'cancelled');
    expect(ended.ping_status).toBe('ABORTED');
    expect(ended.events.some((e) => e.type === 'payer_returned' && e.detail === 'cancel')).toBe(true);
  });

  it('bank error: lands on the error page, payment failed', async () => {
    const payment = await create();
    await page.goto(payment.checkout_url);
    await page.getByTestId('bank-nordea').click();
    await page.getByTestId('error').click();
    await page.waitForURL(`${shop.url}/shop/error`);
    const ended = await stack.waitForPayment(payment.id, (p) => p.status === 'failed');
    expect(ended.failure).toMatchObject({ code: 'ping_crashed' });
  });

  it('pays inside the merchant’s iframe and completes with a receipt', async () => {
    const payment = await create();
    await page.goto(`${shop.url}/frame?src=${encodeURIComponent(payment.checkout_url)}`);
    const frame = page.frameLocator('#checkout-frame');
    await frame.getByTestId('bank-seb').click();
    await frame.getByTestId('approve').click();
    await expect(frame.getByTestId('landing').textContent()).resolves.toBe('/shop/paid');
    await stack.waitForPayment(payment.id, (p) => p.status === 'completed');
    const receipts = await stack.inbox.waitForMessages((m) => (m.message_id ?? '').includes(payment.id));
    expect(receipts).toHaveLength(1);
  });
});
