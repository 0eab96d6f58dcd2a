import { chromium, type Browser, type Page } from 'playwright-core';
import { harnessEnv } from '../harnessEnv';
import { uiOrigins } from '../helpers/encryption';
import { linkRequest, startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

/**
 * The codec endpoint as a browser meets it: the Web UI's page calls it cross-origin (preflight, CORS,
 * the API's security headers), pages from elsewhere cannot, and without it the UI cannot show what a
 * payment is about (everything it shows there is encrypted in history).
 */
describe('codec endpoint in a browser', () => {
  let stack: PaymentsStack;
  let browser: Browser;
  let page: Page;
  let paymentId: string;
  let reference: string;

  beforeAll(async () => {
    stack = await startPaymentsStack();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    reference = `codec-${Date.now()}`;
    const created = await stack.call('POST', '/v1/payment-links', linkRequest({ merchant_reference: reference }));
    expect(created.status).toBe(201);
    paymentId = created.body.id;
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });
  afterEach(() => page?.close());
  afterAll(async () => {
    await stack?.call('POST', `/v1/payments/${paymentId}/cancel`);
    await browser?.close();
    await stack?.stop();
  });

  /** The workflow's stored input, sealed, in the codec protocol's JSON. */
  async function storedInput(): Promise<{ metadata: Record<string, string>; data: string }> {
    const history = await stack.client.workflow.getHandle(paymentId).fetchHistory();
    const payload = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    return {
      metadata: Object.fromEntries(Object.entries(payload.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(payload.data!).toString('base64'),
    };
  }

  /** What the Web UI does: a JSON POST with X-Namespace from its own origin, no API key. */
  function callCodecFrom(p: Page, url: string, body: unknown): Promise<{ status: number; text: string } | { error: string }> {
    return p.evaluate(
      async ({ url, body }) => {
        try {
          const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default' }, body: JSON.stringify(body) });
          return { status: res.status, text: await res.text() };
        } catch (err) {
          return { error: String(err) };
        }
      },
      { url, body },
    );
  }

  it('lets a page of the Web UI decode through the API, and no page from another origin', async () => {
    const body = { payloads: [await storedInput()] };
    const ui = harnessEnv().temporalUiUrl;
    expect(uiOrigins(ui)).toContain(new URL(ui).origin);

    await page.goto(ui);
    const fromUi = await callCodecFrom(page, `${stack.api.url}/codec/decode`, body);
    expect(fromUi).toMatchObject({ status: 200 });
    const decoded = JSON.parse((fromUi as { text: string }).text) as { payloads: Array<{ data: string }> };
    expect(Buffer.from(decoded.payloads[0]!.data, 'base64').toString('utf8')).toContain(reference);

    // The sandbox's checkout page stands in for any other web site a support person might have open.
    await page.goto(`${stack.sandbox.url}/_sandbox/`);
    const fromElsewhere = await callCodecFrom(page, `${stack.api.url}/codec/decode`, body);
    expect(fromElsewhere).toEqual({ error: expect.stringMatching(/Failed to fetch/) });
  });

  it('is what shows the payment in the Web UI: without it the summary cannot be read', async () => {
    const { temporalUiUrl, codecUrl } = harnessEnv();
    await page.route(`${codecUrl}/**`, (route) => route.abort());
    await page.goto(`${temporalUiUrl}/namespaces/default/workflows/${paymentId}`);
    await page.getByTestId('user-metadata-tab').click();
    await page.getByText('No summary available').first().waitFor({ timeout: 20_000 });
    await expect(page.getByText('Codec Server could not connect').count()).resolves.toBeGreaterThan(0);
    await expect(page.getByText('Decoding failed').count()).resolves.toBeGreaterThan(0);
    // The summary, details and current details (all naming the merchant reference) are nowhere on the page.
    const rendered = await page.locator('iframe[title="output"]').evaluateAll((frames) => frames.map((f) => f.getAttribute('src') ?? ''));
    expect(rendered.join('\n')).not.toContain(encodeURIComponent(reference));
    await expect(page.getByText('Payment link ·').count()).resolves.toBe(0);
  });
});
