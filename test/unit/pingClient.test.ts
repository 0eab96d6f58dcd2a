import http from 'node:http';
import net from 'node:net';
import { Agent } from 'undici';
import { createPingClient, PING_API_VERSION, PingApiError, type PingClient, type PingClientOptions } from '../../ping';

/**
 * The client against a real HTTP server on loopback: what goes on the wire, and how every kind of
 * answer (or silence) comes back. Nothing is mocked; the server plays Ping per test.
 */

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  remotePort: number | undefined;
}

type Reply = (req: Received, res: http.ServerResponse) => void;

const TENANT = '00000000-0000-4000-8000-000000000001';
const SECRET = 'test-secret-0123456789';
const ORDER_ID = '7b0a7d52-3b1e-4a55-9b61-1f1c2b7c9a10';
const PAYMENT_ID = '15c44587-7ebb-43a3-b437-8d00e5f8df7a';
const LINK_ID = 'a25cdd3b-f95f-4861-87e4-1ca0a6be748e';
const MERCHANT_ID = '0b0c1d2e-3f40-4152-8364-758697a8b9ca';

let server: http.Server;
let origin: string;
let received: Received[];
let reply: Reply;
let client: PingClient;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };
}

function text(status: number, body: string, contentType = 'text/plain'): Reply {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(body);
  };
}

const noContent: Reply = (_req, res) => {
  res.writeHead(204);
  res.end();
};

/** Never answers: the request stays open until the client gives up. */
const silence: Reply = () => undefined;

function makeClient(overrides: Partial<PingClientOptions> = {}): PingClient {
  return createPingClient({
    paymentsApiUrl: `${origin}/payments/`,
    paymentLinksApiUrl: `${origin}/payment_links/`,
    tenantId: TENANT,
    apiSecret: SECRET,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<PingApiError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(PingApiError);
    return err as PingApiError;
  }
  throw new Error('expected the call to fail');
}

const payment = {
  id: PAYMENT_ID,
  status: 'PENDING',
  status_history: [{ id: ORDER_ID, status: 'PENDING', occurred_at: '2024-01-16T14:24:29.105356Z', funds: null, details: null }],
  currency: 'SEK',
  total_amount: 10000,
  order_items: [{ amount: 10000, name: 'Pizza', vat_rate: 12.0, merchant_id: MERCHANT_ID, metadata: {}, tags: [] }],
  provider: 'open_payments',
  method: 'pis',
  metadata: {},
  payment_order_id: ORDER_ID,
};

const pisRequest = {
  currency: 'SEK' as const,
  total_amount: 10000,
  order_items: [{ amount: 10000, name: 'Pizza', vat_rate: 12, merchant_id: MERCHANT_ID }],
  provider: 'open_payments' as const,
  method: 'pis' as const,
  provider_method_parameters: {
    success_url: 'https://shop.example/ok',
    error_url: 'https://shop.example/error',
    cancel_url: 'https://shop.example/cancel',
    reference: 'order-42',
  },
  status_callback_url: 'https://orchestrator.example/webhooks/ping/payments/abc',
};

const link = {
  payment_link_id: LINK_ID,
  status: 'CREATED',
  sms_status: 'DELIVERD',
  total_amount: 14000,
  payment_order_id: ORDER_ID,
  items: [{ description: 'Hawaii Pizza', merchant_id: MERCHANT_ID, price: 7000, quantity: 2, vat: 12, unit: 'st' }],
  checkout_url: 'https://checkout.example/links/a25cdd3b',
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        remotePort: req.socket.remotePort,
      };
      received.push(r);
      reply(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received = [];
  reply = json(500, { errors: [{ error: 'no_reply_set', description: 'test forgot to set a reply' }] });
  client = makeClient();
});

afterEach(async () => {
  await client.close();
  // Requests a test left hanging on purpose must not keep sockets open into the next test.
  server.closeAllConnections();
});

