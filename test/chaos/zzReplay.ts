import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { DEFAULT_WORKFLOWS_PATH } from '../../worker/createWorker';
import { testDataConverter } from '../helpers/encryption';
async function main() {
  const dir = '/tmp/chaos-histories';
  const histories = readdirSync(dir).map((f) => ({ workflowId: f.replace(/\.json$/, ''), history: historyFromJSON(JSON.parse(readFileSync(path.join(dir, f), 'utf8'))) }));
  for await (const r of Worker.runReplayHistories({ workflowsPath: DEFAULT_WORKFLOWS_PATH, dataConverter: testDataConverter() }, histories)) {
    console.log('REPLAY', r.workflowId, r.error ? String((r.error as Error).message).slice(0, 400) : 'ok');
  }
}
void main().then(() => process.exit(0));
