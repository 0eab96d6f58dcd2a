import { createLink, createOrder, initiateBody, pisParameters, startSandbox, type RunningSandbox } from '../helpers/sandbox';

/** The hosted pages over plain HTTP (forms posted without a browser); the browser tests drive them for real. */
describe('sandbox: hosted checkout and bank pages', () => {
  let sb: RunningSandbox;

  beforeAll(async () => {
    sb = await startSandbox();
  });

  afterAll(async () => {
    await sb?.stop();
  });

  const form = (url: string, fields: Record<string, string>) =>
    fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });

  it('shows supplier, items, total and the pre-filled customer, escaping user data, and may be framed', async () => {
    const { checkoutUrl } = await createLink(sb, {
      supplier: { name: '<script>alert("x")</script> AB' },
      customer: { first_name: '"><img src=x onerror=alert(1)>', last_name: 'Jönsson', email: 'b@example.com' },
    });
    const res = await fetch(checkoutUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-frame-options')).toBeNull();
    expect(res.headers.get('content-security-policy')).toContain('frame-ancestors *');
    const page = await res.text();
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; AB');
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
    expect(page).toContain('165,00 SEK');
    expect(page).toContain('Hawaii Pizza');
    expect(page).toContain('data-testid="pay-swish-m_commerce"');
    expect(page).toContain('data-testid="pay-payment_iq-card"');
  });

  it('pays through the form (303 to the success URL) and refuses an unoffered method', async () => {
    const { id, checkoutUrl } = await createLink(sb);
    const fields = { first_name: 'Bertil', last_name: 'Jönsson', email: 'fixed@example.com', phone: '0700000001' };
    expect((await form(`${checkoutUrl}/pay`, { ...fields, method: 'klarna:hpp' })).status).toBe(400);
    expect((await form(`${checkoutUrl}/pay`, { ...fields, last_name: '', method: 'payment_iq:card' })).status).toBe(422);
    const paid = await form(`${checkoutUrl}/pay`, { ...fields, method: 'payment_iq:card' });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe('https://shop.example/ok');
    const link = (await sb.request('GET', `/payment_links/api/v1/payment_links/${id}`)).json();
    expect(link).toEqual(expect.objectContaining({ status: 'COMPLETED', payment_id: expect.any(String) }));
    expect(link.customer).toEqual(expect.objectContaining({ email: 'fixed@example.com', phone: '0700000001' }));
    const again = await fetch(checkoutUrl);
    expect(await again.text()).toContain('data-status="COMPLETED"');
  });

  it('sends a payer who cancels to the cancel URL and keeps the link payable', async () => {
    const { id, checkoutUrl } = await createLink(sb);
    const res = await form(`${checkoutUrl}/cancel`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('https://shop.example/cancel');
    expect((await sb.request('GET', `/payment_links/api/v1/payment_links/${id}`)).json().status).toBe('CREATED');
  });

  it('walks the PIS bank page over HTTP: bank → PENDING, BankID QR, approve → COMPLETED at the success URL', async () => {
    const orderId = await createOrder(sb);
    const { id, provider_method_response: response } = (
      await sb.request('POST', `/payments/api/v1/payment_orders/${orderId}/payments`, { body: initiateBody('open_payments', 'pis', pisParameters()) })
    ).json();
    const chosen = await form(`${response.url}/bank`, { bank: 'seb' });
    expect(chosen.status).toBe(303);
    expect(chosen.headers.get('location')).toBe(`/checkout/payments/${id}/bankid`);
    const status = async () => (await sb.request('GET', `/payments/api/v1/payment_orders/${orderId}/payments/${id}`)).json().status;
    expect(await status()).toBe('PENDING');
    const bankId = await (await fetch(`${sb.url}/checkout/payments/${id}/bankid`)).text();
    expect(bankId).toContain('data-testid="bankid-qr"><svg');
    const mobile = await (await fetch(`${sb.url}/checkout/payments/${id}/bankid`, { headers: { 'user-agent': 'Mozilla/5.0 (iPhone) Mobile' } })).text();
    expect(mobile).toContain('bankid:///?autostarttoken=');
    expect(mobile).not.toContain('<svg');
    const done = await form(`${sb.url}/checkout/payments/${id}/complete`, { outcome: 'pay' });
    expect(done.headers.get('location')).toBe('https://shop.example/success');
    expect(await status()).toBe('COMPLETED');
    // A finished payment only shows its result.
    expect(await (await fetch(response.url)).text()).toContain('data-testid="payment-status">COMPLETED');
  });

  it.each([
    ['decline', 'DECLINED', 'https://shop.example/error'],
    ['error', 'CRASHED', 'https://shop.example/error'],
    ['cancel', 'ABORTED', 'https://shop.example/cancel'],
  ])('maps the %s outcome to %s and its redirect', async (outcome, expected, location) => {
    const orderId = await createOrder(sb);
    const { id } = (await sb.request('POST', `/payments/api/v1/payment_orders/${orderId}/payments`, { body: initiateBody('open_payments', 'pis', pisParameters()) })).json();
    const res = await form(`${sb.url}/checkout/payments/${id}/complete`, { outcome });
    expect(res.headers.get('location')).toBe(location);
    expect((await sb.request('GET', `/_sandbox/payments/${id}`)).json().status).toBe(expected);
  });

  it('sends a PaymentIQ cancel to its error URL (it has no cancel URL)', async () => {
    const orderId = await createOrder(sb);
    const { provider_method_response: response } = (
      await sb.request('POST', `/payments/api/v1/payment_orders/${orderId}/payments`, {
        body: initiateBody('payment_iq', 'card', { success_url: 'https://a.example/ok', error_url: 'https://a.example/err' }),
      })
    ).json();
    expect(await (await fetch(response.pay_url)).text()).toContain('data-testid="approve"');
    const res = await form(`${response.pay_url}/complete`, { outcome: 'cancel' });
    expect(res.headers.get('location')).toBe('https://a.example/err');
  });

  it('answers 404 pages for unknown links and payments without a hosted page', async () => {
    expect((await fetch(`${sb.url}/checkout/payment-links/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
    const orderId = await createOrder(sb);
    const { id } = (await sb.request('POST', `/payments/api/v1/payment_orders/${orderId}/payments`, { body: initiateBody('dummy', 'dummy', {}) })).json();
    expect((await fetch(`${sb.url}/checkout/payments/${id}`)).status).toBe(404);
  });
});