describe('what goes on the wire', () => {
  test('a create sends the contract headers, a JSON body with the SDK defaults, and reads the id', async () => {
    reply = json(200, { id: ORDER_ID });
    const created = await client.createPaymentOrder({ currency: 'SEK' });

    expect(created).toEqual({ id: ORDER_ID });
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req!.method).toBe('POST');
    expect(req!.url).toBe('/payments/api/v1/payment_orders');
    expect(req!.headers['tenant_id']).toBe(TENANT);
    expect(req!.headers['x-api-secret']).toBe(SECRET);
    expect(req!.headers['x-api-version']).toBe(PING_API_VERSION);
    expect(PING_API_VERSION).toBe('2025-12-09');
    expect(req!.headers['accept']).toBe('application/json');
    expect(req!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(req!.body)).toEqual({ currency: 'SEK', split_parameters: {}, split_tree_id: null });
  });

  test('a read sends no body and no content-type, and the secret is left out when none is configured', async () => {
    await client.close();
    client = makeClient({ apiSecret: undefined });
    reply = json(200, payment);

    await client.getPayment(ORDER_ID, PAYMENT_ID);

    const [req] = received;
    expect(req!.method).toBe('GET');
    expect(req!.url).toBe(`/payments/api/v1/payment_orders/${ORDER_ID}/payments/${PAYMENT_ID}`);
    expect(req!.body).toBe('');
    expect(req!.headers['content-type']).toBeUndefined();
    expect(req!.headers['x-api-secret']).toBeUndefined();
    expect(req!.headers['tenant_id']).toBe(TENANT);
  });

  test('base URLs keep their path, with or without the trailing slash, as the SDK resolves them', async () => {
    await client.close();
    client = makeClient({ paymentsApiUrl: `${origin}/payments`, paymentLinksApiUrl: `${origin}/some/prefix/payment_links` });
    reply = text(200, 'pong');

    await expect(client.pingPayments()).resolves.toBe('pong');
    await expect(client.pingPaymentLinks()).resolves.toBe('pong');

    expect(received.map((r) => r.url)).toEqual(['/payments/api/v1/ping', '/some/prefix/payment_links/api/v1/ping']);
    expect(received[0]!.headers['accept']).toBe('application/json');
  });

  test('mutations PUT an empty JSON object to the contract paths and accept 204', async () => {
    reply = noContent;
    await client.closePaymentOrder(ORDER_ID);
    await client.stopPayment(ORDER_ID, PAYMENT_ID);
    await client.cancelPaymentLink(LINK_ID);

    expect(received.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual([
      `PUT /payments/api/v1/payment_orders/${ORDER_ID}/close {}`,
      `PUT /payments/api/v1/payment_orders/${ORDER_ID}/payments/${PAYMENT_ID}/stop {}`,
      `PUT /payment_links/api/v1/payment_links/${LINK_ID}/cancel {}`,
    ]);
  });

  test('connections are kept alive and reused between requests', async () => {
    reply = text(200, 'pong');
    for (let i = 0; i < 4; i += 1) {
      await client.pingPayments();
      await client.pingPaymentLinks();
    }

    expect(received).toHaveLength(8);
    // undici's pool may open a second socket while the first is still being marked idle, then
    // alternates; without keep-alive every request would arrive on a new port.
    expect(new Set(received.map((r) => r.remotePort)).size).toBeLessThanOrEqual(2);
  });
});

