import { Agent, request } from 'undici';
import { summarize, timed, type Summary } from './measure';
import { BENCH_API_KEY, type BenchStack } from './stack';

const agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 });
let keySeq = 0;
const nextKey = () => `bench-keys-${process.pid}-${Date.now()}-${keySeq++}`;

export interface KeyCheckResult {
  /** `GET /v1/none`: the key check and a 404, nothing else (no Temporal call), per kind of key. */
  authOnly: { platform: Summary; merchant: Summary };
  /** `POST /v1/payment-links` to the checkout URL, per kind of key (the merchant's fills in its defaults). */
  checkout: { platform: Summary; merchant: Summary };
}

async function call(url: string, method: string, key: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await request(url, {
    method: method as 'GET' | 'POST',
    dispatcher: agent,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
}

/** A merchant made through the API, approved by the sandbox, with a key of its own. */
async function benchMerchant(stack: BenchStack): Promise<{ key: string; pingMerchantId: string }> {
  const created = await call(`${stack.apiUrl}/v1/merchants`, 'POST', BENCH_API_KEY, {
    name: 'Bench Bageri AB',
    organization: { country: 'SE', se_organization_number: '5591235378' },
    supplier: { name: 'Bench Bageri AB' },
    payment_methods: [{ provider: 'payment_iq', method: 'card' }],
    locale: 'sv-SE',
  }, { 'idempotency-key': nextKey() });
  if (created.status !== 201) throw new Error(`POST /v1/merchants: ${created.status} ${JSON.stringify(created.json)}`);
  const id = created.json.id as string;
  const deadline = Date.now() + 30_000;
  let merchant = created.json;
  while (merchant.status !== 'approved') {
    if (Date.now() > deadline) throw new Error(`merchant ${id} not approved: ${JSON.stringify(merchant)}`);
    await new Promise((r) => setTimeout(r, 200));
    merchant = (await call(`${stack.apiUrl}/v1/merchants/${id}`, 'GET', BENCH_API_KEY)).json;
  }
  const key = await call(`${stack.apiUrl}/v1/merchants/${id}/api-keys`, 'POST', BENCH_API_KEY, {});
  if (key.status !== 201) throw new Error(`POST api-keys: ${key.status} ${JSON.stringify(key.json)}`);
  return { key: key.json.secret, pingMerchantId: merchant.ping_merchant_id };
}

/**
 * What a merchant key's check costs a request (issue 15's bar: about 1 ms at p50 at most). The two
 * kinds of key take turns in blocks, so both meet the same machine load; the first block of each
 * is a warm-up (connections, the key cache, the worker's caches).
 */
export async function keyCheckCost(stack: BenchStack, o: { n: number; concurrency: number }): Promise<KeyCheckResult> {
  const merchant = await benchMerchant(stack);
  const link = (withMerchant: boolean) => ({
    currency: 'SEK',
    locale: 'sv-SE',
    items: [{ description: 'Bulle', price: 3500, quantity: 2, vat: 12, ...(withMerchant ? {} : { merchant_id: merchant.pingMerchantId }) }],
    customer: { first_name: 'Bench', last_name: 'Payer', email: 'bench@example.com' },
    ...(withMerchant ? {} : { supplier: { name: 'Bench Bageri AB' }, payment_methods: [{ provider: 'payment_iq', method: 'card' }] }),
  });
  const authOnly = (key: string) => () =>
    call(`${stack.apiUrl}/v1/none`, 'GET', key).then((r) => {
      if (r.status !== 404) throw new Error(`GET /v1/none: ${r.status}`);
    });
  const checkout = (key: string, withMerchant: boolean) => () =>
    call(`${stack.apiUrl}/v1/payment-links`, 'POST', key, link(withMerchant), { 'idempotency-key': nextKey() }).then((r) => {
      if (r.status !== 201) throw new Error(`POST /v1/payment-links: ${r.status} ${JSON.stringify(r.json)}`);
    });
  const samples = { authPlatform: [] as number[], authMerchant: [] as number[], checkoutPlatform: [] as number[], checkoutMerchant: [] as number[] };
  const blocks = 4;
  const perBlock = Math.max(1, Math.ceil(o.n / blocks));
  for (let block = 0; block <= blocks; block++) {
    const keep = block > 0;
    const add = (into: number[], got: number[]) => keep && into.push(...got);
    add(samples.authPlatform, await timed(perBlock * 4, o.concurrency, authOnly(BENCH_API_KEY)));
    add(samples.authMerchant, await timed(perBlock * 4, o.concurrency, authOnly(merchant.key)));
    add(samples.checkoutPlatform, await timed(perBlock, o.concurrency, checkout(BENCH_API_KEY, false)));
    add(samples.checkoutMerchant, await timed(perBlock, o.concurrency, checkout(merchant.key, true)));
  }
  return {
    authOnly: { platform: summarize(samples.authPlatform), merchant: summarize(samples.authMerchant) },
    checkout: { platform: summarize(samples.checkoutPlatform), merchant: summarize(samples.checkoutMerchant) },
  };
}
