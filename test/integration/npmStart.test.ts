import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { PROJECT_ROOT } from '../../common/config/processConfig';
import { freePort } from '../helpers/ports';
import { descendantPids, spawnJob, survivors, type Spawned } from '../helpers/processes';

/**
 * `npm start` as a person runs it: the whole stack comes up on free ports, prints its URLs, answers,
 * keeps its state across a restart, and Ctrl-C (SIGINT to the terminal's process group) leaves no
 * process behind.
 */
jest.setTimeout(180_000);

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'warn', ...extra };
  // The stack must start its own dev server, not join the test harness's.
  for (const name of ['TEMPORAL_ADDRESS', 'API_KEYS', 'WEBHOOK_SECRET', 'PING_ORCHESTRATOR_TEST_HARNESS']) delete env[name];
  return env;
}

/**
 * What a terminal does on Ctrl-C: SIGINT to the whole foreground process group. npm waits for the
 * stack to stop, then ends itself with the same signal; the stack's own exit code is in its output.
 */
async function ctrlC(job: Spawned): Promise<{ ended: string; pids: number[] }> {
  const pids = descendantPids(job.child.pid!);
  process.kill(-job.child.pid!, 'SIGINT');
  const { code, signal } = await job.exited;
  return { ended: signal ?? `exit ${code}`, pids };
}

describe('npm start', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  const running: Spawned[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'npm-start-'));
    env = baseEnv({
      DATA_DIR: dataDir,
      API_PORT: String(await freePort()),
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      SANDBOX_PORT: String(await freePort()),
      INBOX_SMTP_PORT: String(await freePort()),
      INBOX_HTTP_PORT: String(await freePort()),
    });
  });

  afterAll(() => {
    for (const job of running) {
      if (job.child.exitCode !== null || job.child.signalCode !== null) continue;
      try {
        process.kill(-job.child.pid!, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  function start(): Spawned {
    const job = spawnJob('npm', ['start'], env, PROJECT_ROOT);
    running.push(job);
    return job;
  }

  /** A failed expectation here is hard to read without what the stack printed, so attach it. */
  async function withOutput(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (err) {
      const output = running.map((job, i) => `--- npm start #${i + 1} ---\n${job.output().slice(-4000)}`).join('\n');
      if (err instanceof Error) err.message += `\n${output}`;
      throw err;
    }
  }

  it('brings the stack up, prints where it is, keeps state across a restart, and stops cleanly', () => withOutput(async () => {
    const first = start();
    await first.waitFor(/Press Ctrl-C to stop/, 120_000);
    const out = first.output();
    const apiUrl = out.match(/API\s+(http:\/\/\S+)/)![1]!;
    const apiKey = out.match(/API key\s+(\S+) \(generated/)![1]!;
    const grpc = out.match(/Temporal gRPC\s+(\S+)/)![1]!;
    const uiUrl = out.match(/Temporal UI\s+(http:\/\/\S+)/)![1]!;
    const sandboxUrl = out.match(/Ping sandbox\s+(http:\/\/\S+)/)![1]!;
    expect(apiUrl).toBe(`http://127.0.0.1:${env.API_PORT}`);
    expect(grpc).toBe(`127.0.0.1:${env.TEMPORAL_DEV_PORT}`);
    expect(uiUrl).toBe(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}`);
    expect(sandboxUrl).toBe(`http://localhost:${env.SANDBOX_PORT}`);
    const pong = await fetch(`${sandboxUrl}/payments/api/v1/ping`, { headers: { tenant_id: '00000000-0000-4000-8000-000000000001' } });
    expect(await pong.text()).toBe('pong');
    const inboxUrl = out.match(/Mail inbox\s+(http:\/\/\S+)/)![1]!;
    expect(inboxUrl).toBe(`http://127.0.0.1:${env.INBOX_HTTP_PORT}`);
    expect(await (await fetch(`${inboxUrl}/messages`)).json()).toEqual([]);

    const health = await fetch(`${apiUrl}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${apiUrl}/readyz`)).status).toBe(200);
    const ui = await fetch(uiUrl);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/<!doctype html>/i);
    // The printed key is the one the API accepts (404: authenticated, no such route yet).
    expect((await fetch(`${apiUrl}/v1/x`, { headers: { Authorization: `Bearer ${apiKey}` } })).status).toBe(404);
    expect((await fetch(`${apiUrl}/v1/x`)).status).toBe(401);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'dev-secrets.json'), 'utf8'))).toMatchObject({ apiKey });
    // The payee app's line names a dev merchant's own key, which reaches that merchant, approved at the sandbox.
    const [, appUrl, merchantKey, merchantId] = out.match(/Payee app\s+(http:\/\/\S+) \(sign in with (sk_\S+), the key of the dev merchant (mer_\w+)\)/)!;
    expect(appUrl).toBe(`${apiUrl}/app`);
    const devMerchant = await fetch(`${apiUrl}/v1/merchants/${merchantId}`, { headers: { Authorization: `Bearer ${merchantKey}` } });
    expect(devMerchant.status).toBe(200);
    expect(await devMerchant.json()).toMatchObject({ id: merchantId, status: 'approved' });
    expect(existsSync(path.join(dataDir, 'temporal.db'))).toBe(true);

    // A workflow nobody works on stays open: after a restart it must still be there.
    const connection = await Connection.connect({ address: grpc });
    const workflowId = `persistence-probe-${Date.now()}`;
    try {
      await new Client({ connection }).workflow.start('persistenceProbe', { workflowId, taskQueue: 'nobody-polls-this' });
    } finally {
      await connection.close();
    }

    const firstStop = await ctrlC(first);
    expect(firstStop.ended).toBe('SIGINT');
    expect(first.output()).toMatch(/Stopped\./);
    expect(firstStop.pids.length).toBeGreaterThanOrEqual(5); // at least dev server, sandbox, inbox, worker, API
    expect(await survivors(firstStop.pids)).toEqual([]);

    const second = start();
    await second.waitFor(/Press Ctrl-C to stop/, 120_000);
    expect(second.output()).toContain(apiKey); // the same generated key, kept in the data folder
    expect(second.output()).toContain(`sign in with ${merchantKey}, the key of the dev merchant ${merchantId}`);
    const again = await Connection.connect({ address: grpc });
    try {
      const handle = new Client({ connection: again }).workflow.getHandle(workflowId);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await handle.terminate('test cleanup');
    } finally {
      await again.close();
    }
    const secondStop = await ctrlC(second);
    expect(secondStop.ended).toBe('SIGINT');
    expect(second.output()).toMatch(/Stopped\./);
    expect(await survivors(secondStop.pids)).toEqual([]);
  }));

  it.each(['start', 'api', 'worker'])('npm run %s exits 1 with one line naming a bad variable', async (script) => {
    const job = spawnJob('npm', ['run', '--silent', script], { ...env, API_PORT: 'not-a-port' }, PROJECT_ROOT);
    const { code } = await job.exited;
    expect(code).toBe(1);
    expect(job.output().trim()).toBe('Invalid configuration: API_PORT must be a port number (got "not-a-port")');
  });
});
