import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { createPayeeApp } from '../../app';
import { createLogger } from '../../common/logger';
import { PayeeAppClient, csrfOf, hiddenField, type RecordedResponse } from '../helpers/payeeAppClient';
import { approvedMerchant, asMerchant, type PayeeAppMerchant } from '../helpers/payeeAppMerchants';
import { startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

/**
 * Issue 17, the payee app's security (docs/payee-app.md): the session cookie, CSRF, the merchant key
 * never reaching the browser, merchant isolation through the app, sign-out, the CSP, and the sale
 * screen's script budget. On the real stack: the app calls the real API, which calls Temporal and
 * the Ping sandbox.
 */

const EXPECTED_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The attributes of one Set-Cookie header, lower-cased names; the first pair is `name=value`. */
function cookieAttributes(header: string): { name: string; value: string; attrs: Map<string, string> } {
  const [pair = '', ...rest] = header.split(';').map((p) => p.trim());
  const eq = pair.indexOf('=');
  const attrs = new Map(rest.map((a) => [a.split('=')[0]!.toLowerCase(), a.includes('=') ? a.slice(a.indexOf('=') + 1) : '']));
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attrs };
}

/** A sale's form fields as the new-sale page posts them, with the page's own tokens. */
function saleForm(page: string, overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    _csrf: csrfOf(page),
    sale_key: hiddenField(page, 'sale_key'),
    started_at: hiddenField(page, 'started_at'),
    description: ['Kaffe', 'Bulle'],
    price: ['35', '70'],
    quantity: ['2', '1'],
    vat: ['12', '12'],
    method: 'payment_iq:card',
    phone: '0701234567',
    email: '',
    reference: `sec-${Math.random().toString(36).slice(2, 10)}`,
    action: 'charge',
    ...overrides,
  };
}

