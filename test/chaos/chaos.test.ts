import { formatTable, runChaos } from './chaosRun';

/**
 * The small chaos run inside `npm test` (the big one is `npm run test:chaos`): both flows, with
 * settlement, refunds through the API and late payments, while the worker is SIGKILLed twice, the
 * Temporal server restarts once and Ping misbehaves. It asserts only outcomes (states, settled
 * orders, refunds at Ping, duplicates, receipts, refund e-mails, notifications), never timings.
 */
jest.setTimeout(240_000);

it('loses nothing and doubles nothing, money included, under worker kills, a server restart and a misbehaving Ping', async () => {
  const report = await runChaos({ payments: 30, concurrency: 6, workerKills: 2, serverRestarts: 1, settleSeconds: 120 });
  process.stdout.write(`\nchaos (small run)\n${formatTable(report.table)}\n`);
  expect(report.problems).toEqual([]);
  expect(report.ok).toBe(true);
});
