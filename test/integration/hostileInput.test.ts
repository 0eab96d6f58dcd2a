import { randomUUID } from 'node:crypto';
import type { Resolve } from '../../common/outboundUrl';
import { tenantWebhookToken, webhookToken } from '../../common/webhookToken';
import { TEST_API_KEY, TEST_WEBHOOK_SECRET } from '../helpers/api';
import { linkRequest, MERCHANT_ID, pisRequest, startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

/**
 * Issue 7, hostile input: one table of malformed, forged and replayed requests across the API, the
 * payer return redirect and Ping's webhooks. Each must get a clear 4xx in the one error shape, and
 * none may start or change anything: the Temporal visibility count of this stack's payments and
 * the sandbox's call counters are the same after the whole table as before it.
 */

/** Placeholders in paths and headers, filled in once the real payments exist: `{link}`, `{pis}`, `{cancelled}`, `{linkKey}`, tokens. */
interface Ids {
  link: string;
  pis: string;
  cancelled: string;
  linkKey: string;
}

interface HostileCase {
  name: string;
  method: string;
  path: string;
  /** An object is sent as JSON; a string or Buffer is sent as is. */
  body?: unknown;
  /** `null`: no Content-Type at all. Default: application/json when there is a body. */
  contentType?: string | null;
  /** `null`: no Authorization header; a string: that header. Default: the valid test key. */
  authorization?: string | null;
  headers?: Record<string, string>;
  status: number;
  code: string;
  param?: string;
}

const item = (overrides: Record<string, unknown> = {}) => ({ description: 'Pizza', merchant_id: MERCHANT_ID, price: 7000, quantity: 1, vat: 12, ...overrides });
const link = (overrides: Record<string, unknown>) => linkRequest(overrides);
const linkItem = (overrides: Record<string, unknown>) => linkRequest({ items: [item(overrides)] });
const pisItem = (overrides: Record<string, unknown>) => pisRequest({ order_items: [{ name: 'Chair', amount: 20000, vat_rate: 25, merchant_id: MERCHANT_ID, ...overrides }] });
const without = (body: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(body).filter(([k]) => k !== key));
/** JSON text of an object nested `depth` levels deep (60 kB for 10 000: within the size limit). */
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
/** JSON text with a `__proto__` key where the object has `PROTO` (an object literal cannot carry one). */
const withProto = (body: unknown) => JSON.stringify(body).replace('"PROTO"', '"__proto__"');
/** Raw JSON text with a price a JS literal cannot hold, e.g. one JSON.parse turns into Infinity. */
const rawPrice = (price: string) => JSON.stringify(linkItem({ price: 7000 })).replace('"price":7000', `"price":${price}`);

const LINKS = '/v1/payment-links';
const PIS = '/v1/pis-payments';
const LINK_CALLBACK = '/webhooks/ping/payment-links';
const PAYMENT_CALLBACK = '/webhooks/ping/payments';
const MERCHANT_CALLBACK = '/webhooks/ping/merchants';
const TOP_UP_CALLBACK = '/webhooks/ping/credit-top-ups';
const MERCHANTS = '/v1/merchants';
/** A valid `POST /v1/merchants` body: each merchant row breaks one thing. */
const merchant = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'Bageriet AB',
  organization: { country: 'SE', se_organization_number: '5591235378' },
  ...overrides,
});
/** A valid refund body, and a valid Idempotency-Key for one: each row breaks one thing. */
const refund = (overrides: Record<string, unknown> = {}) => ({ reason: 'requested_by_customer', ...overrides });
const refundKey = { 'idempotency-key': 'hostile-refund-1' };
/** A valid `POST /v1/subscriptions` body for merchant A (whose settings name no supplier or methods): each row breaks one thing. */
const SUBSCRIPTIONS = '/v1/subscriptions';
const subscription = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  currency: 'SEK',
  locale: 'sv-SE',
  items: [{ description: 'Gym membership', price: 19900, quantity: 1, vat: 25 }],
  customer: { first_name: 'Bertil', last_name: 'Jönsson', email: 'bertil@example.com' },
  supplier: { name: 'Bageriet AB' },
  payment_methods: [{ provider: 'swish', method: 'm_commerce' }],
  interval: 'P1M',
  start_at: new Date(Date.now() + 86_400_000).toISOString(),
  ...overrides,
});
const NO_SUBSCRIPTION = `/v1/subscriptions/sub_${'a'.repeat(20)}`;
const validLinkCallback = () => ({ payment_link_id: randomUUID(), status: 'COMPLETED', occured_at: new Date().toISOString() });
/** The API's DNS for the SSRF rows: one name with an internal address among public ones; no other name resolves. */
const ssrfDns: Resolve = async (hostname) => {
  if (hostname !== 'internal.shop.example') throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return [{ address: '93.184.215.14', family: 4 }, { address: '10.0.0.8', family: 4 }];
};