describe('payments', () => {
  test('a PIS initiate sends the typed body (no junk payment_order_id) and returns the payment id', async () => {
    reply = json(200, { id: PAYMENT_ID, provider_method_response: { redirect_url: 'https://bank.example/checkout/1' } });

    const result = await client.initiatePayment(ORDER_ID, pisRequest);

    expect(result.id).toBe(PAYMENT_ID);
    expect(result.checkoutUrl).toBe('https://bank.example/checkout/1');
    const [req] = received;
    expect(req!.url).toBe(`/payments/api/v1/payment_orders/${ORDER_ID}/payments`);
    const sent = JSON.parse(req!.body) as Record<string, unknown>;
    expect(sent).toEqual({
      ...pisRequest,
      order_items: [{ amount: 10000, name: 'Pizza', vat_rate: 12, merchant_id: MERCHANT_ID, metadata: {}, tags: [] }],
      metadata: {},
    });
    expect(sent).not.toHaveProperty('payment_order_id');
  });

  test.each([
    ['url', 'https://bank.example/a'],
    ['redirect_url', 'https://bank.example/b'],
    ['checkout_url', 'https://bank.example/c'],
    ['pay_url', 'https://bank.example/d'],
    ['payment_url', 'https://bank.example/e'],
    ['payment_link_url', 'https://bank.example/f'],
  ])('the bank checkout URL under provider_method_response.%s is normalised to checkoutUrl', async (key, url) => {
    reply = json(200, { id: PAYMENT_ID, provider_method_response: { [key]: url, reference: 'x' } });
    const result = await client.initiatePayment(ORDER_ID, pisRequest);
    expect(result.checkoutUrl).toBe(url);
    expect(result.provider_method_response).toEqual({ [key]: url, reference: 'x' });
  });

  test('a checkout URL at the top level of the response is found when provider_method_response has none', async () => {
    reply = json(200, { id: PAYMENT_ID, provider_method_response: {}, checkout_url: 'https://bank.example/top' });
    const result = await client.initiatePayment(ORDER_ID, pisRequest);
    expect(result.checkoutUrl).toBe('https://bank.example/top');
  });

  test('a response without a web URL gives no checkoutUrl rather than a guess', async () => {
    reply = json(200, { id: PAYMENT_ID, provider_method_response: { url: 'swish://paymentrequest?token=abc', qr_code: '<svg/>' } });
    const result = await client.initiatePayment(ORDER_ID, { ...pisRequest, provider: 'swish', method: 'm_commerce', provider_method_parameters: { message: 'Tack' } });
    expect(result.checkoutUrl).toBeUndefined();
  });

  test('unknown fields are tolerated and kept, at the top and nested', async () => {
    reply = json(200, { ...payment, brand_new_field: { a: 1 }, status_history: [{ ...payment.status_history[0], extra: true }] });

    const read = await client.getPayment(ORDER_ID, PAYMENT_ID);

    expect(read.status).toBe('PENDING');
    expect(read).toHaveProperty('brand_new_field', { a: 1 });
    expect(read.status_history?.[0]).toHaveProperty('extra', true);
  });

  test('a payment order reads with its payments and keeps unknown fields', async () => {
    reply = json(200, { id: ORDER_ID, status: 'OPEN', created_at: '2024-01-16T14:24:29Z', currency: 'SEK', split_tree_id: null, payments: [payment], x: 1 });
    const order = await client.getPaymentOrder(ORDER_ID);
    expect(order.status).toBe('OPEN');
    expect(order.payments?.[0]?.id).toBe(PAYMENT_ID);
    expect(order).toHaveProperty('x', 1);
  });

  test('a response missing a required field is rejected, naming the field', async () => {
    const { status: _status, ...withoutStatus } = payment;
    reply = json(200, withoutStatus);

    const err = await failure(client.getPayment(ORDER_ID, PAYMENT_ID));

    expect(err.code).toBe('invalid_response');
    expect(err.retryable).toBe(false);
    expect(err.status).toBe(200);
    expect(err.endpoint).toBe('getPayment');
    expect(err.message).toContain('status: missing required field');
  });

  test('a nested missing field is named by its full path', async () => {
    reply = json(200, { ...payment, status_history: [{ status: 'PENDING' }] });
    const err = await failure(client.getPayment(ORDER_ID, PAYMENT_ID));
    expect(err.message).toContain('status_history[0].occurred_at: missing required field');
  });

  test('a status outside the contract is rejected rather than guessed at', async () => {
    reply = json(200, { ...payment, status: 'PAID' });
    const err = await failure(client.getPayment(ORDER_ID, PAYMENT_ID));
    expect(err.code).toBe('invalid_response');
    expect(err.message).toMatch(/^Ping getPayment returned an invalid response: status: /);
  });

  test('a success body that is not JSON is an invalid response', async () => {
    reply = text(200, '<html>oops</html>', 'text/html');
    const err = await failure(client.createPaymentOrder({ currency: 'SEK' }));
    expect(err.code).toBe('invalid_response');
    expect(err.retryable).toBe(false);
  });

  test('ping that does not say pong is an invalid response', async () => {
    reply = text(200, 'ok');
    const err = await failure(client.pingPayments());
    expect(err.code).toBe('invalid_response');
  });
});

