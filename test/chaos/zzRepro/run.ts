import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
const EventType = temporal.api.enums.v1.EventType;
import { startDevServer } from '../../../scripts/devServer';
import { ensureTemporalCli } from '../../../scripts/temporalCli';
import { loadDevServerTuning } from '../../../common/config/devServer';
import { freePort } from '../../helpers/ports';
import { waitUpdate } from './workflows';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function main() {
  const cli = await ensureTemporalCli({});
  const dir = mkdtempSync(path.join(os.tmpdir(), 'repro-'));
  const server = await startDevServer({ cli, port: await freePort(), namespace: 'default', dbFile: path.join(dir, 't.db'), tuning: loadDevServerTuning(process.env) });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const startWorker = () =>
    new Promise<ReturnType<typeof spawn>>((resolve) => {
      const c = spawn(process.execPath, ['-e', "require('tsx/cjs/api').register(); require('./test/chaos/zzRepro/worker.ts')"], { env: { ...process.env, ADDR: server.address }, stdio: ['ignore', 'pipe', 'ignore'] });
      c.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('WORKER UP')) setTimeout(() => resolve(c), 1500); });
    });
  const results: string[] = [];
  for (let run = 0; run < 3; run++) {
    const w1 = await startWorker();
    const handle = await client.workflow.start('updateWithTimeout', { taskQueue: 'repro', workflowId: `repro-${Date.now()}` });
    const a = handle.executeUpdate(waitUpdate, { args: ['a'] });
    await sleep(300 + run * 200); // A accepted, its 2 s timer running, the activity scheduled
    w1.kill('SIGKILL');
    await sleep(3000); // A's timer fires with no worker
    const b = handle.executeUpdate(waitUpdate, { args: ['b'] });
    await sleep(300);
    const w2 = await startWorker();
    console.log('A', await a, 'B', await b, 'result', await handle.result());
    w2.kill('SIGKILL');
    const history = await handle.fetchHistory();
    const names = history.events!.map((e) => `${e.eventId} ${EventType[e.eventType!]?.replace('EVENT_TYPE_', '')}`);
    try {
      await Worker.runReplayHistory({ workflowsPath: require.resolve('./workflows') }, history, handle.workflowId);
      results.push(`run ${run}: REPLAY ok`);
    } catch (err) {
      results.push(`run ${run}: REPLAY failed: ${String((err as Error).message).slice(0, 250)}\n${names.join('\n')}`);
    }
  }
  console.log(results.join('\n'));
  await connection.close();
  await server.stop();
}
void main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