const cases: HostileCase[] = [
  // --- API keys -------------------------------------------------------------------------------
  { name: 'no Authorization header', method: 'GET', path: '/v1/payments', authorization: null, status: 401, code: 'missing_api_key' },
  { name: 'a wrong API key', method: 'GET', path: '/v1/payments/{link}', authorization: 'Bearer sk_wrong_key_0123456789', status: 401, code: 'invalid_api_key' },
  { name: 'the key with its last character changed', method: 'GET', path: '/v1/payments', authorization: `Bearer ${TEST_API_KEY.slice(0, -1)}${TEST_API_KEY.endsWith('f') ? 'e' : 'f'}`, status: 401, code: 'invalid_api_key' },
  { name: 'Basic instead of Bearer', method: 'GET', path: '/v1/payments', authorization: `Basic ${Buffer.from(`${TEST_API_KEY}:`).toString('base64')}`, status: 401, code: 'missing_api_key' },
  { name: 'a create without a key', method: 'POST', path: LINKS, body: link({}), authorization: null, status: 401, code: 'missing_api_key' },
  { name: 'a cancel with a wrong key', method: 'POST', path: '/v1/payments/{link}/cancel', authorization: 'Bearer nope', status: 401, code: 'invalid_api_key' },

  // --- POST /v1/payment-links: the body itself ---------------------------------------------------
  { name: 'invalid JSON', method: 'POST', path: LINKS, body: '{"currency": "SEK",', status: 400, code: 'invalid_json' },
  { name: 'JSON sent as text/plain', method: 'POST', path: LINKS, body: JSON.stringify(link({})), contentType: 'text/plain', status: 415, code: 'unsupported_media_type' },
  { name: 'a body without Content-Type', method: 'POST', path: LINKS, body: Buffer.from(JSON.stringify(link({}))), contentType: null, status: 415, code: 'unsupported_media_type' },
  { name: 'a form-encoded body', method: 'POST', path: LINKS, body: 'currency=SEK&locale=sv-SE', contentType: 'application/x-www-form-urlencoded', status: 415, code: 'unsupported_media_type' },
  { name: 'a multipart body', method: 'POST', path: LINKS, body: '--x\r\n\r\n--x--', contentType: 'multipart/form-data; boundary=x', status: 415, code: 'unsupported_media_type' },
  { name: 'a Latin-1 charset', method: 'POST', path: LINKS, body: JSON.stringify(link({})), contentType: 'application/json; charset=iso-8859-1', status: 415, code: 'unsupported_encoding' },
  { name: 'a gzip body that is not gzip', method: 'POST', path: LINKS, body: 'not gzip at all', headers: { 'content-encoding': 'gzip' }, status: 400, code: 'body_unreadable' },
  { name: 'a JSON array', method: 'POST', path: LINKS, body: '[]', status: 400, code: 'body_invalid' },
  { name: 'a JSON string', method: 'POST', path: LINKS, body: '"SEK"', status: 400, code: 'invalid_json' },
  { name: 'an empty JSON body', method: 'POST', path: LINKS, body: '', status: 400, code: 'parameter_missing', param: 'currency' },
  { name: 'JSON null', method: 'POST', path: LINKS, body: 'null', status: 400, code: 'invalid_json' },
  { name: 'a body over 100 kB', method: 'POST', path: LINKS, body: link({ merchant_reference: 'x'.repeat(110_000) }), status: 413, code: 'body_too_large' },

  // --- POST /v1/payment-links: fields -------------------------------------------------------------
  { name: 'a missing currency', method: 'POST', path: LINKS, body: without(link({}), 'currency'), status: 400, code: 'parameter_missing', param: 'currency' },
  { name: 'an unknown currency', method: 'POST', path: LINKS, body: link({ currency: 'USD' }), status: 400, code: 'parameter_invalid', param: 'currency' },
  { name: 'a lower-case currency', method: 'POST', path: LINKS, body: link({ currency: 'sek' }), status: 400, code: 'parameter_invalid', param: 'currency' },
  { name: 'a numeric currency', method: 'POST', path: LINKS, body: link({ currency: 752 }), status: 400, code: 'parameter_invalid', param: 'currency' },
  { name: 'missing items', method: 'POST', path: LINKS, body: without(link({}), 'items'), status: 400, code: 'parameter_missing', param: 'items' },
  { name: 'items as an object', method: 'POST', path: LINKS, body: link({ items: item() }), status: 400, code: 'parameter_invalid', param: 'items' },
  { name: 'no items', method: 'POST', path: LINKS, body: link({ items: [] }), status: 400, code: 'parameter_invalid', param: 'items' },
  { name: '101 items', method: 'POST', path: LINKS, body: link({ items: Array.from({ length: 101 }, () => item()) }), status: 400, code: 'parameter_invalid', param: 'items' },
  { name: 'a price as a string', method: 'POST', path: LINKS, body: linkItem({ price: '7000' }), status: 400, code: 'parameter_invalid', param: 'items[0].price' },
  { name: 'a negative price', method: 'POST', path: LINKS, body: linkItem({ price: -100 }), status: 400, code: 'parameter_invalid', param: 'items[0].price' },
  { name: 'a zero price', method: 'POST', path: LINKS, body: linkItem({ price: 0 }), status: 400, code: 'parameter_invalid', param: 'items[0].price' },
  { name: 'a fractional price', method: 'POST', path: LINKS, body: linkItem({ price: 70.5 }), status: 400, code: 'parameter_invalid', param: 'items[0].price' },
  { name: 'a huge price', method: 'POST', path: LINKS, body: linkItem({ price: 1e15 }), status: 400, code: 'parameter_invalid', param: 'items[0].price' },
  { name: 'a price beyond a double (1e400)', method: 'POST', path: LINKS, body: rawPrice('1e400'), status: 400, code: 'parameter_invalid', param: 'items[0].price' },
  { name: 'a price beyond 2^53', method: 'POST', path: LINKS, body: rawPrice('9007199254740993'), status: 400, code: 'parameter_invalid', param: 'items[0].price' },
  { name: 'a zero quantity', method: 'POST', path: LINKS, body: linkItem({ quantity: 0 }), status: 400, code: 'parameter_invalid', param: 'items[0].quantity' },
  { name: 'a negative quantity', method: 'POST', path: LINKS, body: linkItem({ quantity: -2 }), status: 400, code: 'parameter_invalid', param: 'items[0].quantity' },
  { name: 'a fractional quantity', method: 'POST', path: LINKS, body: linkItem({ quantity: 1.5 }), status: 400, code: 'parameter_invalid', param: 'items[0].quantity' },
  { name: 'price × quantity beyond the maximum', method: 'POST', path: LINKS, body: linkItem({ price: 1_000_000_000, quantity: 2 }), status: 400, code: 'parameter_invalid', param: 'items' },
  { name: 'items summing beyond the maximum', method: 'POST', path: LINKS, body: link({ items: [item({ price: 600_000_000 }), item({ price: 600_000_000 })] }), status: 400, code: 'parameter_invalid', param: 'items' },
  { name: 'a caller-sent total_amount', method: 'POST', path: LINKS, body: link({ total_amount: 1 }), status: 400, code: 'parameter_unknown', param: 'total_amount' },
  { name: 'a caller-sent item total', method: 'POST', path: LINKS, body: linkItem({ total: 1 }), status: 400, code: 'parameter_unknown', param: 'items[0].total' },
  { name: 'a VAT of 100 %', method: 'POST', path: LINKS, body: linkItem({ vat: 100 }), status: 400, code: 'parameter_invalid', param: 'items[0].vat' },
  { name: 'a VAT with three decimals', method: 'POST', path: LINKS, body: linkItem({ vat: 12.345 }), status: 400, code: 'parameter_invalid', param: 'items[0].vat' },
  { name: 'a merchant id that is no UUID', method: 'POST', path: LINKS, body: linkItem({ merchant_id: 'merchant-1' }), status: 400, code: 'parameter_invalid', param: 'items[0].merchant_id' },
  { name: 'an unknown payment method', method: 'POST', path: LINKS, body: link({ payment_methods: [{ provider: 'swish', method: 'teleport' }] }), status: 400, code: 'parameter_invalid', param: 'payment_methods[0].method' },
  { name: 'an unknown provider', method: 'POST', path: LINKS, body: link({ payment_methods: [{ provider: 'paypal', method: 'card' }] }), status: 400, code: 'parameter_invalid', param: 'payment_methods[0].provider' },
  { name: 'no payment methods', method: 'POST', path: LINKS, body: link({ payment_methods: [] }), status: 400, code: 'parameter_invalid', param: 'payment_methods' },
  { name: 'method parameters nested 5000 deep', method: 'POST', path: LINKS, body: JSON.stringify(link({ payment_methods: [{ provider: 'swish', method: 'm_commerce', parameters: { message: 'DEEP' } }] })).replace('"DEEP"', nested(10_000)), status: 400, code: 'parameter_invalid', param: 'payment_methods[0].parameters' },
  { name: 'a __proto__ key in method parameters', method: 'POST', path: LINKS, body: withProto(link({ payment_methods: [{ provider: 'swish', method: 'm_commerce', parameters: { PROTO: { admin: true } } }] })), status: 400, code: 'parameter_invalid', param: 'payment_methods[0].parameters.__proto__' },
  { name: 'a __proto__ metadata key', method: 'POST', path: LINKS, body: withProto(link({ metadata: { PROTO: 'x' } })), status: 400, code: 'parameter_invalid', param: 'metadata.__proto__' },
  { name: 'a top-level __proto__ key', method: 'POST', path: LINKS, body: withProto(link({ PROTO: { admin: true } })), status: 400, code: 'parameter_invalid', param: '__proto__' },
  { name: 'a javascript: success URL', method: 'POST', path: LINKS, body: link({ success_url: 'javascript:alert(1)' }), status: 400, code: 'parameter_invalid', param: 'success_url' },
  { name: 'an ftp notify URL', method: 'POST', path: LINKS, body: link({ notify_url: 'ftp://shop.example/events' }), status: 400, code: 'parameter_invalid', param: 'notify_url' },
  { name: 'a URL with a line break', method: 'POST', path: LINKS, body: link({ cancel_url: 'https://shop.example/a\r\nSet-Cookie: x=1' }), status: 400, code: 'parameter_invalid', param: 'cancel_url' },
  { name: 'a URL with a bare line feed', method: 'POST', path: LINKS, body: link({ success_url: 'https://shop.example/pa\nid' }), status: 400, code: 'parameter_invalid', param: 'success_url' },
  { name: 'a URL with credentials', method: 'POST', path: LINKS, body: link({ notify_url: 'https://user:secret@shop.example/events' }), status: 400, code: 'parameter_invalid', param: 'notify_url' },
  { name: 'a URL over 2048 characters', method: 'POST', path: LINKS, body: link({ success_url: `https://shop.example/${'a'.repeat(2100)}` }), status: 400, code: 'parameter_invalid', param: 'success_url' },
  { name: 'a blank item description', method: 'POST', path: LINKS, body: linkItem({ description: '   ' }), status: 400, code: 'parameter_invalid', param: 'items[0].description' },
  { name: 'an item description over 200 characters', method: 'POST', path: LINKS, body: linkItem({ description: 'x'.repeat(201) }), status: 400, code: 'parameter_invalid', param: 'items[0].description' },
  { name: 'a NUL character in a description', method: 'POST', path: LINKS, body: linkItem({ description: 'Pizza\u0000' }), status: 400, code: 'parameter_invalid', param: 'items[0].description' },
  { name: 'an escape sequence in the merchant reference', method: 'POST', path: LINKS, body: link({ merchant_reference: 'order\u001b[31m1' }), status: 400, code: 'parameter_invalid', param: 'merchant_reference' },
  { name: 'a lone surrogate in a name', method: 'POST', path: LINKS, body: link({ supplier: { name: 'Pizzeria \ud800' } }), status: 400, code: 'parameter_invalid', param: 'supplier.name' },
  { name: 'a double quote in the merchant reference (unsearchable)', method: 'POST', path: LINKS, body: link({ merchant_reference: 'order "1042"' }), status: 400, code: 'parameter_invalid', param: 'merchant_reference' },
  { name: 'a missing customer', method: 'POST', path: LINKS, body: without(link({}), 'customer'), status: 400, code: 'parameter_missing', param: 'customer' },
  { name: 'an invalid customer e-mail', method: 'POST', path: LINKS, body: link({ customer: { first_name: 'A', last_name: 'B', email: 'not-an-email' } }), status: 400, code: 'parameter_invalid', param: 'customer.email' },
  { name: 'SMS without a phone', method: 'POST', path: LINKS, body: link({ customer: { first_name: 'A', last_name: 'B' }, distribution: { sms: true } }), status: 400, code: 'parameter_invalid', param: 'customer.phone' },
  { name: 'a due date that is no date', method: 'POST', path: LINKS, body: link({ due_at: 'tomorrow' }), status: 400, code: 'parameter_invalid', param: 'due_at' },
  { name: 'a due date in the past', method: 'POST', path: LINKS, body: link({ due_at: '2020-01-01T00:00:00Z' }), status: 400, code: 'parameter_invalid', param: 'due_at' },
  { name: 'an unknown locale', method: 'POST', path: LINKS, body: link({ locale: 'en-US' }), status: 400, code: 'parameter_invalid', param: 'locale' },
  { name: '21 metadata keys', method: 'POST', path: LINKS, body: link({ metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }), status: 400, code: 'parameter_invalid', param: 'metadata' },
  { name: 'a numeric metadata value', method: 'POST', path: LINKS, body: link({ metadata: { order: 1042 } }), status: 400, code: 'parameter_invalid', param: 'metadata.order' },
  { name: 'a malformed Idempotency-Key', method: 'POST', path: LINKS, body: link({}), headers: { 'idempotency-key': 'has spaces / slashes' }, status: 400, code: 'idempotency_key_invalid' },
  { name: 'an Idempotency-Key over 100 characters', method: 'POST', path: LINKS, body: link({}), headers: { 'idempotency-key': 'k'.repeat(101) }, status: 400, code: 'idempotency_key_invalid' },
  { name: 'a replayed Idempotency-Key with another body', method: 'POST', path: LINKS, body: link({}), headers: { 'idempotency-key': '{linkKey}' }, status: 409, code: 'idempotency_key_reused' },

  // --- POST /v1/pis-payments ---------------------------------------------------------------------
  { name: 'PIS: invalid JSON', method: 'POST', path: PIS, body: '{"currency": SEK}', status: 400, code: 'invalid_json' },
  { name: 'PIS: JSON sent as text/plain', method: 'POST', path: PIS, body: JSON.stringify(pisRequest()), contentType: 'text/plain;charset=UTF-8', status: 415, code: 'unsupported_media_type' },
  { name: 'PIS: a body over 100 kB', method: 'POST', path: PIS, body: `{"pad":"${'x'.repeat(103_000)}"}`, status: 413, code: 'body_too_large' },
  { name: 'PIS: a missing error_url', method: 'POST', path: PIS, body: without(pisRequest(), 'error_url'), status: 400, code: 'parameter_missing', param: 'error_url' },
  { name: 'PIS: an unknown currency', method: 'POST', path: PIS, body: pisRequest({ currency: 'XYZ' }), status: 400, code: 'parameter_invalid', param: 'currency' },
  { name: 'PIS: a zero amount', method: 'POST', path: PIS, body: pisItem({ amount: 0 }), status: 400, code: 'parameter_invalid', param: 'order_items[0].amount' },
  { name: 'PIS: a negative amount', method: 'POST', path: PIS, body: pisItem({ amount: -1 }), status: 400, code: 'parameter_invalid', param: 'order_items[0].amount' },
  { name: 'PIS: a fractional amount', method: 'POST', path: PIS, body: pisItem({ amount: 199.99 }), status: 400, code: 'parameter_invalid', param: 'order_items[0].amount' },
  { name: 'PIS: an amount as a string', method: 'POST', path: PIS, body: pisItem({ amount: '20000' }), status: 400, code: 'parameter_invalid', param: 'order_items[0].amount' },
  { name: 'PIS: items summing beyond the maximum', method: 'POST', path: PIS, body: pisRequest({ order_items: Array.from({ length: 3 }, () => ({ name: 'Car', amount: 400_000_000, vat_rate: 25, merchant_id: MERCHANT_ID })) }), status: 400, code: 'parameter_invalid', param: 'order_items' },
  { name: 'PIS: a caller-sent total_amount', method: 'POST', path: PIS, body: pisRequest({ total_amount: 25000 }), status: 400, code: 'parameter_unknown', param: 'total_amount' },
  { name: 'PIS: a caller-sent method', method: 'POST', path: PIS, body: pisRequest({ method: 'card' }), status: 400, code: 'parameter_unknown', param: 'method' },
  { name: 'PIS: a success URL that is no URL', method: 'POST', path: PIS, body: pisRequest({ success_url: 'not a url' }), status: 400, code: 'parameter_invalid', param: 'success_url' },
  { name: 'PIS: a data: error URL', method: 'POST', path: PIS, body: pisRequest({ error_url: 'data:text/html,<script>alert(1)</script>' }), status: 400, code: 'parameter_invalid', param: 'error_url' },
  { name: 'PIS: a reference over 35 characters', method: 'POST', path: PIS, body: pisRequest({ reference: 'r'.repeat(36) }), status: 400, code: 'parameter_invalid', param: 'reference' },
  { name: 'PIS: a backslash in the reference', method: 'POST', path: PIS, body: pisRequest({ reference: 'order\\1042' }), status: 400, code: 'parameter_invalid', param: 'reference' },
  { name: 'PIS: a huge timeout', method: 'POST', path: PIS, body: pisRequest({ timeout_seconds: 1e12 }), status: 400, code: 'parameter_invalid', param: 'timeout_seconds' },
  { name: 'PIS: an invalid payer e-mail', method: 'POST', path: PIS, body: pisRequest({ payer: { email: 'payer@' } }), status: 400, code: 'parameter_invalid', param: 'payer.email' },
  { name: 'PIS: a control character in the merchant name', method: 'POST', path: PIS, body: pisRequest({ merchant_name: 'Möbel\u0007huset' }), status: 400, code: 'parameter_invalid', param: 'merchant_name' },

  // --- notify_url reaching inside our network (SSRF; common/outboundUrl.ts) ---------------------------
  // This stack's API checks addresses (ALLOW_PRIVATE_WEBHOOK_URLS off) but lets plain http in, so each
  // row is refused for its address; `ssrfDns` (above) is the only DNS it asks.
  ...(
    [
      ['a loopback port', 'http://127.0.0.1:22/'],
      ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/'],
      ['IPv6 loopback', 'http://[::1]:3000/ping-orchestrator/events'],
      ['a private address', 'http://10.0.0.1/hook'],
      ['loopback in hex', 'http://0x7f000001/'],
      ['localhost with a trailing dot', 'http://localhost./x'],
      ['a subdomain of localhost', 'http://api.localhost/hook'],
      ['loopback in octal', 'http://0177.0.0.1/'],
      ['loopback as one decimal number', 'http://2130706433/'],
      ['loopback in short hex form', 'http://0x7f.1/'],
      ['a carrier-grade NAT address', 'http://100.64.0.1/'],
      ['a multicast address', 'http://224.0.0.1/'],
      ['the broadcast address', 'http://255.255.255.255/'],
      ['the unspecified address', 'http://0.0.0.0/'],
      ['an IPv6 link-local address', 'http://[fe80::1]/'],
      ['an IPv6 unique-local address', 'http://[fc00::1]/'],
      ['an IPv4-mapped private address', 'http://[::ffff:10.0.0.1]/'],
      ['the IPv6 unspecified address', 'http://[::]/'],
      ['a name that resolves to a private address', 'https://internal.shop.example/hook'],
    ] as const
  ).map(([what, url]): HostileCase => ({ name: `SSRF: a notify URL at ${what}`, method: 'POST', path: LINKS, body: link({ notify_url: url }), status: 400, code: 'url_not_allowed', param: 'notify_url' })),
  { name: 'SSRF: PIS with a notify URL at the metadata address', method: 'POST', path: PIS, body: pisRequest({ notify_url: 'http://169.254.169.254/latest/meta-data/' }), status: 400, code: 'url_not_allowed', param: 'notify_url' },
  { name: 'SSRF: PIS with a notify URL on IPv6 loopback', method: 'POST', path: PIS, body: pisRequest({ notify_url: 'http://[::1]/events' }), status: 400, code: 'url_not_allowed', param: 'notify_url' },

  // --- GET /v1/payments ----------------------------------------------------------------------------
  { name: 'list: an unknown status', method: 'GET', path: '/v1/payments?status=lost', status: 400, code: 'parameter_invalid', param: 'status' },
  { name: 'list: a zero limit', method: 'GET', path: '/v1/payments?limit=0', status: 400, code: 'parameter_invalid', param: 'limit' },
  { name: 'list: a limit that is no number', method: 'GET', path: '/v1/payments?limit=ten', status: 400, code: 'parameter_invalid', param: 'limit' },
  { name: 'list: a huge limit', method: 'GET', path: '/v1/payments?limit=1e9', status: 400, code: 'parameter_invalid', param: 'limit' },
  { name: 'list: a status given twice', method: 'GET', path: '/v1/payments?status=paid&status=failed', status: 400, code: 'parameter_invalid', param: 'status' },
  { name: 'list: an unknown filter', method: 'GET', path: '/v1/payments?colour=red', status: 400, code: 'parameter_unknown', param: 'colour' },
  { name: 'list: a cursor with bad characters', method: 'GET', path: '/v1/payments?cursor=%27%20OR%201%3D1', status: 400, code: 'parameter_invalid', param: 'cursor' },
  { name: 'list: a raw Temporal page token as cursor', method: 'GET', path: '/v1/payments?cursor=AAAAAAAAAAAAAAAA', status: 400, code: 'parameter_invalid', param: 'cursor' },
  { name: 'list: a forged cursor', method: 'GET', path: `/v1/payments?cursor=eyJSdW5JRCI6IngifQ.${'A'.repeat(22)}`, status: 400, code: 'parameter_invalid', param: 'cursor' },
  { name: 'list: a control character in the merchant reference', method: 'GET', path: '/v1/payments?merchant_reference=order%00', status: 400, code: 'parameter_invalid', param: 'merchant_reference' },
  { name: 'list: a backslash and quote in the merchant reference', method: 'GET', path: "/v1/payments?merchant_reference=x%5C'%20OR%20'1'='1", status: 400, code: 'parameter_invalid', param: 'merchant_reference' },
  { name: 'list: an empty merchant reference', method: 'GET', path: '/v1/payments?merchant_reference=', status: 400, code: 'parameter_invalid', param: 'merchant_reference' },

  // --- one payment: read, cancel, invoice, receipt ------------------------------------------------------
  { name: 'an unknown payment id', method: 'GET', path: '/v1/payments/payment-link-never-created', status: 404, code: 'resource_missing', param: 'id' },
  { name: 'an id that cannot be ours', method: 'GET', path: '/v1/payments/some-other-workflow', status: 404, code: 'resource_missing', param: 'id' },
  { name: 'an id with an encoded slash', method: 'GET', path: '/v1/payments/payment-link-..%2F..%2Fetc', status: 404, code: 'resource_missing', param: 'id' },
  { name: 'an id over 100 characters', method: 'GET', path: `/v1/payments/payment-link-${'x'.repeat(300)}`, status: 404, code: 'resource_missing', param: 'id' },
  { name: 'a malformed percent-encoding in the id', method: 'GET', path: '/v1/payments/payment-link-%E0%A4%A', status: 400, code: 'path_invalid' },
  { name: 'cancel: an unknown payment', method: 'POST', path: '/v1/payments/pis-payment-never-created/cancel', status: 404, code: 'resource_missing', param: 'id' },
  { name: 'cancel: a finished payment', method: 'POST', path: '/v1/payments/{cancelled}/cancel', status: 409, code: 'payment_final' },
  { name: 'cancel: a text/plain body', method: 'POST', path: '/v1/payments/{link}/cancel', body: 'please', contentType: 'text/plain', status: 415, code: 'unsupported_media_type' },
  { name: 'cancel: an unknown parameter', method: 'POST', path: '/v1/payments/{link}/cancel', body: { reason: 'fraud' }, status: 400, code: 'parameter_unknown', param: 'reason' },
  { name: 'cancel: invalid JSON', method: 'POST', path: '/v1/payments/{link}/cancel', body: '{', status: 400, code: 'invalid_json' },
  { name: 'cancel: a GET', method: 'GET', path: '/v1/payments/{link}/cancel', status: 405, code: 'method_not_allowed' },
  { name: 'a DELETE of a payment', method: 'DELETE', path: '/v1/payments/{link}', status: 405, code: 'method_not_allowed' },
  { name: 'a PUT on the create endpoint', method: 'PUT', path: LINKS, body: link({}), status: 405, code: 'method_not_allowed' },
  { name: 'a GET on the PIS create endpoint', method: 'GET', path: PIS, status: 405, code: 'method_not_allowed' },
  { name: 'invoice: an unknown payment', method: 'GET', path: '/v1/payments/payment-link-never-created/invoice', status: 404, code: 'resource_missing', param: 'id' },
  { name: 'invoice: a payment without one', method: 'GET', path: '/v1/payments/{link}/invoice', status: 404, code: 'invoice_not_found' },
  { name: 'receipt: an unknown payment', method: 'GET', path: '/v1/payments/pis-payment-never-created/receipt', status: 404, code: 'resource_missing', param: 'id' },
  { name: 'receipt: an unpaid payment', method: 'GET', path: '/v1/payments/{pis}/receipt', status: 404, code: 'receipt_not_available' },
  { name: 'an unknown route', method: 'GET', path: '/v1/refunds', status: 404, code: 'route_not_found' },

  // --- the money after payment: refunds and settlement (docs/money.md) ------------------------------
  { name: 'refund: an unknown payment', method: 'POST', path: '/v1/payments/payment-link-never-created/refunds', body: refund(), headers: refundKey, status: 404, code: 'resource_missing', param: 'id' },
  { name: 'refund: an id that cannot be ours', method: 'POST', path: '/v1/payments/some-other-workflow/refunds', body: refund(), headers: refundKey, status: 404, code: 'resource_missing', param: 'id' },
  { name: 'refund: a link awaiting payment', method: 'POST', path: '/v1/payments/{link}/refunds', body: refund(), headers: refundKey, status: 409, code: 'payment_not_paid' },
  { name: 'refund: a PIS payment awaiting payment', method: 'POST', path: '/v1/payments/{pis}/refunds', body: refund(), headers: refundKey, status: 409, code: 'payment_not_paid' },
  { name: 'refund: a cancelled payment whose workflow has closed', method: 'POST', path: '/v1/payments/{cancelled}/refunds', body: refund(), headers: refundKey, status: 409, code: 'payment_not_paid' },
  { name: 'refund: an amount other than the payment’s', method: 'POST', path: '/v1/payments/{link}/refunds', body: refund({ amount: 100 }), headers: refundKey, status: 400, code: 'amount_invalid', param: 'amount' },
  { name: 'refund: an amount as a string', method: 'POST', path: '/v1/payments/{link}/refunds', body: refund({ amount: '16500' }), headers: refundKey, status: 400, code: 'parameter_invalid', param: 'amount' },
  { name: 'refund: a negative amount', method: 'POST', path: '/v1/payments/{link}/refunds', body: refund({ amount: -16500 }), headers: refundKey, status: 400, code: 'parameter_invalid', param: 'amount' },
  { name: 'refund: an unknown reason', method: 'POST', path: '/v1/payments/{link}/refunds', body: refund({ reason: 'changed_mind' }), headers: refundKey, status: 400, code: 'parameter_invalid', param: 'reason' },
  { name: 'refund: our own late_payment reason', method: 'POST', path: '/v1/payments/{link}/refunds', body: refund({ reason: 'late_payment' }), headers: refundKey, status: 400, code: 'parameter_invalid', param: 'reason' },
  { name: 'refund: no reason', method: 'POST', path: '/v1/payments/{link}/refunds', body: {}, headers: refundKey, status: 400, code: 'parameter_missing', param: 'reason' },
  { name: 'refund: no Idempotency-Key', method: 'POST', path: '/v1/payments/{link}/refunds', body: refund(), status: 400, code: 'idempotency_key_required' },
  { name: 'refund: a malformed Idempotency-Key', method: 'POST', path: '/v1/payments/{link}/refunds', body: refund(), headers: { 'idempotency-key': 'refund 1 / again' }, status: 400, code: 'idempotency_key_invalid' },
  { name: 'refund: an unknown field', method: 'POST', path: '/v1/payments/{link}/refunds', body: refund({ currency: 'SEK' }), headers: refundKey, status: 400, code: 'parameter_unknown', param: 'currency' },
  { name: 'refund: a description over 500 characters', method: 'POST', path: '/v1/payments/{link}/refunds', body: refund({ description: 'x'.repeat(501) }), headers: refundKey, status: 400, code: 'parameter_invalid', param: 'description' },
  { name: 'refund: invalid JSON', method: 'POST', path: '/v1/payments/{link}/refunds', body: '{"reason":', headers: refundKey, status: 400, code: 'invalid_json' },
  { name: 'refund: text/plain', method: 'POST', path: '/v1/payments/{link}/refunds', body: 'reason=other', contentType: 'text/plain', headers: refundKey, status: 415, code: 'unsupported_media_type' },
  { name: 'refund: without an API key', method: 'POST', path: '/v1/payments/{link}/refunds', body: refund(), headers: refundKey, authorization: null, status: 401, code: 'missing_api_key' },
  { name: 'refund: a GET', method: 'GET', path: '/v1/payments/{link}/refunds', status: 405, code: 'method_not_allowed' },
  { name: 'settle: an unknown payment', method: 'POST', path: '/v1/payments/pis-payment-never-created/settle', status: 404, code: 'resource_missing', param: 'id' },
  { name: 'settle: a payment awaiting payment', method: 'POST', path: '/v1/payments/{link}/settle', status: 409, code: 'payment_not_paid' },
  { name: 'settle: a cancelled payment whose workflow has closed', method: 'POST', path: '/v1/payments/{cancelled}/settle', status: 409, code: 'payment_not_paid' },
  { name: 'settle: an unknown parameter', method: 'POST', path: '/v1/payments/{pis}/settle', body: { now: true }, status: 400, code: 'parameter_unknown', param: 'now' },
  { name: 'settle: a GET', method: 'GET', path: '/v1/payments/{pis}/settle', status: 405, code: 'method_not_allowed' },

  // --- the payer's return redirect --------------------------------------------------------------------
  { name: 'return: no token', method: 'GET', path: '/v1/payments/{pis}/return/success', authorization: null, status: 401, code: 'invalid_return_token' },
  { name: 'return: a forged token', method: 'GET', path: '/v1/payments/{pis}/return/success?token=forged', authorization: null, status: 401, code: 'invalid_return_token' },
  { name: 'return: the callback token', method: 'GET', path: '/v1/payments/{pis}/return/success?token={pisCallbackToken}', authorization: null, status: 401, code: 'invalid_return_token' },
  { name: 'return: another payment’s return token', method: 'GET', path: '/v1/payments/{pis}/return/success?token={linkReturnToken}', authorization: null, status: 401, code: 'invalid_return_token' },
  { name: 'return: the token twice', method: 'GET', path: '/v1/payments/{pis}/return/cancel?token={pisReturnToken}&token={pisReturnToken}', authorization: null, status: 401, code: 'invalid_return_token' },
  { name: 'return: an unknown outcome', method: 'GET', path: '/v1/payments/{pis}/return/paid?token={pisReturnToken}', authorization: null, status: 404, code: 'route_not_found' },
  { name: 'return: an unknown payment', method: 'GET', path: '/v1/payments/pis-payment-never-created/return/success?token={unknownReturnToken}', authorization: null, status: 404, code: 'resource_missing' },
  { name: 'return: a link payment with a return token', method: 'GET', path: '/v1/payments/{link}/return/success?token={linkReturnToken}', authorization: null, status: 404, code: 'resource_missing' },
  { name: 'return: a POST', method: 'POST', path: '/v1/payments/{pis}/return/success?token={pisReturnToken}', authorization: null, status: 405, code: 'method_not_allowed' },

  // --- Ping's callbacks ----------------------------------------------------------------------------
  { name: 'link callback: no token', method: 'POST', path: `${LINK_CALLBACK}/{link}`, body: validLinkCallback(), authorization: null, status: 401, code: 'invalid_webhook_token' },
  { name: 'link callback: a forged token', method: 'POST', path: `${LINK_CALLBACK}/{link}?token=Zm9yZ2Vk`, body: validLinkCallback(), authorization: null, status: 401, code: 'invalid_webhook_token' },
  { name: 'link callback: another payment’s token', method: 'POST', path: `${LINK_CALLBACK}/{link}?token={pisCallbackToken}`, body: validLinkCallback(), authorization: null, status: 401, code: 'invalid_webhook_token' },
  { name: 'link callback: a payer-return token', method: 'POST', path: `${LINK_CALLBACK}/{link}?token={linkReturnToken}`, body: validLinkCallback(), authorization: null, status: 401, code: 'invalid_webhook_token' },
  { name: 'link callback: a token over 128 characters', method: 'POST', path: `${LINK_CALLBACK}/{link}?token=${'t'.repeat(500)}`, body: validLinkCallback(), authorization: null, status: 401, code: 'invalid_webhook_token' },
  { name: 'link callback: our API key instead of a token', method: 'POST', path: `${LINK_CALLBACK}/{link}`, body: validLinkCallback(), status: 401, code: 'invalid_webhook_token' },
  { name: 'link callback: invalid JSON', method: 'POST', path: `${LINK_CALLBACK}/{link}?token={linkCallbackToken}`, body: '{"status":', authorization: null, status: 400, code: 'invalid_json' },
  { name: 'link callback: text/plain', method: 'POST', path: `${LINK_CALLBACK}/{link}?token={linkCallbackToken}`, body: 'status=COMPLETED', contentType: 'text/plain', authorization: null, status: 415, code: 'unsupported_media_type' },
  { name: 'link callback: a body over 16 kB', method: 'POST', path: `${LINK_CALLBACK}/{link}?token={linkCallbackToken}`, body: { ...validLinkCallback(), pad: 'x'.repeat(17_000) }, authorization: null, status: 413, code: 'body_too_large' },
  { name: 'link callback: the wrong shape', method: 'POST', path: `${LINK_CALLBACK}/{link}?token={linkCallbackToken}`, body: { hello: 'world' }, authorization: null, status: 400, code: 'callback_invalid' },
  { name: 'link callback: a link id that is no id', method: 'POST', path: `${LINK_CALLBACK}/{link}?token={linkCallbackToken}`, body: { ...validLinkCallback(), payment_link_id: '../../admin' }, authorization: null, status: 400, code: 'callback_invalid' },
  { name: 'link callback: a JSON array', method: 'POST', path: `${LINK_CALLBACK}/{link}?token={linkCallbackToken}`, body: '[{"status":"COMPLETED"}]', authorization: null, status: 400, code: 'callback_invalid' },
  { name: 'link callback: an unknown payment', method: 'POST', path: `${LINK_CALLBACK}/payment-link-never-created?token={unknownCallbackToken}`, body: validLinkCallback(), authorization: null, status: 404, code: 'resource_missing' },
  { name: 'link callback: a PIS payment with its own token', method: 'POST', path: `${LINK_CALLBACK}/{pis}?token={pisCallbackToken}`, body: validLinkCallback(), authorization: null, status: 404, code: 'resource_missing' },
  { name: 'link callback: a GET', method: 'GET', path: `${LINK_CALLBACK}/{link}?token={linkCallbackToken}`, authorization: null, status: 405, code: 'method_not_allowed' },
  { name: 'payment callback: a forged token', method: 'POST', path: `${PAYMENT_CALLBACK}/{pis}?token=forged`, body: { status: 'COMPLETED' }, authorization: null, status: 401, code: 'invalid_webhook_token' },
  { name: 'payment callback: the link payment’s token', method: 'POST', path: `${PAYMENT_CALLBACK}/{pis}?token={linkCallbackToken}`, body: { status: 'COMPLETED' }, authorization: null, status: 401, code: 'invalid_webhook_token' },
  { name: 'payment callback: a payer-return token', method: 'POST', path: `${PAYMENT_CALLBACK}/{pis}?token={pisReturnToken}`, body: { status: 'COMPLETED' }, authorization: null, status: 401, code: 'invalid_webhook_token' },
  { name: 'payment callback: a link payment with its own token', method: 'POST', path: `${PAYMENT_CALLBACK}/{link}?token={linkCallbackToken}`, body: { status: 'COMPLETED' }, authorization: null, status: 404, code: 'resource_missing' },
  { name: 'payment callback: invalid JSON', method: 'POST', path: `${PAYMENT_CALLBACK}/{pis}?token={pisCallbackToken}`, body: '[not json', authorization: null, status: 400, code: 'invalid_json' },
  { name: 'payment callback: no Content-Type', method: 'POST', path: `${PAYMENT_CALLBACK}/{pis}?token={pisCallbackToken}`, body: Buffer.from('{"status":"COMPLETED"}'), contentType: null, authorization: null, status: 415, code: 'unsupported_media_type' },
  { name: 'payment callback: a numeric status', method: 'POST', path: `${PAYMENT_CALLBACK}/{pis}?token={pisCallbackToken}`, body: { status: 7 }, authorization: null, status: 400, code: 'callback_invalid' },
  { name: 'payment callback: a body over 16 kB', method: 'POST', path: `${PAYMENT_CALLBACK}/{pis}?token={pisCallbackToken}`, body: `{"pad":"${'x'.repeat(16_500)}"}`, authorization: null, status: 413, code: 'body_too_large' },

  // --- merchants: their keys, bodies and each other (docs/merchants.md) ---------------------------------
  { name: 'merchant key: creating a merchant', method: 'POST', path: MERCHANTS, body: merchant(), authorization: 'Bearer {keyA}', status: 403, code: 'platform_key_required' },
  { name: 'merchant key: listing merchants', method: 'GET', path: MERCHANTS, authorization: 'Bearer {keyA}', status: 403, code: 'platform_key_required' },
  { name: 'merchant key: making itself a key', method: 'POST', path: `${MERCHANTS}/{merchantA}/api-keys`, authorization: 'Bearer {keyA}', status: 403, code: 'platform_key_required' },
  { name: 'merchant key: listing its keys', method: 'GET', path: `${MERCHANTS}/{merchantA}/api-keys`, authorization: 'Bearer {keyA}', status: 403, code: 'platform_key_required' },
  { name: 'merchant key: revoking a key', method: 'DELETE', path: `${MERCHANTS}/{merchantA}/api-keys/{keyIdA}`, authorization: 'Bearer {keyA}', status: 403, code: 'platform_key_required' },
  { name: 'merchant key: rotating its signing secret', method: 'POST', path: `${MERCHANTS}/{merchantA}/signing-secret`, authorization: 'Bearer {keyA}', status: 403, code: 'platform_key_required' },
  { name: 'merchant key: reading another merchant', method: 'GET', path: `${MERCHANTS}/{merchantB}`, authorization: 'Bearer {keyA}', status: 404, code: 'resource_missing', param: 'id' },
  { name: 'merchant key: changing another merchant', method: 'PATCH', path: `${MERCHANTS}/{merchantB}`, body: { display_name: 'Taken over' }, authorization: 'Bearer {keyA}', status: 404, code: 'resource_missing' },
  { name: 'merchant key: another merchant’s keys', method: 'GET', path: `${MERCHANTS}/{merchantB}/api-keys`, authorization: 'Bearer {keyA}', status: 404, code: 'resource_missing' },
  { name: 'merchant key: acting for another merchant', method: 'GET', path: `${MERCHANTS}/{merchantA}`, authorization: 'Bearer {keyA}', headers: { 'on-behalf-of': '{merchantB}' }, status: 403, code: 'on_behalf_of_not_allowed', param: 'On-Behalf-Of' },
  { name: 'merchant key: acting for a merchant that does not exist', method: 'GET', path: '/v1/payments', authorization: 'Bearer {keyA}', headers: { 'on-behalf-of': 'mer_aaaaaaaaaaaaaaaaaaaa' }, status: 403, code: 'on_behalf_of_not_allowed' },
  { name: 'merchant key: revoked', method: 'GET', path: `${MERCHANTS}/{merchantA}`, authorization: 'Bearer {revokedKeyA}', status: 401, code: 'invalid_api_key' },
  { name: 'merchant key: the right shape, a wrong secret', method: 'GET', path: `${MERCHANTS}/{merchantA}`, authorization: 'Bearer {forgedKeyA}', status: 401, code: 'invalid_api_key' },
  { name: 'merchant key: A’s secret under B’s id', method: 'GET', path: `${MERCHANTS}/{merchantB}`, authorization: 'Bearer {crossKey}', status: 401, code: 'invalid_api_key' },
  { name: 'merchant key: of a merchant that does not exist', method: 'GET', path: '/v1/payments', authorization: `Bearer sk_${'q'.repeat(20)}_${'a'.repeat(32)}`, status: 401, code: 'invalid_api_key' },
  { name: 'merchant key: in upper case', method: 'GET', path: `${MERCHANTS}/{merchantA}`, authorization: 'Bearer {upperKeyA}', status: 401, code: 'invalid_api_key' },
  { name: 'On-Behalf-Of: a merchant that does not exist', method: 'GET', path: '/v1/payments', headers: { 'on-behalf-of': 'mer_aaaaaaaaaaaaaaaaaaaa' }, status: 404, code: 'resource_missing', param: 'On-Behalf-Of' },
  { name: 'On-Behalf-Of: not a merchant id', method: 'GET', path: '/v1/payments', headers: { 'on-behalf-of': '../../admin' }, status: 400, code: 'parameter_invalid', param: 'On-Behalf-Of' },
  { name: 'On-Behalf-Of: creating a merchant for a merchant', method: 'POST', path: MERCHANTS, body: merchant(), headers: { 'on-behalf-of': '{merchantA}' }, status: 403, code: 'on_behalf_of_not_allowed' },
  { name: 'On-Behalf-Of: reading another merchant', method: 'GET', path: `${MERCHANTS}/{merchantB}`, headers: { 'on-behalf-of': '{merchantA}' }, status: 404, code: 'resource_missing' },
  { name: 'merchant: neither organization nor person', method: 'POST', path: MERCHANTS, body: without(merchant(), 'organization'), status: 400, code: 'parameter_invalid', param: 'organization' },
  { name: 'merchant: both organization and person', method: 'POST', path: MERCHANTS, body: merchant({ person: { country: 'SE' } }), status: 400, code: 'parameter_invalid', param: 'person' },
  { name: 'merchant: a 9-digit Swedish organisation number', method: 'POST', path: MERCHANTS, body: merchant({ organization: { country: 'SE', se_organization_number: '559123537' } }), status: 400, code: 'parameter_invalid', param: 'organization.se_organization_number' },
  { name: 'merchant: two organisation numbers', method: 'POST', path: MERCHANTS, body: merchant({ organization: { country: 'SE', se_organization_number: '5591235378', no_organization_number: '123456789' } }), status: 400, code: 'parameter_invalid', param: 'organization.no_organization_number' },
  { name: 'merchant: a lower-case country', method: 'POST', path: MERCHANTS, body: merchant({ organization: { country: 'se', se_organization_number: '5591235378' } }), status: 400, code: 'parameter_invalid', param: 'organization.country' },
  { name: 'merchant: a personal identity number with letters', method: 'POST', path: MERCHANTS, body: merchant({ organization: undefined, person: { country: 'SE', se_personal_identity_number: '19900101abcd' } }), status: 400, code: 'parameter_invalid', param: 'person.se_personal_identity_number' },
  { name: 'merchant: phone instead of phone_number', method: 'POST', path: MERCHANTS, body: merchant({ phone: '0701234567' }), status: 400, code: 'parameter_unknown', param: 'phone' },
  { name: 'merchant: a name with a line break', method: 'POST', path: MERCHANTS, body: merchant({ name: 'Bageriet\nAB' }), status: 400, code: 'parameter_invalid', param: 'name' },
  { name: 'merchant: not an e-mail address', method: 'POST', path: MERCHANTS, body: merchant({ email: 'not-an-address' }), status: 400, code: 'parameter_invalid', param: 'email' },
  { name: 'merchant: a notify_url inside our network', method: 'POST', path: MERCHANTS, body: merchant({ notify_url: 'https://10.0.0.1/events' }), status: 400, code: 'url_not_allowed', param: 'notify_url' },
  { name: 'merchant: a notify_url whose name resolves inside', method: 'POST', path: MERCHANTS, body: merchant({ notify_url: 'https://internal.shop.example/events' }), status: 400, code: 'url_not_allowed', param: 'notify_url' },
  { name: 'merchant: a __proto__ key', method: 'POST', path: MERCHANTS, body: withProto(merchant({ supplier: { name: 'X', PROTO: { admin: true } } })), status: 400, code: 'parameter_invalid' },
  { name: 'merchant: its Idempotency-Key with another body', method: 'POST', path: MERCHANTS, body: merchant({ name: 'Someone else AB' }), headers: { 'idempotency-key': '{merchantAKey}' }, status: 409, code: 'idempotency_key_reused' },
  { name: 'merchant: a form-encoded create', method: 'POST', path: MERCHANTS, body: 'name=Bageriet', contentType: 'application/x-www-form-urlencoded', status: 415, code: 'unsupported_media_type' },
  { name: 'merchant: PATCH of its profile', method: 'PATCH', path: `${MERCHANTS}/{merchantA}`, body: { name: 'Renamed AB' }, status: 400, code: 'parameter_unknown', param: 'name' },
  { name: 'merchant: PATCH with no payment methods', method: 'PATCH', path: `${MERCHANTS}/{merchantA}`, body: { payment_methods: [] }, status: 400, code: 'parameter_invalid', param: 'payment_methods' },
  { name: 'merchant: PATCH as text/plain', method: 'PATCH', path: `${MERCHANTS}/{merchantA}`, body: '{"display_name":"X"}', contentType: 'text/plain', status: 415, code: 'unsupported_media_type' },
  { name: 'merchant: an id that is no merchant id', method: 'GET', path: `${MERCHANTS}/payment-link-x`, status: 404, code: 'resource_missing' },
  { name: 'merchant: a key id that does not exist', method: 'DELETE', path: `${MERCHANTS}/{merchantA}/api-keys/key_aaaaaaaaaaaaaaaa`, status: 404, code: 'resource_missing', param: 'key_id' },
  { name: 'merchant: a key id that is no key id', method: 'DELETE', path: `${MERCHANTS}/{merchantA}/api-keys/..%2F..%2Fadmin`, status: 404, code: 'resource_missing' },
  { name: 'merchant: a key with parameters', method: 'POST', path: `${MERCHANTS}/{merchantA}/api-keys`, body: { name: 'ci' }, status: 400, code: 'parameter_unknown', param: 'name' },
  { name: 'merchant: a list limit of 1000', method: 'GET', path: `${MERCHANTS}?limit=1000`, status: 400, code: 'parameter_invalid', param: 'limit' },
  { name: 'merchant: a forged list cursor', method: 'GET', path: `${MERCHANTS}?cursor=Zm9yZ2Vk.${'A'.repeat(22)}`, status: 400, code: 'parameter_invalid', param: 'cursor' },
  { name: 'merchant: a PUT', method: 'PUT', path: `${MERCHANTS}/{merchantA}`, body: { display_name: 'X' }, status: 405, code: 'method_not_allowed' },
  // --- subscriptions (issue 16): merchant A's key, unless the row says otherwise -------------------------
  { name: 'subscription: a platform key without On-Behalf-Of', method: 'POST', path: SUBSCRIPTIONS, body: subscription(), status: 400, code: 'merchant_required', param: 'On-Behalf-Of' },
  { name: 'subscription: an interval that is not a duration', method: 'POST', path: SUBSCRIPTIONS, body: subscription({ interval: 'P1X' }), authorization: 'Bearer {keyA}', status: 400, code: 'parameter_invalid', param: 'interval' },
  { name: 'subscription: a zero interval', method: 'POST', path: SUBSCRIPTIONS, body: subscription({ interval: 'P0D' }), authorization: 'Bearer {keyA}', status: 400, code: 'parameter_invalid', param: 'interval' },
  { name: 'subscription: a reminder after the grace period', method: 'POST', path: SUBSCRIPTIONS, body: subscription({ reminders: ['P1D', 'P10D'] }), authorization: 'Bearer {keyA}', status: 400, code: 'parameter_invalid', param: 'reminders[1]' },
  { name: 'subscription: an end in the past', method: 'POST', path: SUBSCRIPTIONS, body: subscription({ end: { at: '2020-01-01T00:00:00Z' } }), authorization: 'Bearer {keyA}', status: 400, code: 'parameter_invalid', param: 'end.at' },
  { name: 'subscription: a start long past', method: 'POST', path: SUBSCRIPTIONS, body: subscription({ start_at: '2020-01-01T00:00:00Z' }), authorization: 'Bearer {keyA}', status: 400, code: 'parameter_invalid', param: 'start_at' },
  { name: 'subscription: a due_at of its own', method: 'POST', path: SUBSCRIPTIONS, body: subscription({ due_at: '2030-01-01T00:00:00Z' }), authorization: 'Bearer {keyA}', status: 400, code: 'parameter_unknown', param: 'due_at' },
  { name: 'subscription: a top-level __proto__ key', method: 'POST', path: SUBSCRIPTIONS, body: withProto(subscription({ PROTO: { admin: true } })), authorization: 'Bearer {keyA}', status: 400, code: 'parameter_invalid', param: '__proto__' },
  { name: 'subscription: a notify URL inside our network', method: 'POST', path: SUBSCRIPTIONS, body: subscription({ notify_url: 'http://169.254.169.254/latest/meta-data/' }), authorization: 'Bearer {keyA}', status: 400, code: 'url_not_allowed', param: 'notify_url' },
  { name: 'subscription: an item paying another merchant', method: 'POST', path: SUBSCRIPTIONS, body: subscription({ items: [{ description: 'Gym', price: 100, quantity: 1, vat: 25, merchant_id: MERCHANT_ID }] }), authorization: 'Bearer {keyA}', status: 403, code: 'merchant_mismatch', param: 'items[0].merchant_id' },
  { name: 'subscription: a text/plain create', method: 'POST', path: SUBSCRIPTIONS, body: JSON.stringify(subscription()), contentType: 'text/plain', authorization: 'Bearer {keyA}', status: 415, code: 'unsupported_media_type' },
  { name: 'subscription: an unknown id', method: 'GET', path: NO_SUBSCRIPTION, authorization: 'Bearer {keyA}', status: 404, code: 'resource_missing', param: 'id' },
  { name: 'subscription: an id that cannot be ours', method: 'GET', path: '/v1/subscriptions/..%2F..%2Fadmin', status: 404, code: 'resource_missing', param: 'id' },
  { name: 'subscription: cancel of an unknown one', method: 'POST', path: `${NO_SUBSCRIPTION}/cancel`, body: {}, status: 404, code: 'resource_missing', param: 'id' },
  { name: 'subscription: cancel with an unknown parameter', method: 'POST', path: `${NO_SUBSCRIPTION}/cancel`, body: { reason: 'fraud' }, status: 400, code: 'parameter_unknown', param: 'reason' },
  { name: 'subscription: cancel with at_period_end as text', method: 'POST', path: `${NO_SUBSCRIPTION}/cancel`, body: { at_period_end: 'yes' }, status: 400, code: 'parameter_invalid', param: 'at_period_end' },
  { name: 'subscription: pause with a parameter', method: 'POST', path: `${NO_SUBSCRIPTION}/pause`, body: { until: 'June' }, status: 400, code: 'parameter_unknown', param: 'until' },
  { name: 'subscription: resume of an unknown one', method: 'POST', path: `${NO_SUBSCRIPTION}/resume`, status: 404, code: 'resource_missing', param: 'id' },
  { name: 'subscription: PATCH of its schedule', method: 'PATCH', path: NO_SUBSCRIPTION, body: { items: [{ description: 'Gym', price: 100, quantity: 1, vat: 25 }], interval: 'P1W' }, authorization: 'Bearer {keyA}', status: 400, code: 'parameter_unknown', param: 'interval' },
  { name: 'subscription: PATCH with no items', method: 'PATCH', path: NO_SUBSCRIPTION, body: { items: [] }, authorization: 'Bearer {keyA}', status: 400, code: 'parameter_invalid', param: 'items' },
  { name: 'subscription: a list status that does not exist', method: 'GET', path: `${SUBSCRIPTIONS}?status=lost`, status: 400, code: 'parameter_invalid', param: 'status' },
  { name: 'subscription: a forged list cursor', method: 'GET', path: `${SUBSCRIPTIONS}?cursor=Zm9yZ2Vk.${'A'.repeat(22)}`, status: 400, code: 'parameter_invalid', param: 'cursor' },
  { name: 'subscription: a PUT', method: 'PUT', path: SUBSCRIPTIONS, body: subscription(), status: 405, code: 'method_not_allowed' },
  { name: 'merchant callback: a forged token', method: 'POST', path: `${MERCHANT_CALLBACK}/forged`, body: { merchant_id: randomUUID(), status: 'APPROVED' }, authorization: null, status: 401, code: 'invalid_webhook_token' },
  { name: 'merchant callback: a payment’s callback token', method: 'POST', path: `${MERCHANT_CALLBACK}/{linkCallbackToken}`, body: { merchant_id: randomUUID(), status: 'APPROVED' }, authorization: null, status: 401, code: 'invalid_webhook_token' },
  { name: 'merchant callback: the top-up token', method: 'POST', path: `${MERCHANT_CALLBACK}/{topUpToken}`, body: { merchant_id: randomUUID(), status: 'APPROVED' }, authorization: null, status: 401, code: 'invalid_webhook_token' },
  { name: 'merchant callback: a JSON array', method: 'POST', path: `${MERCHANT_CALLBACK}/{merchantStatusToken}`, body: '[{"status":"APPROVED"}]', authorization: null, status: 400, code: 'callback_invalid' },
  { name: 'merchant callback: a merchant id that is no id', method: 'POST', path: `${MERCHANT_CALLBACK}/{merchantStatusToken}`, body: { merchant_id: "x' OR 1=1", status: 'APPROVED' }, authorization: null, status: 400, code: 'callback_invalid' },
  { name: 'merchant callback: text/plain', method: 'POST', path: `${MERCHANT_CALLBACK}/{merchantStatusToken}`, body: 'status=APPROVED', contentType: 'text/plain', authorization: null, status: 415, code: 'unsupported_media_type' },
  { name: 'top-up callback: the merchant token', method: 'POST', path: `${TOP_UP_CALLBACK}/{merchantStatusToken}`, body: { amount: 100 }, authorization: null, status: 401, code: 'invalid_webhook_token' },
  { name: 'top-up callback: a GET', method: 'GET', path: `${TOP_UP_CALLBACK}/{topUpToken}`, authorization: null, status: 405, code: 'method_not_allowed' },
];

