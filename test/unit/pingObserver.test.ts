import http from 'node:http';
import type net from 'node:net';
import { createPingClient, PingApiError, type PingCallObservation, type PingClient } from '../../ping';

/**
 * The client's `observer` hook (what worker/metrics.ts records): one observation per HTTP call, after
 * the answer has been read and checked, never for a request refused before sending, and an observer
 * that throws changes nothing about the call.
 */

const TENANT = '00000000-0000-4000-8000-000000000001';
const LINK_ID = 'a25cdd3b-f95f-4861-87e4-1ca0a6be748e';
const ORDER_ID = '7b0a7d52-3b1e-4a55-9b61-1f1c2b7c9a10';

let server: http.Server;
let origin: string;
let reply: (res: http.ServerResponse) => void;
let seen: PingCallObservation[];
let client: PingClient;

function json(status: number, body: unknown): (res: http.ServerResponse) => void {
  return (res) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => reply(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  client = createPingClient({
    paymentsApiUrl: `${origin}/payments/`,
    paymentLinksApiUrl: `${origin}/payment_links/`,
    tenantId: TENANT,
    timeoutMs: 300,
    observer: (o) => seen.push(o),
  });
});

afterEach(async () => {
  await client.close();
  server.closeAllConnections();
});

describe('the observer hook', () => {
  it('sees a successful call with its endpoint, method, status and duration', async () => {
    reply = json(200, { id: ORDER_ID });
    await client.createPaymentOrder({ currency: 'SEK' });
    expect(seen).toEqual([{ endpoint: 'createPaymentOrder', method: 'POST', status: 200, durationMs: expect.any(Number) }]);
    expect(seen[0]!.durationMs).toBeGreaterThan(0);
  });

  it('sees a mutation answering 204', async () => {
    reply = (res) => res.writeHead(204).end();
    await client.cancelPaymentLink(LINK_ID);
    expect(seen).toEqual([expect.objectContaining({ endpoint: 'cancelPaymentLink', method: 'PUT', status: 204 })]);
    expect(seen[0]!.error).toBeUndefined();
  });

  it("sees an HTTP error with Ping's code and whether it is retryable", async () => {
    reply = json(409, { errors: [{ error: 'payment_order_closed', description: 'closed' }] });
    await expect(client.getPaymentOrder(ORDER_ID)).rejects.toBeInstanceOf(PingApiError);
    reply = json(503, {});
    await expect(client.getPaymentLink(LINK_ID)).rejects.toBeInstanceOf(PingApiError);
    expect(seen).toEqual([
      expect.objectContaining({ endpoint: 'getPaymentOrder', method: 'GET', status: 409, error: { code: 'payment_order_closed', retryable: false } }),
      expect.objectContaining({ endpoint: 'getPaymentLink', status: 503, error: { code: 'http_error', retryable: true } }),
    ]);
  });

  it('sees a 200 whose body breaks the contract as the failure it is', async () => {
    reply = json(200, { not: 'a link' });
    await expect(client.getPaymentLink(LINK_ID)).rejects.toMatchObject({ code: 'invalid_response' });
    reply = (res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ping?');
    await expect(client.pingPaymentLinks()).rejects.toMatchObject({ code: 'invalid_response' });
    expect(seen).toEqual([
      expect.objectContaining({ endpoint: 'getPaymentLink', status: 200, error: { code: 'invalid_response', retryable: false } }),
      expect.objectContaining({ endpoint: 'pingPaymentLinks', status: 200, error: { code: 'invalid_response', retryable: false } }),
    ]);
  });

  it('sees a call that got no answer, with no status', async () => {
    reply = () => undefined; // silence until the client's 300 ms run out
    await expect(client.getPaymentLink(LINK_ID)).rejects.toMatchObject({ code: 'timeout' });
    expect(seen).toEqual([{ endpoint: 'getPaymentLink', method: 'GET', status: undefined, durationMs: expect.any(Number), error: { code: 'timeout', retryable: true } }]);
    expect(seen[0]!.durationMs).toBeGreaterThanOrEqual(250);
  });

  it('is not told about a request refused before sending', async () => {
    await expect(client.getPaymentLink('../../etc')).rejects.toMatchObject({ code: 'invalid_request' });
    expect(seen).toEqual([]);
  });

  it('cannot fail a call by throwing', async () => {
    const throwing = createPingClient({
      paymentsApiUrl: `${origin}/payments/`,
      paymentLinksApiUrl: `${origin}/payment_links/`,
      tenantId: TENANT,
      observer: () => {
        throw new Error('observer bug');
      },
    });
    try {
      reply = json(200, { id: ORDER_ID });
      await expect(throwing.createPaymentOrder({ currency: 'SEK' })).resolves.toEqual({ id: ORDER_ID });
      reply = json(404, { error: 'not_found' });
      await expect(throwing.getPaymentOrder(ORDER_ID)).rejects.toMatchObject({ status: 404, code: 'not_found' });
    } finally {
      await throwing.close();
    }
  });
});
