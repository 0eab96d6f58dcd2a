import { seededRandom } from '../../sandbox/random';
import {
  createLink,
  createOrder,
  initiateBody,
  orderBody,
  pisParameters,
  startCallbackReceiver,
  startSandbox,
  waitFor,
  type CallbackReceiver,
  type RunningSandbox,
} from '../helpers/sandbox';

const ORDERS = '/payments/api/v1/payment_orders';

describe('sandbox: fault injection and callback delivery', () => {
  let sb: RunningSandbox;
  let receiver: CallbackReceiver;

  beforeAll(async () => {
    receiver = await startCallbackReceiver();
  });

  beforeEach(async () => {
    sb = await startSandbox();
    receiver.received.length = 0;
    receiver.respondWith(200);
  });

  afterEach(async () => {
    await sb?.stop();
  });

  afterAll(async () => {
    await receiver?.stop();
  });

  const setFaults = async (faults: unknown) => {
    const res = await sb.request('PUT', '/_sandbox/faults', { body: faults });
    expect(res.status).toBe(200);
    return res.json();
  };
  const counters = async () => (await sb.request('GET', '/_sandbox/counters')).json();
  const orderCount = async () => (await sb.request('GET', `${ORDERS}?limit=200`)).json().data.length as number;

  /** A PIS payment with a callback URL, moved by the control API: each move is one callback. */
  async function pisPayment(): Promise<string> {
    const orderId = await createOrder(sb);
    const res = await sb.request('POST', `${ORDERS}/${orderId}/payments`, {
      body: initiateBody('open_payments', 'pis', pisParameters(), { status_callback_url: `${receiver.url}/cb` }),
    });
    return res.json().id;
  }
  const move = (id: string, status: string) => sb.request('POST', `/_sandbox/payments/${id}/status`, { body: { status } });

  describe('API faults', () => {
    it('answers error_status without processing at error_rate 1', async () => {
      await setFaults({ error_rate: 1, error_status: 503 });
      const res = await sb.request('POST', ORDERS, { body: orderBody() });
      expect(res.status).toBe(503);
      expect(res.json().errors[0].error).toBe('sandbox_fault_injected');
      await setFaults({});
      expect(await orderCount()).toBe(0);
      const c = await counters();
      expect(c.faults.errors_injected).toBe(1);
      expect(c.responses[`POST ${ORDERS}`]).toEqual({ '503': 1 });
    });

    it('limits faults to the listed endpoints', async () => {
      await setFaults({ error_rate: 1, error_status: 500, endpoints: [`POST ${ORDERS}`] });
      expect((await sb.request('POST', ORDERS, { body: orderBody() })).status).toBe(500);
      expect((await sb.request('GET', '/payments/api/v1/ping')).status).toBe(200);
    });

    it('processes the call but fails the answer at fail_after_processing_rate 1 (the ambiguous failure)', async () => {
      await setFaults({ fail_after_processing_rate: 1, error_status: 502 });
      const res = await sb.request('POST', ORDERS, { body: orderBody() });
      expect(res.status).toBe(502);
      await setFaults({});
      expect(await orderCount()).toBe(1);
      expect((await counters()).faults.failed_after_processing).toBe(1);
    });

    it('can reset the connection instead of answering', async () => {
      await setFaults({ fail_after_processing_rate: 1, fail_after_processing_mode: 'reset' });
      await expect(sb.request('POST', ORDERS, { body: orderBody() })).rejects.toThrow();
      await setFaults({});
      expect(await orderCount()).toBe(1);
    });

    it('adds latency to Ping API calls but not to the control API', async () => {
      await setFaults({ latency_ms: 400 });
      const started = Date.now();
      expect((await sb.request('GET', '/payments/api/v1/ping')).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(390);
      const control = Date.now();
      await sb.request('GET', '/_sandbox/faults');
      expect(Date.now() - control).toBeLessThan(300);
      expect((await counters()).faults.latency_applied).toBe(1);
    });

    it('draws rates from the injected random source, so a seed repeats the sequence', async () => {
      const run = async () => {
        const seeded = await startSandbox({ random: seededRandom(42) });
        try {
          await seeded.request('PUT', '/_sandbox/faults', { body: { error_rate: 0.5 } });
          const statuses: number[] = [];
          for (let i = 0; i < 12; i++) statuses.push((await seeded.request('GET', '/payments/api/v1/ping')).status);
          return statuses;
        } finally {
          await seeded.stop();
        }
      };
      const first = await run();
      expect(first).toEqual(await run());
      expect(first).toContain(503);
      expect(first).toContain(200);
    });

    it('validates the fault plan strictly and merges a PATCH', async () => {
      expect((await sb.request('PUT', '/_sandbox/faults', { body: { eror_rate: 1 } })).status).toBe(422);
      expect((await sb.request('PUT', '/_sandbox/faults', { body: { error_rate: 2 } })).status).toBe(422);
      await setFaults({ latency_ms: 5, callbacks: { drop_rate: 0.25 } });
      const patched = await sb.request('PATCH', '/_sandbox/faults', { body: { callbacks: { duplicate_rate: 0.5 } } });
      expect(patched.json()).toEqual(expect.objectContaining({ latency_ms: 5, callbacks: expect.objectContaining({ drop_rate: 0.25, duplicate_rate: 0.5 }) }));
      expect((await sb.request('GET', '/_sandbox/faults')).json().callbacks.duplicate_rate).toBe(0.5);
    });
  });

  describe('callback faults', () => {
    it('drops a callback: never sent, recorded as dropped', async () => {
      const id = await pisPayment();
      await setFaults({ callbacks: { drop_rate: 1 } });
      await move(id, 'PENDING');
      await setFaults({});
      await move(id, 'COMPLETED');
      // The later callback arriving proves the earlier one had its turn and was not sent.
      await waitFor(() => receiver.received.find((c) => c.body.status === 'COMPLETED'), 5000, 'COMPLETED callback');
      expect(receiver.received.map((c) => c.body.status)).toEqual(['COMPLETED']);
      const log = (await sb.request('GET', `/_sandbox/callbacks?resource_id=${id}`)).json();
      expect(log.map((d: { state: string; body: { status: string } }) => [d.body.status, d.state])).toEqual([
        ['PENDING', 'dropped'],
        ['COMPLETED', 'delivered'],
      ]);
      expect((await counters()).callbacks).toEqual(expect.objectContaining({ enqueued: 2, dropped: 1, delivered: 1, sent: 1 }));
    });

    it('duplicates a callback: the same body sent twice', async () => {
      const id = await pisPayment();
      await setFaults({ callbacks: { duplicate_rate: 1 } });
      await move(id, 'COMPLETED');
      await waitFor(() => receiver.received.length === 2, 5000, 'two callbacks');
      const [a, b] = receiver.received;
      expect(a!.body).toEqual(b!.body);
      expect(a!.headers['x-sandbox-callback-id']).toBe(b!.headers['x-sandbox-callback-id']);
      expect((await counters()).callbacks).toEqual(expect.objectContaining({ duplicated: 1, delivered: 2 }));
    });

    it('delays callbacks by delay_ms', async () => {
      const id = await pisPayment();
      await setFaults({ callbacks: { delay_ms: 250 } });
      const started = Date.now();
      await move(id, 'COMPLETED');
      const callback = await waitFor(() => receiver.received[0], 5000, 'the delayed callback');
      expect(callback.at - started).toBeGreaterThanOrEqual(240);
    });

    it('reorders callbacks: held for the window, then sent newest first', async () => {
      const id = await pisPayment();
      // The window is wide enough for both control calls to land in it even on a busy machine.
      await setFaults({ callbacks: { reorder: true, reorder_window_ms: 600 } });
      await move(id, 'PENDING');
      await move(id, 'COMPLETED');
      await waitFor(() => receiver.received.length === 2, 5000, 'two callbacks');
      expect(receiver.received.map((c) => c.body.status)).toEqual(['COMPLETED', 'PENDING']);
    });

    it('retries a failing receiver with backoff until it answers 2xx', async () => {
      receiver.respondWith((_c, i) => (i < 2 ? 500 : 204));
      const { id } = await createLink(sb, { payment_link_status_callback_url: `${receiver.url}/links` });
      await sb.request('PUT', `/payment_links/api/v1/payment_links/${id}/cancel`, { body: {} });
      const delivered = await waitFor(async () => {
        const [d] = (await sb.request('GET', `/_sandbox/callbacks?resource_id=${id}`)).json();
        return d?.state === 'delivered' ? d : undefined;
      }, 5000, 'delivery');
      expect(delivered.attempts.map((a: { status: number }) => a.status)).toEqual([500, 500, 204]);
      // Exponential: 20 ms after the first failure, 40 ms after the second (timers may fire late, never early).
      const waits = [1, 2].map((i) => {
        const previous = delivered.attempts[i - 1];
        return Date.parse(delivered.attempts[i].at) - (Date.parse(previous.at) + previous.duration_ms);
      });
      expect(waits[0]).toBeGreaterThanOrEqual(19);
      expect(waits[1]).toBeGreaterThanOrEqual(39);
      expect(receiver.received).toHaveLength(3);
      expect((await counters()).callbacks).toEqual(expect.objectContaining({ sent: 3, failed: 2, retried: 2, delivered: 1 }));
    });

    it('gives up after maxAttempts, on error statuses and on network errors alike', async () => {
      receiver.respondWith(503);
      const { id } = await createLink(sb, { payment_link_status_callback_url: `${receiver.url}/links` });
      const closedPort = await startCallbackReceiver();
      await closedPort.stop();
      const { id: unreachable } = await createLink(sb, { payment_link_status_callback_url: `${closedPort.url}/gone` });
      await sb.request('PUT', `/payment_links/api/v1/payment_links/${id}/cancel`, { body: {} });
      await sb.request('PUT', `/payment_links/api/v1/payment_links/${unreachable}/cancel`, { body: {} });
      await waitFor(async () => (await counters()).callbacks.gave_up === 2, 5000, 'both given up');
      const [refused] = (await sb.request('GET', `/_sandbox/callbacks?resource_id=${unreachable}`)).json();
      expect(refused.state).toBe('failed');
      expect(refused.attempts).toHaveLength(4);
      expect(refused.attempts[0].error).toMatch(/ECONNREFUSED/);
      expect(receiver.received).toHaveLength(4);
    });

    it('stops pending retries on close', async () => {
      const slow = await startSandbox({ callbackRetry: { initialDelayMs: 60_000, maxAttempts: 5 } });
      receiver.respondWith(500);
      const { id } = await createLink(slow, { payment_link_status_callback_url: `${receiver.url}/links` });
      await slow.request('PUT', `/payment_links/api/v1/payment_links/${id}/cancel`, { body: {} });
      // The receiver has the request a moment before the sandbox has read the 500 and scheduled its retry.
      await waitFor(() => slow.sandbox.context.callbacks.log()[0]?.state === 'retrying', 5000, 'first attempt answered');
      expect(receiver.received).toHaveLength(1);
      const started = Date.now();
      await slow.stop();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(slow.sandbox.context.callbacks.log()[0]!.state).toBe('retrying');
    });
  });
});