/**
 * Two merchants and A's keys for the merchant rows: `{merchantA}`, `{merchantB}`, `{merchantAKey}` (the
 * Idempotency-Key that made A), `{keyA}` and `{keyIdA}`, a revoked `{revokedKeyA}`, forged keys, and the
 * tenant callbacks' tokens. A's key is used once here, so its `last_used_at` is written before the snapshot.
 * Both are approved before the table runs.
 */
async function setUpMerchants(stack: PaymentsStack): Promise<Record<string, string>> {
  const merchantAKey = `hostile-merchant-${randomUUID()}`;
  const a = await stack.call('POST', MERCHANTS, merchant(), { 'Idempotency-Key': merchantAKey });
  const b = await stack.call('POST', MERCHANTS, merchant({ name: 'Blommor AB', organization: { country: 'SE', se_organization_number: '5560360793' } }));
  const keyA = await stack.call('POST', `${MERCHANTS}/${a.body.id}/api-keys`);
  const revoked = await stack.call('POST', `${MERCHANTS}/${a.body.id}/api-keys`);
  for (const created of [a, b, keyA, revoked]) expect(created.status).toBe(201);
  expect((await stack.call('DELETE', `${MERCHANTS}/${a.body.id}/api-keys/${revoked.body.id}`)).status).toBe(200);
  expect((await stack.call('GET', `${MERCHANTS}/${a.body.id}`, undefined, { authorization: `Bearer ${keyA.body.secret}` })).status).toBe(200);
  // Approved merchants stop polling Ping: their last calls belong before the snapshot.
  for (const id of [a.body.id, b.body.id]) {
    for (let i = 0; i < 100 && (await stack.call('GET', `${MERCHANTS}/${id}`)).body.status !== 'approved'; i++) await new Promise((r) => setTimeout(r, 200));
  }
  const secret = String(keyA.body.secret);
  return {
    merchantA: a.body.id,
    merchantB: b.body.id,
    merchantAKey,
    keyA: secret,
    keyIdA: keyA.body.id,
    revokedKeyA: revoked.body.secret,
    forgedKeyA: `${secret.slice(0, secret.lastIndexOf('_') + 1)}${'a'.repeat(32)}`,
    crossKey: `sk_${String(b.body.id).slice(4)}${secret.slice(secret.lastIndexOf('_'))}`,
    upperKeyA: secret.toUpperCase(),
    merchantStatusToken: tenantWebhookToken(TEST_WEBHOOK_SECRET, 'merchant-status'),
    topUpToken: tenantWebhookToken(TEST_WEBHOOK_SECRET, 'credit-top-up'),
  };
}

