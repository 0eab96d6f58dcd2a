import { ApplicationFailure } from '@temporalio/common';
import { createMoneyActivities, type MoneyActivities } from '../../activities/money';
import { PING_REJECTED, PING_UNAVAILABLE } from '../../domain/failureTypes';
import { createPingClient, type PingClient } from '../../ping';
import { MERCHANT_ID, startSandbox, waitFor, type RunningSandbox } from '../helpers/sandbox';

/**
 * The settlement and refund activities against the sandbox, called directly (no Temporal): each
 * one repeated, as a retry or a re-run after a lost answer would, must neither fail nor do its
 * work twice at Ping.
 */

const OTHER_MERCHANT_ID = '5e3f2a1b-7c4d-4e8f-9a0b-1c2d3e4f5a6b';
const CLOSE = 'PUT /payments/api/v1/payment_orders/:order_id/close';
const SPLIT = 'PUT /payments/api/v1/payment_orders/:order_id/split';
const SETTLE = 'PUT /payments/api/v1/payment_orders/:order_id/settle';
const REFUND = 'POST /payments/api/v1/payment_orders/:order_id/payments/:payment_id/refund';

interface Counters {
  calls: Record<string, number>;
  refunds: { accepted: number; completed: number; refused_duplicate: number; failed_injected: number };
}

interface Paid {
  orderId: string;
  paymentId: string;
  amount: number;
}

let sb: RunningSandbox;
let ping: PingClient;
let money: MoneyActivities;

beforeAll(async () => {
  sb = await startSandbox();
  ping = clientOf(sb);
  money = createMoneyActivities({ ping });
});

afterAll(async () => {
  await ping?.close();
  await sb?.stop();
});

function clientOf(sandbox: RunningSandbox): PingClient {
  return createPingClient({ paymentsApiUrl: sandbox.paymentsApiUrl, paymentLinksApiUrl: sandbox.paymentLinksApiUrl, tenantId: sandbox.tenantId });
}

async function counters(sandbox = sb): Promise<Counters> {
  return (await sandbox.request('GET', '/_sandbox/counters')).json<Counters>();
}

/** An order with one dummy payment that Ping has COMPLETED: 6000 öre to one merchant, 4000 to another, 1000 of it the tenant's fee. */
async function paidOrder(client = ping): Promise<Paid> {
  const { id: orderId } = await client.createPaymentOrder({ currency: 'SEK', split_parameters: { tenant_fee: 1000 } });
  const items = [
    { amount: 6000, name: 'Pizza', vat_rate: 12, merchant_id: MERCHANT_ID },
    { amount: 4000, name: 'Läsk', vat_rate: 12, merchant_id: OTHER_MERCHANT_ID },
  ];
  const { id: paymentId } = await client.initiatePayment(orderId, {
    currency: 'SEK',
    total_amount: 10000,
    order_items: items,
    provider: 'dummy',
    method: 'dummy',
    provider_method_parameters: { desired_payment_status: 'COMPLETED' },
  });
  // The sandbox completes dummy payments asynchronously (docs/ping-contract.md §8.14).
  await waitFor(async () => (await client.getPayment(orderId, paymentId)).status === 'COMPLETED', 5000, 'the dummy payment to complete');
  return { orderId, paymentId, amount: 10000 };
}

const refundOf = (paid: Paid) => ({ ...paid, currency: 'SEK' as const, reason: 'requested_by_customer' as const, description: 'Returned by the customer' });

async function caught(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  }
  throw new Error('expected the call to fail');
}

async function setFaults(sandbox: RunningSandbox, faults: Record<string, unknown>): Promise<void> {
  const res = await sandbox.request('PUT', '/_sandbox/faults', { body: faults });
  if (res.status !== 200) throw new Error(`set faults: ${res.status} ${res.text}`);
}

