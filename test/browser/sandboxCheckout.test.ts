import { chromium, type Browser, type Page } from 'playwright-core';
import {
  createLink,
  createOrder,
  initiateBody,
  startCallbackReceiver,
  startSandbox,
  waitFor,
  type CallbackReceiver,
  type RunningSandbox,
} from '../helpers/sandbox';

/** A person in a real browser on the sandbox's hosted pages. */
describe('sandbox: hosted pages in a browser', () => {
  let sb: RunningSandbox;
  let receiver: CallbackReceiver;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    sb = await startSandbox();
    receiver = await startCallbackReceiver();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  beforeEach(async () => {
    page = await browser.newPage();
  });

  afterEach(async () => {
    await page?.close();
  });

  afterAll(async () => {
    await browser?.close();
    await sb?.stop();
    await receiver?.stop();
  });

  it('pays a payment link in the checkout after correcting a customer field', async () => {
    const { id, checkoutUrl } = await createLink(sb, {
      payment_link_status_callback_url: `${receiver.url}/webhooks/link`,
      checkout_success_url: `${receiver.url}/shop/paid`,
      checkout_cancel_url: `${receiver.url}/shop/cancelled`,
    });

    await page.goto(checkoutUrl);
    await expect(page.getByTestId('supplier-name').textContent()).resolves.toBe('Pizzeria AB');
    await expect(page.getByTestId('total').textContent()).resolves.toBe('165,00 SEK');
    await expect(page.getByTestId('item').count()).resolves.toBe(2);
    await expect(page.locator('#customer-email').inputValue()).resolves.toBe('bertil@example.com');

    await page.locator('#customer-email').fill('bertil.jonsson@example.org');
    await page.getByTestId('pay-payment_iq-card').click();
    await page.waitForURL(`${receiver.url}/shop/paid`);
    await expect(page.getByTestId('landing').textContent()).resolves.toBe('/shop/paid');

    const callback = await waitFor(() => receiver.received.find((c) => c.body.payment_link_id === id), 5000, 'the link callback');
    expect(callback.path).toBe('/webhooks/link');
    expect(callback.body).toEqual({ payment_link_id: id, status: 'COMPLETED', occured_at: expect.any(String) });

    const link = (await sb.request('GET', `/payment_links/api/v1/payment_links/${id}`)).json();
    expect(link.status).toBe('COMPLETED');
    expect(link.customer.email).toBe('bertil.jonsson@example.org');
    const payment = (await sb.request('GET', `/payments/api/v1/payment_orders/${link.payment_order_id}/payments/${link.payment_id}`)).json();
    expect(payment).toEqual(expect.objectContaining({ status: 'COMPLETED', provider: 'payment_iq', method: 'card' }));
  });

  it('walks the PIS bank page: choose a bank, see the BankID QR code, cancel, land on the cancel URL', async () => {
    const orderId = await createOrder(sb);
    const shop = `${receiver.url}/shop`;
    const res = await sb.request('POST', `/payments/api/v1/payment_orders/${orderId}/payments`, {
      body: initiateBody(
        'open_payments',
        'pis',
        { success_url: `${shop}/success`, error_url: `${shop}/error`, cancel_url: `${shop}/cancel`, reference: 'order-77' },
        { status_callback_url: `${receiver.url}/webhooks/payment` },
      ),
    });
    const { id, provider_method_response: response } = res.json();

    await page.goto(response.url);
    await page.getByTestId('bank-handelsbanken').click();
    await page.waitForURL(`${sb.url}/checkout/payments/${id}/bankid`);
    await expect(page.locator('h1').textContent()).resolves.toContain('Handelsbanken');
    const qr = page.locator('[data-testid="bankid-qr"] svg');
    await qr.waitFor({ state: 'visible' });
    const box = await qr.boundingBox();
    expect(box?.width).toBeGreaterThan(100);

    await page.getByTestId('cancel').click();
    await page.waitForURL(`${shop}/cancel`);

    const payment = (await sb.request('GET', `/payments/api/v1/payment_orders/${orderId}/payments/${id}`)).json();
    expect(payment.status).toBe('ABORTED');
    expect(payment.status_history.map((h: { status: string }) => h.status)).toEqual(['INITIATED', 'PENDING', 'ABORTED']);
    await waitFor(() => receiver.received.filter((c) => c.body.payment_id === id).length === 2, 5000, 'PENDING and ABORTED callbacks');
    expect(receiver.received.filter((c) => c.body.payment_id === id).map((c) => c.body.status)).toEqual(['PENDING', 'ABORTED']);
  });

  it('works inside a merchant iframe and redirects within it on approval', async () => {
    const orderId = await createOrder(sb);
    const shop = `${receiver.url}/shop`;
    const { id, provider_method_response: response } = (
      await sb.request('POST', `/payments/api/v1/payment_orders/${orderId}/payments`, {
        body: initiateBody('open_payments', 'pis', { success_url: `${shop}/success`, error_url: `${shop}/error`, cancel_url: `${shop}/cancel`, reference: 'r' }),
      })
    ).json();

    await page.goto(`${receiver.url}/frame?src=${encodeURIComponent(response.url)}`);
    const frame = page.frameLocator('#checkout-frame');
    await frame.getByTestId('bank-nordea').click();
    await frame.getByTestId('approve').click();
    await expect(frame.getByTestId('landing').textContent()).resolves.toBe('/shop/success');
    expect((await sb.request('GET', `/_sandbox/payments/${id}`)).json().status).toBe('COMPLETED');
  });
});