describe('hostile input', () => {
  let stack: PaymentsStack;
  let ids: Ids;
  let tokens: Record<string, string>;
  let before: { count: number; merchants: number; calls: Record<string, number> };

  // Long polls: a waiting payment must not call Ping on its own while the table runs.
  beforeAll(async () => {
    stack = await startPaymentsStack({ pollInitialMs: 600_000, pollMaxMs: 600_000, outboundUrls: { api: { allowHttp: true, allowPrivate: false, resolve: ssrfDns } } });
    const linkKey = `hostile-${randomUUID()}`;
    const linked = await stack.call('POST', LINKS, linkRequest(), { 'Idempotency-Key': linkKey });
    const pis = await stack.call('POST', PIS, pisRequest());
    const toCancel = await stack.call('POST', LINKS, linkRequest());
    for (const created of [linked, pis, toCancel]) expect(created.status).toBe(201);
    expect((await stack.call('POST', `/v1/payments/${toCancel.body.id}/cancel`)).status).toBe(200);
    await stack.waitForPayment(toCancel.body.id, (p) => p.status === 'cancelled');
    // A cancelled payment watches Ping for a late payment (1 s here) before its workflow closes; its
    // last look at Ping belongs before the snapshot, not in the table's time.
    await stack.client.workflow.getHandle(toCancel.body.id).result();
    ids = { link: linked.body.id, pis: pis.body.id, cancelled: toCancel.body.id, linkKey };
    tokens = {
      linkCallbackToken: webhookToken(TEST_WEBHOOK_SECRET, ids.link),
      linkReturnToken: webhookToken(TEST_WEBHOOK_SECRET, ids.link, 'payer-return'),
      pisCallbackToken: webhookToken(TEST_WEBHOOK_SECRET, ids.pis),
      pisReturnToken: webhookToken(TEST_WEBHOOK_SECRET, ids.pis, 'payer-return'),
      unknownCallbackToken: webhookToken(TEST_WEBHOOK_SECRET, 'payment-link-never-created'),
      unknownReturnToken: webhookToken(TEST_WEBHOOK_SECRET, 'pis-payment-never-created', 'payer-return'),
      ...(await setUpMerchants(stack)),
    };
    for (let i = 0; i < 50 && ((await snapshot()).count < 3 || (await snapshot()).merchants < 2); i++) await new Promise((r) => setTimeout(r, 200));
    before = await settledSnapshot();
    expect(before.count).toBe(3);
    expect(before.merchants).toBe(2);
    merchantsBefore = await merchantsNow();
  }, 60_000);
  afterAll(() => stack?.stop());

  let merchantsBefore: unknown;
  /** The table's merchants as their workflows have them, keys included. */
  const merchantsNow = async () => ({
    a: (await stack.call('GET', `${MERCHANTS}/${tokens.merchantA}`)).body,
    b: (await stack.call('GET', `${MERCHANTS}/${tokens.merchantB}`)).body,
    keys: (await stack.call('GET', `${MERCHANTS}/${tokens.merchantA}/api-keys`)).body,
  });

  /** This stack's payments, merchants and subscriptions in visibility, and every call the sandbox has received. */
  const snapshot = async () => ({
    count: Number((await stack.client.workflow.count(`PaymentFlow IN ('link', 'pis') AND TaskQueue = '${stack.worker.taskQueue}'`)).count),
    merchants: Number((await stack.client.workflow.count(`WorkflowType = 'merchant' AND TaskQueue = '${stack.worker.taskQueue}'`)).count),
    subscriptions: Number((await stack.client.workflow.count(`WorkflowType = 'subscription' AND TaskQueue = '${stack.worker.taskQueue}'`)).count),
    calls: (await stack.control('GET', '/counters')).calls as Record<string, number>,
  });

  /** Visibility is eventually consistent, and a new payment's last calls may still be under way. */
  const settledSnapshot = async () => {
    let last = await snapshot();
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const next = await snapshot();
      if (JSON.stringify(next) === JSON.stringify(last)) return next;
      last = next;
    }
    return last;
  };

  const fill = (template: string) =>
    template.replace(/\{(\w+)\}/g, (whole, name: string) => (ids as unknown as Record<string, string>)[name] ?? tokens[name] ?? whole);

  it('has at least 60 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const headers: Record<string, string> = { ...c.headers };
    if (c.authorization !== null) headers.authorization = c.authorization ?? `Bearer ${TEST_API_KEY}`;
    let body: string | Buffer | undefined;
    if (c.body !== undefined) {
      body = typeof c.body === 'string' || Buffer.isBuffer(c.body) ? c.body : JSON.stringify(c.body);
      if (c.contentType !== null) headers['content-type'] = c.contentType ?? 'application/json';
    }
    for (const [key, value] of Object.entries(headers)) headers[key] = fill(value);
    const res = await fetch(`${stack.api.url}${fill(c.path)}`, { method: c.method, headers, body, redirect: 'manual' });
    const text = await res.text();

    expect({ status: res.status, text: text.slice(0, 300) }).toEqual({ status: c.status, text: expect.any(String) });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(text).not.toMatch(/<html|<!DOCTYPE|\bat \S+ \(|node_modules|\.ts:\d+/i);
    const parsed = JSON.parse(text) as { error: Record<string, unknown> };
    expect(Object.keys(parsed)).toEqual(['error']);
    expect(parsed.error).toEqual(
      expect.objectContaining({
        type: expect.stringMatching(/^(invalid_request_error|authentication_error|idempotency_error)$/),
        code: c.code,
        message: expect.any(String),
        request_id: res.headers.get('x-request-id'),
      }),
    );
    expect((parsed.error.message as string).length).toBeGreaterThan(5);
    expect(parsed.error.request_id).toBeTruthy();
    if (c.param !== undefined) expect(parsed.error.param).toBe(c.param);
    if (c.status === 401 && c.code.endsWith('api_key')) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    if (c.status === 405) expect(res.headers.get('allow')).toBeTruthy();
  });

  it('started and changed nothing: the same payments in visibility and the same calls at Ping', async () => {
    await new Promise((r) => setTimeout(r, 1000));
    const after = await snapshot();
    expect(after).toEqual(before);
    // The payments the table aimed at are as they were.
    expect((await stack.call('GET', `/v1/payments/${ids.link}`)).body.status).toBe('awaiting_payment');
    expect((await stack.call('GET', `/v1/payments/${ids.pis}`)).body.status).toBe('awaiting_payment');
    expect(await merchantsNow()).toEqual(merchantsBefore);
  });
});