describe('settlement: close, split, settle', () => {
  it('runs each step once at Ping however often it is repeated, and reads the allocations after the split', async () => {
    const { orderId } = await paidOrder();
    const before = (await counters()).calls;
    const callsOf = async (endpoint: string) => ((await counters()).calls[endpoint] ?? 0) - (before[endpoint] ?? 0);

    await expect(money.closePaymentOrder({ orderId })).resolves.toEqual({ status: 'CLOSED' });
    await expect(money.closePaymentOrder({ orderId })).resolves.toEqual({ status: 'CLOSED' });
    expect(await callsOf(CLOSE)).toBe(1);

    await expect(money.splitPaymentOrder({ orderId })).resolves.toEqual({ status: 'SPLIT' });
    await expect(money.splitPaymentOrder({ orderId })).resolves.toEqual({ status: 'SPLIT' });
    expect(await callsOf(SPLIT)).toBe(1);
    // A close repeated late (a retry after the order moved on) answers with where the order is.
    await expect(money.closePaymentOrder({ orderId })).resolves.toEqual({ status: 'SPLIT' });

    const allocations = await money.getAllocations({ orderId });
    expect(allocations).toEqual(
      expect.arrayContaining([
        { recipient_type: 'merchant', merchant_id: MERCHANT_ID, amount: expect.any(Number), currency: 'SEK' },
        { recipient_type: 'merchant', merchant_id: OTHER_MERCHANT_ID, amount: expect.any(Number), currency: 'SEK' },
        { recipient_type: 'tenant', merchant_id: null, amount: 1000, currency: 'SEK' },
      ]),
    );
    expect(allocations).toHaveLength(3);
    expect(allocations.reduce((sum, a) => sum + a.amount, 0)).toBe(10000);

    await expect(money.settlePaymentOrder({ orderId })).resolves.toEqual({ status: 'SETTLED' });
    await expect(money.settlePaymentOrder({ orderId })).resolves.toEqual({ status: 'SETTLED' });
    await expect(money.splitPaymentOrder({ orderId })).resolves.toEqual({ status: 'SETTLED' });
    await expect(money.closePaymentOrder({ orderId })).resolves.toEqual({ status: 'SETTLED' });
    expect(await callsOf(SETTLE)).toBe(1);
    expect(await callsOf(SPLIT)).toBe(1);
    expect(await callsOf(CLOSE)).toBe(1);
    expect((await ping.getPaymentOrder(orderId)).status).toBe('SETTLED');
  });

  it('never fast-forwards: a step out of order is a final PING_REJECTED with Ping’s code', async () => {
    const { orderId } = await paidOrder();
    const split = await caught(money.splitPaymentOrder({ orderId }));
    expect(split).toMatchObject({ type: PING_REJECTED, nonRetryable: true });
    expect(split.details).toEqual([{ status: 403, code: 'operation_forbidden', property: null }]);
    const settle = await caught(money.settlePaymentOrder({ orderId }));
    expect(settle).toMatchObject({ type: PING_REJECTED, nonRetryable: true, details: [{ status: 403, code: 'operation_forbidden', property: null }] });
    expect((await ping.getPaymentOrder(orderId)).status).toBe('OPEN');

    await money.closePaymentOrder({ orderId });
    expect(await caught(money.settlePaymentOrder({ orderId }))).toMatchObject({ type: PING_REJECTED, nonRetryable: true });
    // Allocations exist only once the order is split (docs/ping-contract.md §2.3).
    expect(await caught(money.getAllocations({ orderId }))).toMatchObject({ type: PING_REJECTED, details: [{ status: 403 }] });
    expect((await ping.getPaymentOrder(orderId)).status).toBe('CLOSED');
  });

  it('an unknown order is a final PING_REJECTED 404', async () => {
    const err = await caught(money.closePaymentOrder({ orderId: '00000000-0000-0000-0000-000000000000' }));
    expect(err).toMatchObject({ type: PING_REJECTED, nonRetryable: true, details: [{ status: 404 }] });
  });

  it('a close whose 204 was lost fails retryably, and its retry finds the order closed', async () => {
    const { orderId } = await paidOrder();
    await setFaults(sb, { fail_after_processing_rate: 1, endpoints: [CLOSE] });
    try {
      const lost = await caught(money.closePaymentOrder({ orderId }));
      expect(lost).toMatchObject({ type: PING_UNAVAILABLE });
      expect(lost.nonRetryable).toBeFalsy();
    } finally {
      await setFaults(sb, {});
    }
    await expect(money.closePaymentOrder({ orderId })).resolves.toEqual({ status: 'CLOSED' });
  });

  it('a 403 that comes from a race (the order moved on after our read) answers with the new status', async () => {
    const { orderId } = await paidOrder();
    await ping.closePaymentOrder(orderId);
    // A read that saw the order just before another attempt's close landed.
    let stale = true;
    const racing: PingClient = {
      ...ping,
      async getPaymentOrder(id, options) {
        const order = await ping.getPaymentOrder(id, options);
        if (!stale) return order;
        stale = false;
        return { ...order, status: 'OPEN' };
      },
    };
    await expect(createMoneyActivities({ ping: racing }).closePaymentOrder({ orderId })).resolves.toEqual({ status: 'CLOSED' });
    expect(stale).toBe(false);
  });
});

