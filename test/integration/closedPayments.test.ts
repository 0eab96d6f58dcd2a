import type { PaymentResource } from '../../domain/payment';
import { createAndPay } from '../helpers/money';
import { startPaymentsStack, type PaymentsStack } from '../helpers/paymentsStack';

/**
 * A finished payment's workflow has closed; reading it must not depend on a worker replaying it
 * (common/workflowQueries.ts): side-by-side reads all answer at once, and they still do with every
 * worker stopped. Before, one of several side-by-side reads sometimes waited 30 s and answered 500.
 */
describe('reading a closed payment', () => {
  let stack: PaymentsStack;
  const closed: PaymentResource[] = [];
  beforeAll(async () => {
    stack = await startPaymentsStack({ pollInitialMs: 200, pollMaxMs: 500, money: { settlementHoldMs: 0, latePaymentWindowMs: 0 } });
    for (const flow of ['pis', 'link', 'pis', 'link'] as const) {
      const created = await createAndPay(stack, flow);
      closed.push((await stack.client.workflow.getHandle(created.id).result()) as PaymentResource);
    }
  });
  afterAll(() => stack?.stop());

  const readSideBySide = (id: string, times: number) => Promise.all(Array.from({ length: times }, () => stack.call('GET', `/v1/payments/${id}`)));

  it('answers six side-by-side reads of each closed payment with its final resource', async () => {
    for (const payment of closed) {
      const reads = await readSideBySide(payment.id, 6);
      expect(reads.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      for (const read of reads) expect(read.body).toEqual(payment);
      expect(payment).toMatchObject({ status: 'completed', settlement: { status: 'settled' } });
    }
  });

  it('reads closed payments with no worker running', async () => {
    await stack.worker.stop();
    for (const payment of closed) {
      const reads = await readSideBySide(payment.id, 3);
      expect(reads.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(reads[0]!.body).toEqual(payment);
    }
    // An unknown id is still a 404, not a wait for a worker.
    const unknown = await stack.call('GET', `/v1/payments/${closed[0]!.id.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'))}`);
    expect(unknown.status).toBe(404);
  });
});