describe('payee app security', () => {
  let stack: PaymentsStack;
  let a: PayeeAppMerchant;
  let b: PayeeAppMerchant;

  beforeAll(async () => {
    // Settlement held for a minute, so a paid sale can still be refunded.
    stack = await startPaymentsStack({ money: { settlementHoldMs: 60_000, latePaymentWindowMs: 1000 } });
    [a, b] = await Promise.all([approvedMerchant(stack, { name: 'Kaffestugan A', orgNumber: '5591235378' }), approvedMerchant(stack, { name: 'Bageriet B', orgNumber: '5560360793' })]);
  }, 60_000);
  afterAll(() => stack?.stop());

  /** A client signed in as the merchant, through the form, as a browser does. */
  async function signedIn(merchant: PayeeAppMerchant): Promise<PayeeAppClient> {
    const client = new PayeeAppClient(stack.api.url);
    const form = await client.get('/app/sign-in');
    expect(form.status).toBe(200);
    const signIn = await client.post('/app/sign-in', { _csrf: csrfOf(form.body), key: merchant.key });
    expect([signIn.status, signIn.location]).toEqual([303, '/app']);
    return client;
  }

  describe('the session cookie', () => {
    it('is HttpOnly, SameSite=Strict and Path=/app, and not Secure on plain http even with a forged X-Forwarded-Proto', async () => {
      const client = new PayeeAppClient(stack.api.url);
      // The API trusts no proxy (docs/http-api.md), so X-Forwarded-Proto is the client's word and changes nothing.
      const page = await client.get('/app/sign-in', { 'x-forwarded-proto': 'https' });
      expect(page.status).toBe(200);
      const [preSession] = page.setCookies.map(cookieAttributes).filter((c) => c.name === 'app_session');
      expect(preSession).toBeDefined();
      for (const cookie of [preSession!]) {
        expect(cookie.attrs.has('httponly')).toBe(true);
        expect(cookie.attrs.get('samesite')).toBe('Strict');
        expect(cookie.attrs.get('path')).toBe('/app');
        expect(cookie.attrs.has('secure')).toBe(false);
        expect(cookie.attrs.has('domain')).toBe(false);
        expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
      }

      // Signing in rotates the id: the pre-session's cookie is not the signed-in one, and no longer opens anything.
      const signIn = await client.post('/app/sign-in', { _csrf: csrfOf(page.body), key: a.key });
      expect(signIn.status).toBe(303);
      const [session] = signIn.setCookies.map(cookieAttributes).filter((c) => c.name === 'app_session');
      expect(session).toBeDefined();
      expect(session!.value).not.toBe(preSession!.value);
      expect([session!.attrs.has('httponly'), session!.attrs.get('samesite'), session!.attrs.get('path'), session!.attrs.has('secure')]).toEqual([true, 'Strict', '/app', false]);
      const withOldId = await fetch(`${stack.api.url}/app`, { headers: { cookie: `app_session=${preSession!.value}` }, redirect: 'manual' });
      expect([withOldId.status, withOldId.headers.get('location')]).toEqual([303, '/app/sign-in']);
      expect((await client.get('/app')).status).toBe(200);
    });

    it('is Secure when the request came over https through a proxy the app is told to trust', async () => {
      // As behind a TLS-terminating proxy on this host: express's trust proxy, which req.secure follows.
      const outer = express();
      outer.set('trust proxy', 'loopback');
      outer.use('/app', createPayeeApp({ logger: createLogger({ name: 'payee-app-test', level: 'silent', format: 'json' }) }));
      const server = http.createServer(outer);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/app/sign-in`;
        const secure = await fetch(url, { headers: { 'x-forwarded-proto': 'https' } });
        const plain = await fetch(url);
        const flags = (res: Response) => cookieAttributes(res.headers.getSetCookie().find((c) => c.startsWith('app_session='))!).attrs;
        expect(flags(secure).has('secure')).toBe(true);
        expect(flags(secure).get('samesite')).toBe('Strict');
        expect(flags(plain).has('secure')).toBe(false);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe('CSRF', () => {
    it('refuses a sale posted without the token, with a wrong one, or with another session\'s, and creates nothing', async () => {
      const client = await signedIn(a);
      const other = await signedIn(a);
      const page = await client.get('/app');
      expect(page.status).toBe(200);
      const otherToken = csrfOf((await other.get('/app')).body);
      expect(otherToken).not.toBe(csrfOf(page.body));
      const form = saleForm(page.body);
      const { _csrf: token, ...withoutToken } = form;
      const attempts: Array<[string, Record<string, string | string[]>]> = [
        ['no token', withoutToken],
        ['an empty token', { ...withoutToken, _csrf: '' }],
        ['a wrong token', { ...withoutToken, _csrf: `${String(token).slice(0, -2)}xx` }],
        ["another session's token", { ...withoutToken, _csrf: otherToken }],
      ];
      for (const [what, body] of attempts) {
        const refused = await client.post('/app/sales', body);
        expect([what, refused.status]).toEqual([what, 403]);
        expect(refused.body).toContain('csrf_token_invalid');
        expect(refused.headers.find(([n]) => n === 'content-type')?.[1]).toMatch(/^text\/html/);
      }
      // The same form as JSON carries no form token either.
      const json = await client.request('POST', '/app/sales', { body: JSON.stringify(form), headers: { 'content-type': 'application/json' } });
      expect(json.status).toBe(403);

      // Nothing was created: the payment this sale key would make does not exist, and the list has none with the reference.
      const paymentId = `payment-link-${a.id}.app-${String(form.sale_key)}`;
      const api = asMerchant(stack, a);
      expect((await api('GET', `/v1/payments/${paymentId}`)).status).toBe(404);

      // The same form with its token is a sale (so the checks above could have failed).
      const made = await client.post('/app/sales', form);
      expect([made.status, made.location]).toEqual([303, `/app/sales/${encodeURIComponent(paymentId)}`]);
      expect((await api('GET', `/v1/payments/${paymentId}`)).body).toMatchObject({ status: 'awaiting_payment', amount: 14000 });
      const listed = async (reference: string) => (await api('GET', `/v1/payments?merchant_reference=${reference}`)).body.data as unknown[];
      const deadline = Date.now() + 10_000;
      while ((await listed(String(form.reference))).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await listed(String(form.reference))).toHaveLength(1);
      await api('POST', `/v1/payments/${paymentId}/cancel`, {});
    });

    it('refuses sign-in, sign-out, the language switch, cancel and refund without the token, doing nothing', async () => {
      const anonymous = new PayeeAppClient(stack.api.url);
      await anonymous.get('/app/sign-in');
      const signIn = await anonymous.post('/app/sign-in', { key: a.key });
      expect(signIn.status).toBe(403);
      expect(signIn.setCookies).toEqual([]);
      // A cross-site form has no session cookie at all (SameSite=Strict), so no token can match.
      expect((await new PayeeAppClient(stack.api.url).post('/app/sign-in', { key: a.key, _csrf: 'x' })).status).toBe(403);

      const client = await signedIn(a);
      const made = await client.post('/app/sales', saleForm((await client.get('/app')).body));
      const salePath = made.location!;
      expect(made.status).toBe(303);
      const paymentId = decodeURIComponent(salePath.split('/').pop()!);

      expect((await client.post(`${salePath}/cancel`, {})).status).toBe(403);
      expect((await client.post(`${salePath}/refund`, { _csrf: 'nope' })).status).toBe(403);
      expect((await client.post('/app/language', { lang: 'en', return_to: '/app' })).status).toBe(403);
      expect((await client.post('/app/sign-out', {})).status).toBe(403);
      // Still signed in, still Swedish, and the sale is still waiting.
      const page = await client.get(salePath);
      expect(page.status).toBe(200);
      expect(page.body).toContain('<html lang="sv"');
      expect((await asMerchant(stack, a)('GET', `/v1/payments/${paymentId}`)).body.status).toBe('awaiting_payment');

      // With the token, the cancel is done (the refusals above could have gone through).
      const cancel = await client.post(`${salePath}/cancel`, { _csrf: csrfOf(page.body) });
      expect([cancel.status, cancel.location]).toEqual([303, salePath]);
      expect((await asMerchant(stack, a)('GET', `/v1/payments/${paymentId}`)).body.status).toBe('cancelled');
    });
  });

  it('never puts the merchant key in a page, a script, a URL, a header or a cookie, through a whole sale', async () => {
    const client = new PayeeAppClient(stack.api.url);
    const secretPart = a.key.split('_').pop()!;
    expect(secretPart).toHaveLength(32);

    const signInPage = await client.get('/app/sign-in');
    // A failed attempt does not echo what was typed either.
    const wrong = `${a.key.slice(0, -4)}aaaa`;
    const failed = await client.post('/app/sign-in', { _csrf: csrfOf(signInPage.body), key: wrong });
    expect(failed.status).toBe(401);
    expect(failed.body).not.toContain(wrong.slice(-32));
    await client.post('/app/sign-in', { _csrf: csrfOf(signInPage.body), key: a.key });
    const newSale = await client.get('/app');
    // The no-JS "add item" round trip, then the sale.
    const added = await client.post('/app/sales', { ...saleForm(newSale.body), action: 'add_item' });
    expect(added.status).toBe(200);
    const made = await client.post('/app/sales', saleForm(newSale.body));
    expect(made.status).toBe(303);
    const salePath = made.location!;
    const sale = await client.get(salePath);
    expect(sale.status).toBe(200);
    // The live status: the first event, then the browser goes away.
    const abort = new AbortController();
    const events = await fetch(`${stack.api.url}${salePath}/events`, { headers: { cookie: client.cookieHeader() }, signal: abort.signal });
    const reader = events.body!.getReader();
    let stream = '';
    while (!stream.includes('event: status')) {
      const chunk = await reader.read();
      if (chunk.done) break;
      stream += new TextDecoder().decode(chunk.value);
    }
    expect(stream).toContain('"status":"awaiting_payment"');
    abort.abort();
    client.log.push({ method: 'GET', url: `${salePath}/events`, status: events.status, headers: [...events.headers], body: stream });
    const token = csrfOf(sale.body);
    const sent = await client.post(`${salePath}/send`, { _csrf: token, channel: 'sms', to: '0739998877' });
    expect(sent.status).toBe(303);
    expect((await client.get(salePath)).body).toContain('<p class="flash ok" role="status" data-testid="flash">Länken är skickad.</p>');
    const paymentId = decodeURIComponent(salePath.split('/').pop()!);
    const payment = await asMerchant(stack, a)('GET', `/v1/payments/${paymentId}`);
    await stack.control('POST', `/payment-links/${payment.body.ping_payment_link_id}/pay`, {});
    await stack.waitForPayment(paymentId, (p) => p.status === 'completed');
    expect((await client.get(salePath)).body).toContain('Betald ✓ 140,00\u00a0kr');
    expect((await client.post(`${salePath}/refund`, { _csrf: token })).status).toBe(303);
    expect((await client.get(salePath)).body).toMatch(/Pengarna är återbetalda|Återbetalningen pågår/);
    expect((await client.get('/app/sales')).body).toContain(paymentId);
    expect((await client.get(`/app/sales?reference=${encodeURIComponent(payment.body.merchant_reference)}`)).body).toContain(paymentId);
    for (const src of [...sale.body.matchAll(/(?:src|href)="(\/app\/assets\/[^"]+)"/g)].map((m) => m[1]!)) await client.get(src);
    await client.get('/app/nowhere');
    await client.post('/app/language', { _csrf: token, lang: 'en', return_to: salePath });
    await client.post('/app/sign-out', { _csrf: token });

    const everything = (r: RecordedResponse) => [r.url, String(r.status), ...r.headers.flat(), r.body].join('\n');
    expect(client.log.length).toBeGreaterThan(15);
    expect(client.log.filter((r) => r.url.includes('/app/assets/')).length).toBeGreaterThanOrEqual(2);
    for (const response of client.log) {
      const all = everything(response);
      expect([response.url, all.includes(a.key)]).toEqual([response.url, false]);
      expect([response.url, all.includes(secretPart)]).toEqual([response.url, false]);
    }
    // The search for the key is not vacuous: it is found where it is (the request the test itself sent).
    expect(everything({ method: 'POST', url: '', status: 0, headers: [], body: new URLSearchParams({ key: a.key }).toString() })).toContain(secretPart);
    // And it is in no cookie the browser holds (only the random session id and the language are).
    expect([...client.jar.keys()].sort()).toEqual(['app_lang']);
  });

  it("answers another merchant's sale with the app's 404, on every route, and leaves it alone", async () => {
    const seller = await signedIn(a);
    const form = saleForm((await seller.get('/app')).body);
    const made = await seller.post('/app/sales', form);
    const salePath = made.location!;
    const paymentId = decodeURIComponent(salePath.split('/').pop()!);

    const intruder = await signedIn(b);
    const token = csrfOf((await intruder.get('/app')).body);
    for (const [method, path] of [
      ['GET', salePath],
      ['GET', `${salePath}/events`],
      ['POST', `${salePath}/cancel`],
      ['POST', `${salePath}/refund`],
      ['POST', `${salePath}/send`],
    ] as const) {
      const answer = method === 'GET' ? await intruder.get(path) : await intruder.post(path, { _csrf: token, channel: 'sms' });
      expect([method, path, answer.status]).toEqual([method, path, 404]);
      expect(answer.body).toContain('resource_missing');
      expect(answer.body).not.toContain(String(form.reference));
    }
    const theirList = await intruder.get('/app/sales');
    expect(theirList.status).toBe(200);
    expect(theirList.body).not.toContain(paymentId);
    expect((await intruder.get(`/app/sales?reference=${String(form.reference)}`)).body).toContain('data-testid="no-sales"');
    // The owner still sees it, waiting as before.
    expect((await seller.get(salePath)).status).toBe(200);
    expect((await asMerchant(stack, a)('GET', `/v1/payments/${paymentId}`)).body.status).toBe('awaiting_payment');
    await asMerchant(stack, a)('POST', `/v1/payments/${paymentId}/cancel`, {});
  });

  it('ends the session at sign-out: the old cookie opens nothing', async () => {
    const client = await signedIn(a);
    const page = await client.get('/app/sales');
    expect(page.status).toBe(200);
    const oldCookie = client.cookieHeader();
    const out = await client.post('/app/sign-out', { _csrf: csrfOf(page.body) });
    expect([out.status, out.location]).toEqual([303, '/app/sign-in?signed_out=1']);
    const cleared = out.setCookies.map(cookieAttributes).find((c) => c.name === 'app_session');
    expect(cleared?.value).toBe('');
    expect(cleared?.attrs.get('max-age')).toBe('0');
    for (const path of ['/app', '/app/sales']) {
      const again = await fetch(`${stack.api.url}${path}`, { headers: { cookie: oldCookie }, redirect: 'manual' });
      expect([path, again.status, again.headers.get('location')]).toEqual([path, 303, '/app/sign-in']);
    }
    const post = await fetch(`${stack.api.url}/app/sales`, {
      method: 'POST',
      headers: { cookie: oldCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfOf(page.body) }).toString(),
      redirect: 'manual',
    });
    expect(post.status).toBe(403);
  });

  it('ends the session when the key is revoked', async () => {
    const c = await approvedMerchant(stack, { name: 'Cykelverkstan C', orgNumber: '5567890123' });
    const client = await signedIn(c);
    expect((await client.get('/app/sales')).status).toBe(200);
    expect((await stack.call('DELETE', `/v1/merchants/${c.id}/api-keys/${c.keyId}`)).status).toBe(200);
    const deadline = Date.now() + 5_000;
    let answer;
    do answer = await client.get('/app/sales');
    while (answer.status === 200 && Date.now() < deadline);
    expect([answer.status, answer.location]).toEqual([303, '/app/sign-in?revoked=1']);
    expect((await client.get('/app')).location).toBe('/app/sign-in');
  });

  it('serves every page with the strict CSP and no inline script or style', async () => {
    const client = await signedIn(a);
    const made = await client.post('/app/sales', saleForm((await client.get('/app')).body));
    const pages = ['/app/sign-in', '/app', made.location!, '/app/sales', '/app/nowhere'];
    for (const path of pages) {
      const res = path === '/app/sign-in' ? await new PayeeAppClient(stack.api.url).get(path) : await client.get(path);
      const header = (name: string) => res.headers.find(([n]) => n === name)?.[1];
      expect([path, header('content-security-policy')]).toEqual([path, EXPECTED_CSP]);
      expect(header('content-security-policy')).not.toMatch(/unsafe|\*|http:|https:/);
      expect([path, header('x-frame-options'), header('x-content-type-options'), header('cache-control'), header('referrer-policy')]).toEqual([path, 'DENY', 'nosniff', 'no-store', 'no-referrer']);
      expect(header('x-powered-by')).toBeUndefined();
      expect(res.body).toMatch(/^<!doctype html>/);
      // Nothing inline that the CSP would have to allow: no <script> without src, no <style>, no style= or on…= attributes.
      expect([path, [...res.body.matchAll(/<script(?![^>]*\bsrc=)[^>]*>/g)].map((m) => m[0])]).toEqual([path, []]);
      expect(res.body).not.toMatch(/<style[\s>]|\sstyle=|\son[a-z]+=/i);
    }
    // The API keeps its own CSP.
    expect((await fetch(`${stack.api.url}/v1/payments`)).headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('answers hostile requests with its own pages, never the API\'s JSON or a stack', async () => {
    const client = await signedIn(a);
    const token = csrfOf((await client.get('/app')).body);
    const tooLarge = await client.post('/app/sales', { _csrf: token, description: 'x'.repeat(40_000) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatch(/^<!doctype html>/);
    expect(tooLarge.body).toContain('request_invalid');
    // A payment id that is not one: the API's 400 (or 404), shown as the app's page.
    const bogus = await client.get('/app/sales/not-a-payment');
    expect([400, 404]).toContain(bogus.status);
    expect(bogus.body).toMatch(/^<!doctype html>/);
    expect(bogus.body).not.toMatch(/\bat \S+ \(|Error:|"error":/);
    // The language switch only goes back into the app.
    const away = await client.post('/app/language', { _csrf: token, lang: 'sv', return_to: '//evil.example/app' });
    expect([away.status, away.location]).toEqual([303, '/app']);
    const unknownLanguage = await client.post('/app/language', { _csrf: token, lang: 'de', return_to: '/app' });
    expect(unknownLanguage.status).toBe(400);
  });

  it('keeps the sale screen\'s JavaScript under 50 kB gzipped, served with long cache headers', async () => {
    const client = await signedIn(a);
    const made = await client.post('/app/sales', saleForm((await client.get('/app')).body));
    const sale = await client.get(made.location!);
    const scripts = [...sale.body.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    let gzipped = 0;
    for (const src of scripts) {
      const res = await fetch(`${stack.api.url}${src}`, { headers: { 'accept-encoding': 'identity' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.length).toBeGreaterThan(1000);
      gzipped += gzipSync(body, { level: 9 }).length;
    }
    console.log(`payee app: the sale screen's JavaScript is ${gzipped} bytes gzipped`);
    expect(gzipped).toBeGreaterThan(0);
    expect(gzipped).toBeLessThan(50 * 1024);
    // An asset URL that is not one of ours is the app's 404, not a file from anywhere.
    expect((await fetch(`${stack.api.url}/app/assets/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${stack.api.url}/app/assets/sale.js`)).status).toBe(404);
  });
});
