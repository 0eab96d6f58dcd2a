import { endToEnd, manyOpen, timeToCheckout } from '../../bench/scenarios';
import { startBenchStack, type BenchStack } from '../../bench/stack';
import { renderMarkdown } from '../../scripts/bench';

/**
 * A seconds-long run of every benchmark scenario on the real process stack, so the bench cannot rot.
 * It asserts that figures were produced and are sane numbers, never how fast anything was.
 */
jest.setTimeout(180_000);

describe('bench (small run)', () => {
  let stack: BenchStack;
  beforeAll(async () => {
    stack = await startBenchStack();
  });
  afterAll(() => stack?.stop());

  it('produces every figure of the three scenarios', async () => {
    const checkout = await timeToCheckout(stack, { n: 5, concurrency: 2, latencies: [0, 20] });
    expect(checkout.map((r) => r.latencyMs)).toEqual([0, 20]);
    for (const row of checkout) {
      for (const s of [row.ours.link, row.ours.pis, row.baseline]) {
        expect(s.n).toBe(5);
        expect(s.p50).toBeGreaterThan(0);
        expect(s.p99).toBeGreaterThanOrEqual(s.p50);
      }
      expect(Object.keys(row.cpuMsPerCreate).sort()).toEqual(['api', 'inbox', 'sandbox', 'temporal', 'worker']);
      expect(row.cpuMsPerCreate.worker).toBeGreaterThan(0);
    }

    const e2e = await endToEnd(stack, { seconds: 3, concurrency: 2 });
    expect(e2e.completed).toBeGreaterThan(0);
    expect(e2e.latency.n).toBe(e2e.completed);
    // A payment is done once settled at Ping (the stack's hold is PT0S), and none was refused.
    expect(e2e.settlementHold).toBe('PT0S');
    expect(e2e.settled).toBeGreaterThan(0);
    expect(e2e.settledLatency.n).toBe(e2e.settled);
    expect(e2e.settled).toBeLessThanOrEqual(e2e.completed);
    expect(e2e.settlementFailures).toBe(0);
    // Every process of the stack, and the load generator itself (it shares the machine).
    expect(Object.keys(e2e.usage).sort()).toEqual(['api', 'bench', 'inbox', 'sandbox', 'temporal', 'worker']);
    for (const u of Object.values(e2e.usage)) expect(u.rssMiB).toBeGreaterThan(0);
    expect(e2e.usage.worker!.cpuMsPerPayment).toBeGreaterThan(0);

    const open = await manyOpen(stack, { count: 6, concurrency: 3, settleSeconds: 60 });
    expect(open).toMatchObject({ open: 6, completed: 6 });
    expect(open.rssWhileWaiting.worker).toBeGreaterThan(0);

    const markdown = renderMarkdown({ machine: { cores: 2, memoryGiB: 24, cpu: 'test', node: process.version }, options: {}, checkout, e2e, open });
    expect(markdown).toContain('Time to checkout URL');
    expect(markdown).toContain('completed/s');
    expect(markdown).toContain('settled/s');
    expect(markdown).toContain('open payments');
  });
});
