import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { DEFAULT_WORKFLOWS_PATH } from '../../worker/createWorker';
import { testDataConverter } from '../helpers/encryption';

/**
 * Safe deploys: recorded histories of each flow's main paths (`npm run replay:record`) replayed
 * against the current workflow code. A change to a released workflow's command sequence makes this
 * fail; such a change needs `patched()` (and a new recording alongside the old ones).
 */
const FIXTURES = path.join(__dirname, 'fixtures');

function histories() {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ workflowId: file.replace(/\.json$/, ''), history: historyFromJSON(JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8'))) }));
}

async function replay(workflowsPath: string) {
  const results: Array<{ workflowId: string; error?: unknown }> = [];
  const options = { workflowsPath, dataConverter: testDataConverter() };
  for await (const result of Worker.runReplayHistories(options, histories())) results.push(result);
  return results;
}

describe('workflow replay', () => {
  it('has a recorded history for each main path of both flows, from each released version', () => {
    const paths = ['link-paid', 'link-expired', 'link-cancelled', 'link-refused', 'pis-paid', 'pis-aborted', 'pis-timed-out', 'pis-cancelled'];
    // v1: before the order became a local activity (patch `order-as-local-activity`); v2: before
    // payments took fewer workflow tasks (patch `fewer-workflow-tasks`); unprefixed: now.
    const versions = ['', 'v1-', 'v2-'];
    expect(histories().map((h) => h.workflowId)).toEqual(expect.arrayContaining(versions.flatMap((v) => paths.map((p) => `${v}${p}`))));
  });

  it('replays every recorded history against the current workflows', async () => {
    const results = await replay(DEFAULT_WORKFLOWS_PATH);
    expect(results.map((r) => [r.workflowId, r.error ? String(r.error) : 'ok'])).toEqual(histories().map((h) => [h.workflowId, 'ok']));
  });

  it('fails when a workflow’s command sequence changes', async () => {
    const results = await replay(require.resolve('../fixtures/nondeterministic'));
    expect(results.length).toBeGreaterThanOrEqual(24);
    for (const r of results) expect(String(r.error)).toMatch(/[Nn]ondetermin/);
  });
});
