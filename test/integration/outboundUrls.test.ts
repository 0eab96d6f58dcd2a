import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { createNotificationActivities, OUTBOUND_URL_NOT_ALLOWED, type MerchantEvent } from '../../activities/notifications';
import type { OutboundUrlPolicy, Resolve } from '../../common/outboundUrl';
import type { PaymentResource } from '../../domain/payment';
import { startApi, TEST_API_KEY, TEST_WEBHOOK_SECRET, type RunningApi } from '../helpers/api';
import { linkRequest, NOTIFICATION_SECRET, pisRequest, startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

/**
 * Outbound URLs never reach inside our network (common/outboundUrl.ts), on the real stack: a
 * create whose notify_url is internal is a 400 `url_not_allowed` and makes no payment; and a
 * delivery whose name has come to resolve inside since the create (DNS rebinding) is refused at
 * connect time, once, without failing the payment. DNS is a stand-in resolver (the machine may have
 * no network); the merchant receiver is the real one on 127.0.0.1.
 */

const PUBLIC_V4 = '93.184.215.14';

/** A resolver that knows only these names; anything else does not resolve. */
function resolver(names: Record<string, string[]>): Resolve {
  return async (hostname) => {
    const addresses = names[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

/** What the API resolves at create: the rebinding name still looks public then. */
const createTimeDns = resolver({
  'shop.example': [PUBLIC_V4],
  'rebind.shop.example': [PUBLIC_V4],
  'internal.shop.example': [PUBLIC_V4, '10.0.0.8'],
});
/** What the worker resolves at delivery: the same name now points at this machine. */
const deliveryTimeDns = resolver({ 'rebind.shop.example': ['127.0.0.1'] });

/** Plain http allowed as in development (the receiver speaks http), so each refusal is the address's. */
const apiPolicy: OutboundUrlPolicy = { allowHttp: true, allowPrivate: false, resolve: createTimeDns };
const workerPolicy: OutboundUrlPolicy = { allowHttp: true, allowPrivate: false, resolve: deliveryTimeDns };

const event = (id: string): MerchantEvent => ({
  id: `evt_${id}_payment.paid`,
  type: 'payment.paid',
  created_at: new Date().toISOString(),
  data: { id, object: 'payment', status: 'paid' } as unknown as PaymentResource,
});

describe('outbound URLs', () => {
  let stack: PaymentsStack;
  /** A second API on the same task queue with the production default: public https only. */
  let strictApi: RunningApi;
  beforeAll(async () => {
    stack = await startPaymentsStack({ outboundUrls: { api: apiPolicy, worker: workerPolicy } });
    strictApi = await startApi({
      taskQueue: stack.worker.taskQueue,
      webhookSecret: TEST_WEBHOOK_SECRET,
      timing: { pollInitialMs: 500, pollMaxMs: 2000 },
      outboundUrls: { allowHttp: false, allowPrivate: false, resolve: createTimeDns },
    });
  }, 60_000);
  afterAll(async () => {
    await strictApi?.stop();
    await stack?.stop();
  });

  const strictCall = async (path: string, body: unknown, key: string) => {
    const res = await fetch(`${strictApi.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { error: Record<string, unknown> } & Record<string, unknown> };
  };

  describe('at create', () => {
    const ssrf: Array<[string, () => string, RegExp]> = [
      ['a loopback port', () => 'http://127.0.0.1:22/', /127\.0\.0\.1 is a loopback address/],
      ['the cloud metadata service', () => 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
      ['IPv6 loopback', () => 'http://[::1]:3000/ping-orchestrator/events', /::1 is a loopback address/],
      ['a private network', () => 'http://10.0.0.1/hook', /10\.0\.0\.1 is a private address/],
      ['loopback in hex', () => 'http://0x7f000001/', /127\.0\.0\.1 is a loopback address/],
      ['localhost with a trailing dot', () => 'http://localhost./x', /localhost\. is this machine/],
      ['IPv4-mapped IPv6', () => 'http://[::ffff:10.0.0.1]/', /IPv4-mapped IPv6 address \(of 10\.0\.0\.1\)/],
      ['a name with one internal address', () => 'https://internal.shop.example/hook', /internal\.shop\.example resolves to 10\.0\.0\.8, a private address/],
      ['the merchant receiver on this machine', () => stack.merchant.url, /127\.0\.0\.1 is a loopback address/],
    ];

    it.each(ssrf)('refuses %s with 400 url_not_allowed and creates nothing', async (_name, url, reason) => {
      const key = `ssrf-${randomUUID()}`;
      const res = await stack.call('POST', '/v1/payment-links', linkRequest({ notify_url: url() }), { 'Idempotency-Key': key });
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({
        type: 'invalid_request_error',
        code: 'url_not_allowed',
        param: 'notify_url',
        message: expect.stringMatching(reason),
        request_id: expect.any(String),
      });
      expect(res.body.error.message).toMatch(/^notify_url is not allowed: /);
      expect((await stack.call('GET', `/v1/payments/payment-link-${key}`)).status).toBe(404);
    });

    it('refuses them on PIS payments too', async () => {
      for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://[fe80::1]/', 'https://internal.shop.example/hook']) {
        const key = `ssrf-pis-${randomUUID()}`;
        const res = await stack.call('POST', '/v1/pis-payments', pisRequest({ notify_url: url }), { 'Idempotency-Key': key });
        expect([url, res.status, res.body.error?.code, res.body.error?.param]).toEqual([url, 400, 'url_not_allowed', 'notify_url']);
        expect((await stack.call('GET', `/v1/payments/pis-payment-${key}`)).status).toBe(404);
      }
    });

    it('with the production default refuses plain http, and creates with a public https URL (a retry answered as before)', async () => {
      const httpKey = `ssrf-http-${randomUUID()}`;
      const refused = await strictCall('/v1/payment-links', linkRequest({ notify_url: 'http://shop.example/hook' }), httpKey);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'url_not_allowed', param: 'notify_url', message: 'notify_url is not allowed: it must be an https URL' });
      expect((await stack.call('GET', `/v1/payments/payment-link-${httpKey}`)).status).toBe(404);

      const key = `public-${randomUUID()}`;
      const body = linkRequest({ notify_url: 'https://shop.example/ping-orchestrator/events' });
      const created = await strictCall('/v1/payment-links', body, key);
      expect([created.status, created.body.id]).toEqual([201, `payment-link-${key}`]);
      const again = await strictCall('/v1/payment-links', body, key);
      expect([again.status, again.body.id]).toEqual([200, `payment-link-${key}`]);
    });
  });

  describe('at delivery', () => {
    it('notifyMerchant with ALLOW_PRIVATE_WEBHOOK_URLS off refuses the receiver on 127.0.0.1, for good; with it on, delivers', async () => {
      const before = stack.merchant.events.length;
      const strict = createNotificationActivities({ signingSecret: NOTIFICATION_SECRET, outboundUrls: { allowHttp: true, allowPrivate: false } });
      const refused = await strict.notifyMerchant({ url: stack.merchant.url, event: event('payment-link-refused') }).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(ApplicationFailure);
      expect(refused).toMatchObject({ type: OUTBOUND_URL_NOT_ALLOWED, nonRetryable: true, message: expect.stringMatching(/^notify_url is not allowed: 127\.0\.0\.1 is a loopback address/) });

      // The same name resolving inside only when the connection is made: refused by the connect-time check.
      const rebinding = createNotificationActivities({ signingSecret: NOTIFICATION_SECRET, outboundUrls: workerPolicy });
      const url = new URL(stack.merchant.url);
      url.hostname = 'rebind.shop.example';
      const rebound = await rebinding.notifyMerchant({ url: url.toString(), event: event('payment-link-rebound') }).catch((err: unknown) => err);
      expect(rebound).toMatchObject({ type: OUTBOUND_URL_NOT_ALLOWED, nonRetryable: true, message: 'notify_url is not allowed: rebind.shop.example resolves to 127.0.0.1, a loopback address' });
      expect(stack.merchant.events.length).toBe(before);

      // The receiver is there and answering: the refusals were the policy's.
      const open = createNotificationActivities({ signingSecret: NOTIFICATION_SECRET, outboundUrls: { allowHttp: true, allowPrivate: true } });
      expect(await open.notifyMerchant({ url: stack.merchant.url, event: event('payment-link-delivered') })).toEqual({ status: 200 });
      expect(stack.merchant.events.slice(before).map((e) => [e.event.id, e.verified])).toEqual([['evt_payment-link-delivered_payment.paid', true]]);
    });

    it('a payment whose notify_url has come to resolve inside completes; its delivery fails once, not retried, and the receiver gets nothing', async () => {
      const before = stack.merchant.events.length;
      const url = new URL(stack.merchant.url);
      url.hostname = 'rebind.shop.example';
      const key = `rebind-${randomUUID()}`;
      const created = await stack.call('POST', '/v1/payment-links', linkRequest({ notify_url: url.toString() }), { 'Idempotency-Key': key });
      expect(created.status).toBe(201);

      await stack.control('POST', `/payment-links/${created.body.ping_payment_link_id}/pay`, {});
      const done = await stack.waitForPayment(created.body.id, (p) => p.status === 'completed' && p.events.some((e) => e.type === 'merchant_notification_failed'));
      expect(done.events.filter((e) => e.type === 'merchant_notification_failed')[0]).toMatchObject({ detail: 'payment.paid' });
      expect(done.events.map((e) => e.type)).not.toContain('merchant_notified');

      // One attempt per event, ended by the non-retryable failure type.
      const history = await stack.client.workflow.getHandle(created.body.id).fetchHistory();
      const scheduled = new Map<string, string>();
      const notifyFailures: Array<{ attempt: number; type: string | null | undefined; nonRetryable: boolean | null | undefined }> = [];
      const started = new Map<string, number>();
      for (const e of history.events ?? []) {
        const id = String(e.eventId);
        if (e.activityTaskScheduledEventAttributes) scheduled.set(id, e.activityTaskScheduledEventAttributes.activityType?.name ?? '');
        if (e.activityTaskStartedEventAttributes) started.set(String(e.activityTaskStartedEventAttributes.scheduledEventId), e.activityTaskStartedEventAttributes.attempt ?? 0);
        const failed = e.activityTaskFailedEventAttributes;
        if (failed && scheduled.get(String(failed.scheduledEventId)) === 'notifyMerchant') {
          notifyFailures.push({
            attempt: started.get(String(failed.scheduledEventId)) ?? 0,
            type: failed.failure?.cause?.applicationFailureInfo?.type ?? failed.failure?.applicationFailureInfo?.type,
            nonRetryable: failed.failure?.cause?.applicationFailureInfo?.nonRetryable ?? failed.failure?.applicationFailureInfo?.nonRetryable,
          });
        }
      }
      expect(notifyFailures.length).toBeGreaterThanOrEqual(1);
      for (const f of notifyFailures) expect(f).toEqual({ attempt: 1, type: OUTBOUND_URL_NOT_ALLOWED, nonRetryable: true });
      expect(stack.merchant.events.length).toBe(before);
    });
  });
});