describe('refunds', () => {
  it('refunds once: a repeat answers alreadyRefunded without a second POST, and getRefund shows it once Ping does', async () => {
    const paid = await paidOrder();
    const before = await counters();
    await expect(money.getRefund(paid)).resolves.toEqual({ refunded: false, refundedAt: null });

    await expect(money.refundPayment(refundOf(paid))).resolves.toEqual({ alreadyRefunded: false, pingStatus: 'PENDING' });

    // The sandbox shows a refund only once it is done, a moment later (sandbox/refunds.ts).
    const shown = await waitFor(async () => {
      const refund = await money.getRefund(paid);
      return refund.refunded ? refund : undefined;
    }, 5000, 'the refund to show on the payment');
    expect(shown).toEqual({ refunded: true, refundedAt: expect.any(String) });
    expect(Number.isNaN(Date.parse(shown.refundedAt!))).toBe(false);

    await expect(money.refundPayment(refundOf(paid))).resolves.toEqual({ alreadyRefunded: true, pingStatus: null });
    await expect(money.refundPayment(refundOf(paid))).resolves.toEqual({ alreadyRefunded: true, pingStatus: null });

    const after = await counters();
    expect((after.calls[REFUND] ?? 0) - (before.calls[REFUND] ?? 0)).toBe(1);
    expect(after.refunds.accepted - before.refunds.accepted).toBe(1);
    const payment = await ping.getPayment(paid.orderId, paid.paymentId);
    expect(payment.refunds).toHaveLength(1);
  });

  it('a refund whose answer was lost is retried until the payment shows it, and is made only once', async () => {
    // A refund that stays pending long enough for the retries to meet it pending.
    const slow = await startSandbox({ refundDelayMs: 1500 });
    const client = clientOf(slow);
    const activities = createMoneyActivities({ ping: client });
    try {
      const paid = await paidOrder(client);
      await setFaults(slow, { fail_after_processing_rate: 1, endpoints: [REFUND] });
      const lost = await caught(activities.refundPayment(refundOf(paid)));
      expect(lost).toMatchObject({ type: PING_UNAVAILABLE });
      expect(lost.nonRetryable).toBeFalsy();
      await setFaults(slow, {});

      // Ping refuses a second refund, but the payment does not show the first yet: not a failure, a retry.
      const pending = await caught(activities.refundPayment(refundOf(paid)));
      expect(pending).toMatchObject({ type: PING_UNAVAILABLE, details: [{ status: 403, code: 'already_refunded', property: null }] });
      expect(pending.nonRetryable).toBeFalsy();

      const retried = await waitFor(
        async () => {
          try {
            return await activities.refundPayment(refundOf(paid));
          } catch (err) {
            if (err instanceof ApplicationFailure && err.type === PING_UNAVAILABLE) return undefined;
            throw err;
          }
        },
        10_000,
        'a retry to find the refund',
        100,
      );
      expect(retried).toEqual({ alreadyRefunded: true, pingStatus: null });
      expect((await counters(slow)).refunds).toMatchObject({ accepted: 1, completed: 1 });
      expect((await client.getPayment(paid.orderId, paid.paymentId)).refunds).toHaveLength(1);
    } finally {
      await client.close();
      await slow.stop();
    }
  });

  it('a refund Ping declines (4xx) is a final PING_REJECTED with Ping’s code, and nothing is refunded', async () => {
    const paid = await paidOrder();
    const armed = await sb.request('POST', `/_sandbox/payments/${paid.paymentId}/fail-refund`, { body: { status: 403, error: 'refund_declined', times: 1 } });
    expect(armed.status).toBe(200);

    const declined = await caught(money.refundPayment(refundOf(paid)));
    expect(declined).toMatchObject({ type: PING_REJECTED, nonRetryable: true });
    expect(declined.details).toEqual([{ status: 403, code: 'refund_declined', property: null }]);
    expect(declined.message).toContain('refund_declined');
    await expect(money.getRefund(paid)).resolves.toEqual({ refunded: false, refundedAt: null });

    // A wrong amount (only full refunds exist, docs/ping-contract.md §8.13) names the field.
    const partial = await caught(money.refundPayment({ ...refundOf(paid), amount: paid.amount - 1 }));
    expect(partial).toMatchObject({ type: PING_REJECTED, nonRetryable: true, details: [{ status: 422, code: 'invalid_value', property: 'amount' }] });
  });

  it('a refund Ping fails (5xx) is retryable, and the retry refunds', async () => {
    const paid = await paidOrder();
    await sb.request('POST', `/_sandbox/payments/${paid.paymentId}/fail-refund`, { body: { status: 503, error: 'provider_unavailable', times: 1 } });
    const failed = await caught(money.refundPayment(refundOf(paid)));
    expect(failed).toMatchObject({ type: PING_UNAVAILABLE, details: [{ status: 503, code: 'provider_unavailable' }] });
    expect(failed.nonRetryable).toBeFalsy();
    await expect(money.refundPayment(refundOf(paid))).resolves.toEqual({ alreadyRefunded: false, pingStatus: 'PENDING' });
  });

  it('a payment whose order is already split is not refunded: a final PING_REJECTED', async () => {
    const paid = await paidOrder();
    await money.closePaymentOrder(paid);
    await money.splitPaymentOrder(paid);
    const split = await caught(money.refundPayment(refundOf(paid)));
    expect(split).toMatchObject({ type: PING_REJECTED, nonRetryable: true, details: [{ status: 403, code: 'operation_forbidden' }] });
  });
});