describe('settlement and refunds', () => {
  const allocation = {
    id: LINK_ID,
    allocated_at: '2024-01-16T14:24:29Z',
    amount: 9000,
    currency: 'SEK',
    disbursed_at: null,
    disbursement_id: null,
    label: null,
    merchant_id: MERCHANT_ID,
    metadata: {},
    payment_id: PAYMENT_ID,
    payment_order_id: ORDER_ID,
    recipient_bank_account: { iban: 'SE4550000000058398257466' },
    recipient_name: 'Pizzeria AB',
    recipient_type: 'merchant',
    reference: 'ref-1',
    settled_at: null,
    order_item_merchant_id: MERCHANT_ID,
  };

  test('split and settle PUT fast_forward (false unless asked) and accept 204', async () => {
    reply = noContent;
    await client.splitPaymentOrder(ORDER_ID);
    await client.settlePaymentOrder(ORDER_ID, { fastForward: false });
    await client.splitPaymentOrder(ORDER_ID, { fastForward: true });
    await client.settlePaymentOrder(ORDER_ID, { fastForward: true });

    expect(received.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual([
      `PUT /payments/api/v1/payment_orders/${ORDER_ID}/split {"fast_forward":false}`,
      `PUT /payments/api/v1/payment_orders/${ORDER_ID}/settle {"fast_forward":false}`,
      `PUT /payments/api/v1/payment_orders/${ORDER_ID}/split {"fast_forward":true}`,
      `PUT /payments/api/v1/payment_orders/${ORDER_ID}/settle {"fast_forward":true}`,
    ]);
    expect(received[0]!.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  test("a split Ping refuses keeps Ping's code, and is final", async () => {
    reply = json(403, { errors: [{ error: 'operation_forbidden', description: 'PaymentOrder must be CLOSED before it is split' }] });
    const err = await failure(client.splitPaymentOrder(ORDER_ID));
    expect(err).toMatchObject({ endpoint: 'splitPaymentOrder', status: 403, code: 'operation_forbidden', retryable: false });
  });

  test('allocations are a bare array read loosely: nulls, missing optional fields and unknown fields pass', async () => {
    const tenantShare = { amount: 1000, currency: 'SEK', recipient_type: 'tenant', merchant_id: null, brand_new: 1 };
    reply = json(200, [allocation, tenantShare, { ...allocation, recipient_type: 'someone_new', metadata: null, recipient_bank_account: null }]);

    const read = await client.getPaymentOrderAllocations(ORDER_ID);

    expect(received[0]!.url).toBe(`/payments/api/v1/payment_orders/${ORDER_ID}/allocations`);
    expect(read.map((a) => [a.recipient_type, a.merchant_id ?? null, a.amount, a.currency])).toEqual([
      ['merchant', MERCHANT_ID, 9000, 'SEK'],
      ['tenant', null, 1000, 'SEK'],
      ['someone_new', MERCHANT_ID, 9000, 'SEK'],
    ]);
    expect(read[0]!.recipient_name).toBe('Pizzeria AB');
  });

  test('an allocation without its amount, or a page instead of the bare array, is an invalid response', async () => {
    const { amount: _a, ...withoutAmount } = allocation;
    reply = json(200, [withoutAmount]);
    expect((await failure(client.getPaymentOrderAllocations(ORDER_ID))).message).toContain('[0].amount: missing required field');
    reply = json(200, { data: [allocation], _links: {} });
    expect((await failure(client.getPaymentOrderAllocations(ORDER_ID))).code).toBe('invalid_response');
  });

  test('a refund POSTs amount, currency, reason and description (default "") and reads any status', async () => {
    reply = json(200, { amount: 10000, currency: 'SEK', provider: 'dummy', status: 'PENDING' });

    const answer = await client.refundPayment(ORDER_ID, PAYMENT_ID, { amount: 10000, currency: 'SEK', reason: 'requested_by_customer' });

    expect(answer).toEqual({ amount: 10000, currency: 'SEK', provider: 'dummy', status: 'PENDING' });
    const [req] = received;
    expect(`${req!.method} ${req!.url}`).toBe(`POST /payments/api/v1/payment_orders/${ORDER_ID}/payments/${PAYMENT_ID}/refund`);
    expect(JSON.parse(req!.body)).toEqual({ amount: 10000, currency: 'SEK', reason: 'requested_by_customer', description: '' });

    reply = json(200, { status: 'SOMETHING_NEW', extra: true });
    await expect(client.refundPayment(ORDER_ID, PAYMENT_ID, { amount: 1, currency: 'SEK', reason: 'other', description: 'late' })).resolves.toMatchObject({
      status: 'SOMETHING_NEW',
    });
    // Once Ping said 200 the money is on its way: even an empty answer is not a failure.
    reply = json(200, {});
    await expect(client.refundPayment(ORDER_ID, PAYMENT_ID, { amount: 1, currency: 'SEK', reason: 'other' })).resolves.toEqual({});
  });

  test('a refund answered 204 (not the promised 200) is an unexpected status, not retryable', async () => {
    reply = noContent;
    const err = await failure(client.refundPayment(ORDER_ID, PAYMENT_ID, { amount: 100, currency: 'SEK', reason: 'other' }));
    expect(err).toMatchObject({ code: 'unexpected_status', status: 204, retryable: false });
  });

  test('a refund Ping refuses keeps its code', async () => {
    reply = json(403, { errors: [{ error: 'already_refunded', description: 'Payment has already been refunded' }] });
    const err = await failure(client.refundPayment(ORDER_ID, PAYMENT_ID, { amount: 100, currency: 'SEK', reason: 'other' }));
    expect(err).toMatchObject({ endpoint: 'refundPayment', status: 403, code: 'already_refunded', retryable: false });
  });

  test.each([
    ['a zero amount', { amount: 0, currency: 'SEK', reason: 'other' }, 'amount'],
    ['a fractional amount', { amount: 10.5, currency: 'SEK', reason: 'other' }, 'amount'],
    ['an unknown reason', { amount: 100, currency: 'SEK', reason: 'changed_my_mind' }, 'reason'],
    ['an unknown currency', { amount: 100, currency: 'USD', reason: 'other' }, 'currency'],
  ])('a refund with %s is refused before sending', async (_case, body, field) => {
    const err = await failure(client.refundPayment(ORDER_ID, PAYMENT_ID, body as Parameters<PingClient['refundPayment']>[2]));
    expect(err.code).toBe('invalid_request');
    expect(err.message).toContain(field);
    expect(received).toHaveLength(0);
  });

  test('ids that are not Guids never reach the settlement or refund URLs', async () => {
    const calls: Array<Promise<unknown>> = [
      client.splitPaymentOrder('../tenant'),
      client.settlePaymentOrder('0'),
      client.getPaymentOrderAllocations('x/../../y'),
      client.refundPayment(ORDER_ID, '../../../tenant', { amount: 100, currency: 'SEK', reason: 'other' }),
    ];
    for (const pending of calls) expect((await failure(pending)).code).toBe('invalid_request');
    expect(received).toHaveLength(0);
  });
});

describe('request validation: nothing is sent', () => {
  test('a total that differs from the items is refused before sending, naming the field', async () => {
    const err = await failure(client.initiatePayment(ORDER_ID, { ...pisRequest, total_amount: 9999 }));
    expect(err.code).toBe('invalid_request');
    expect(err.retryable).toBe(false);
    expect(err.status).toBeUndefined();
    expect(err.message).toContain('total_amount');
    expect(received).toHaveLength(0);
  });

  test('a PIS request without a cancel_url names the missing parameter', async () => {
    const { cancel_url: _c, ...params } = pisRequest.provider_method_parameters;
    const err = await failure(client.initiatePayment(ORDER_ID, { ...pisRequest, provider_method_parameters: params as typeof pisRequest.provider_method_parameters }));
    expect(err.message).toContain('provider_method_parameters.cancel_url: missing required field');
    expect(received).toHaveLength(0);
  });

  test('an id that is not a Guid never reaches the URL', async () => {
    const err = await failure(client.getPaymentLink('../../payments/api/v1/tenant'));
    expect(err.code).toBe('invalid_request');
    expect(err.message).toContain('paymentLinkId');
    expect(received).toHaveLength(0);
  });
});

describe('errors', () => {
  test('the Payments API error shape is parsed: code, description, property, status', async () => {
    reply = json(403, {
      errors: [
        { error: 'payment_order_closed', description: 'Cannot initiate new Payments when PaymentOrder has been closed', property: null, additional_information: {} },
        { error: 'second_problem', description: 'and another', property: 'order_items' },
      ],
    });

    const err = await failure(client.initiatePayment(ORDER_ID, pisRequest));

    expect(err.status).toBe(403);
    expect(err.code).toBe('payment_order_closed');
    expect(err.codes).toEqual(['payment_order_closed', 'second_problem']);
    expect(err.description).toBe('Cannot initiate new Payments when PaymentOrder has been closed');
    expect(err.property).toBe('order_items');
    expect(err.endpoint).toBe('initiatePayment');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('HTTP 403');
    expect(err.message).toContain('payment_order_closed');
  });

  test('the flat Payment Links error shape is parsed', async () => {
    reply = json(422, { error: 'null_value', description: 'null value where string expected', property: 'customer.first_name' });

    const err = await failure(client.distributePaymentLink(LINK_ID, { methods: ['sms'] }));

    expect(err.status).toBe(422);
    expect(err.code).toBe('null_value');
    expect(err.description).toBe('null value where string expected');
    expect(err.property).toBe('customer.first_name');
    expect(err.retryable).toBe(false);
  });

  test('either shape is read on either API', async () => {
    reply = json(404, { errors: [{ error: 'not_found', description: 'no such link' }] });
    expect((await failure(client.getPaymentLink(LINK_ID))).code).toBe('not_found');
    reply = json(404, { error: 'not_found', description: 'no such payment' });
    expect((await failure(client.getPayment(ORDER_ID, PAYMENT_ID))).code).toBe('not_found');
  });

  test('a non-JSON error body is kept raw', async () => {
    reply = text(502, '<html>Bad Gateway</html>', 'text/html');
    const err = await failure(client.getPaymentOrder(ORDER_ID));
    expect(err.status).toBe(502);
    expect(err.code).toBe('http_error');
    expect(err.rawBody).toBe('<html>Bad Gateway</html>');
    expect(err.errors).toEqual([]);
    expect(err.retryable).toBe(true);
  });

  test.each([
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [422, false],
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
  ])('HTTP %i is retryable: %s', async (status, retryable) => {
    reply = json(status, { errors: [{ error: 'e', description: 'd' }] });
    const err = await failure(client.getPaymentLinkReceipt(LINK_ID));
    expect(err.status).toBe(status);
    expect(err.retryable).toBe(retryable);
  });

  test('429 carries Retry-After for a caller that honours it', async () => {
    reply = json(429, { error: 'rate_limited', description: 'slow down' }, { 'retry-after': '3' });
    const err = await failure(client.listPaymentLinks());
    expect(err.retryAfterMs).toBe(3000);
    expect(err.retryable).toBe(true);
  });

  test('201 on a create is an error, and not retryable (it may have created something)', async () => {
    reply = json(201, { id: ORDER_ID });
    const err = await failure(client.createPaymentOrder({ currency: 'SEK' }));
    expect(err.code).toBe('unexpected_status');
    expect(err.status).toBe(201);
    expect(err.retryable).toBe(false);
  });

  test('200 on a mutation is an error too: the contract says 204', async () => {
    reply = json(200, {});
    const err = await failure(client.cancelPaymentLink(LINK_ID));
    expect(err.code).toBe('unexpected_status');
    expect(err.status).toBe(200);
  });

  test('a server that never answers times out, retryably', async () => {
    await client.close();
    client = makeClient({ timeoutMs: 150 });
    reply = silence;
    const started = Date.now();

    const err = await failure(client.getPaymentOrder(ORDER_ID));

    expect(err.code).toBe('timeout');
    expect(err.retryable).toBe(true);
    expect(err.status).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(received).toHaveLength(1);
  });

  test('a server that sends headers and then stalls the body times out too', async () => {
    await client.close();
    client = makeClient({ timeoutMs: 200 });
    reply = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":');
    };
    const err = await failure(client.createPaymentOrder({ currency: 'SEK' }));
    expect(err.code).toBe('timeout');
    expect(err.retryable).toBe(true);
  });

  test('a refused connection is a retryable connection error', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    await client.close();
    client = makeClient({ paymentsApiUrl: `http://127.0.0.1:${closedPort}/payments/` });

    const err = await failure(client.pingPayments());

    expect(err.code).toBe('connection_error');
    expect(err.retryable).toBe(true);
    expect(err.status).toBeUndefined();
    expect(err.message).toContain('ECONNREFUSED');
  });
});

describe('cancellation', () => {
  test("the caller's signal aborts a request in flight, and that is not retryable", async () => {
    reply = silence;
    const controller = new AbortController();
    const pending = client.getPaymentLink(LINK_ID, { signal: controller.signal });
    await waitFor(() => received.length === 1);
    controller.abort();

    const err = await failure(pending);

    expect(err.code).toBe('aborted');
    expect(err.retryable).toBe(false);
  });

  test('an already aborted signal sends nothing', async () => {
    reply = text(200, 'pong');
    const err = await failure(client.pingPaymentLinks({ signal: AbortSignal.abort() }));
    expect(err.code).toBe('aborted');
    expect(received).toHaveLength(0);
  });

  test("a caller's own timeout signal counts as a timeout, which is retryable", async () => {
    reply = silence;
    const err = await failure(client.getPaymentLinkInvoice(LINK_ID, { signal: AbortSignal.timeout(100) }));
    expect(err.code).toBe('timeout');
    expect(err.retryable).toBe(true);
  });
});

describe('payment links', () => {
  test('create sends the typed body (both street spellings, SDK defaults) and returns id and checkout_url', async () => {
    reply = json(200, { id: LINK_ID, checkout_url: 'https://checkout.example/links/a25cdd3b' });

    const created = await client.createPaymentLink({
      payment_order_id: ORDER_ID,
      currency: 'SEK',
      total_amount: 14000,
      locale: 'sv-SE',
      customer: { first_name: 'Bertil', last_name: 'Jönsson', phone: '0700000000' },
      supplier: { name: 'Pizzeria AB' },
      items: [{ description: 'Hawaii Pizza', merchant_id: MERCHANT_ID, price: 7000, quantity: 2, vat: 12 }],
      payment_provider_methods: [{ provider: 'swish', method: 'm_commerce', parameters: { swish_message: 'Tack' } }, { provider: 'billmate', method: 'invoice' }],
      invoice_address: { city: 'Örebro', street_address: 'Storgatan 1', zip: '70225' },
      payment_link_status_callback_url: 'https://orchestrator.example/webhooks/ping/payment-links/x',
    });

    expect(created).toEqual({ id: LINK_ID, checkout_url: 'https://checkout.example/links/a25cdd3b' });
    const [req] = received;
    expect(`${req!.method} ${req!.url}`).toBe('POST /payment_links/api/v1/payment_links');
    const sent = JSON.parse(req!.body) as Record<string, unknown>;
    expect(sent.invoice_address).toEqual({ city: 'Örebro', street_addres: 'Storgatan 1', street_address: 'Storgatan 1', zip: '70225' });
    expect(sent.items).toEqual([{ description: 'Hawaii Pizza', merchant_id: MERCHANT_ID, price: 7000, quantity: 2, vat: 12, unit: 'st', metadata: {}, tags: [] }]);
    expect(sent.metadata).toEqual({});
    expect(sent).not.toHaveProperty('due_date');
  });

  test('a read has payment_link_id, and sms_status DELIVERD (sic) is read as sent', async () => {
    reply = json(200, link);
    const read = await client.getPaymentLink(LINK_ID);
    expect(read.payment_link_id).toBe(LINK_ID);
    expect(read.sms_status).toBe('DELIVERD');
    expect(read.status).toBe('CREATED');
  });

  test('a read that says id instead of payment_link_id is rejected, naming payment_link_id', async () => {
    const { payment_link_id: _id, ...rest } = link;
    reply = json(200, { ...rest, id: LINK_ID });
    const err = await failure(client.getPaymentLink(LINK_ID));
    expect(err.message).toContain('payment_link_id: missing required field');
  });

  test('the list is a bare array of links', async () => {
    reply = json(200, [link, { ...link, payment_link_id: MERCHANT_ID, status: 'COMPLETED' }]);
    const list = await client.listPaymentLinks();
    expect(list.map((l) => l.status)).toEqual(['CREATED', 'COMPLETED']);
    expect(received[0]!.url).toBe('/payment_links/api/v1/payment_links');
  });

  test('distribute and invoice creation PUT their bodies and expect 204', async () => {
    reply = noContent;
    await client.distributePaymentLink(LINK_ID, { methods: ['sms', 'email'], customer_phone: '0701231212' });
    await client.createPaymentLinkInvoice(LINK_ID, { reference_type: 'OCR' });

    expect(received.map((r) => [r.method, r.url, JSON.parse(r.body)])).toEqual([
      ['PUT', `/payment_links/api/v1/payment_links/${LINK_ID}/distribute`, { methods: ['sms', 'email'], customer_phone: '0701231212' }],
      ['PUT', `/payment_links/api/v1/payment_links/${LINK_ID}/invoice`, { reference_type: 'OCR' }],
    ]);
  });

  test('invoice and receipt are URLs in JSON; a receipt URL may be null', async () => {
    reply = json(200, { url: 'https://files.example/invoice.pdf', reference_type: 'OCR', reference: '1234567890' });
    await expect(client.getPaymentLinkInvoice(LINK_ID)).resolves.toEqual({ url: 'https://files.example/invoice.pdf', reference_type: 'OCR', reference: '1234567890' });
    reply = json(200, { url: null });
    await expect(client.getPaymentLinkReceipt(LINK_ID)).resolves.toEqual({ url: null });
    expect(received.map((r) => r.url)).toEqual([`/payment_links/api/v1/payment_links/${LINK_ID}/invoice`, `/payment_links/api/v1/payment_links/${LINK_ID}/receipt`]);
  });

  test('an invoice response without its reference is rejected, naming the field', async () => {
    reply = json(200, { url: 'https://files.example/invoice.pdf', reference_type: 'OCR' });
    const err = await failure(client.getPaymentLinkInvoice(LINK_ID));
    expect(err.message).toContain('reference: missing required field');
  });
});

describe('lifecycle', () => {
  test('close() ends the client’s own pool: later calls fail instead of opening new connections', async () => {
    reply = text(200, 'pong');
    await client.pingPayments();
    await client.close();
    const err = await failure(client.pingPayments());
    expect(err.code).toBe('connection_error');
    expect(received).toHaveLength(1);
  });

  test('a dispatcher passed in is used and left open by close()', async () => {
    const agent = new Agent();
    try {
      reply = text(200, 'pong');
      const first = makeClient({ dispatcher: agent });
      await first.pingPayments();
      await first.close();
      const second = makeClient({ dispatcher: agent });
      await expect(second.pingPayments()).resolves.toBe('pong');
      await expect(second.pingPaymentLinks()).resolves.toBe('pong');
      await second.close();
      // Three requests, fewer sockets: the second client reused the first one's open connections.
      expect(received).toHaveLength(3);
      expect(new Set(received.map((r) => r.remotePort)).size).toBeLessThan(3);
    } finally {
      await agent.close();
    }
  });

  test('options are checked when the client is made', () => {
    expect(() => makeClient({ paymentsApiUrl: 'not a url' })).toThrow(/paymentsApiUrl/);
    expect(() => makeClient({ paymentLinksApiUrl: 'ftp://example.com/' })).toThrow(/http/);
    expect(() => makeClient({ tenantId: '' })).toThrow(/tenantId/);
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
