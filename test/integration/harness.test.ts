import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client, type Connection } from '@temporalio/client';
import { AmountMinor, MerchantReference, PaymentStatus } from '../../domain/searchAttributes';
import { createProbeActivities } from '../fixtures/activities';
import { confirmUpdate, finishSignal, harnessProbe, stateQuery } from '../fixtures/workflows';
import { connectClient, startWorker, type RunningWorker } from '../helpers/temporal';

/**
 * Proves the harness: a real dev server from the global setup, a real worker from the project's
 * factory, update-with-start, a query, typed search attributes in describe() and in a visibility query.
 */
describe('test harness on a real Temporal dev server', () => {
  let client: Client;
  let connection: Connection;
  let worker: RunningWorker;

  beforeAll(async () => {
    ({ client, connection } = await connectClient());
    worker = await startWorker({
      workflowsPath: require.resolve('../fixtures/workflows'),
      activities: createProbeActivities({ greeting: 'Hej' }),
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await connection?.close();
  });

  function startOperation(workflowId: string, reference: string) {
    return new WithStartWorkflowOperation(harnessProbe, {
      workflowId,
      taskQueue: worker.taskQueue,
      args: [{ name: reference }],
      // The payment workflows' idempotency: a retry joins the running workflow, and a finished one is
      // never started again under the same id.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: MerchantReference, value: reference },
        { key: AmountMinor, value: 4200 },
        { key: PaymentStatus, value: 'created' },
      ],
    });
  }

  it('runs a workflow through update-with-start to completion and reads it back', async () => {
    const reference = `ref-${randomUUID()}`;
    const workflowId = `harness-${reference}`;

    const operation = startOperation(workflowId, reference);
    const first = await client.workflow.executeUpdateWithStart(confirmUpdate, {
      args: ['first caller'],
      startWorkflowOperation: operation,
    });
    // The update resolved only after the activity ran on the worker.
    expect(first).toEqual({ greeting: `Hej, ${reference}`, confirmations: 1 });
    const handle = await operation.workflowHandle();
    const runId = (await handle.describe()).runId;
    expect(await handle.query(stateQuery)).toBe('greeted');

    // Retrying the same start attaches to the running workflow instead of starting a second one.
    const again = startOperation(workflowId, reference);
    const second = await client.workflow.executeUpdateWithStart(confirmUpdate, { args: ['second caller'], startWorkflowOperation: again });
    expect(second.confirmations).toBe(2);
    expect((await (await again.workflowHandle()).describe()).runId).toBe(runId);

    await handle.signal(finishSignal);
    const result = await handle.result();
    expect(result).toEqual({ greeting: `Hej, ${reference}`, confirmedBy: ['first caller', 'second caller'] });
    expect(await handle.query(stateQuery)).toBe('completed');

    const description = await handle.describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.typedSearchAttributes.get(PaymentStatus)).toBe('completed');
    expect(description.typedSearchAttributes.get(MerchantReference)).toBe(reference);
    expect(description.typedSearchAttributes.get(AmountMinor)).toBe(4200);

    // Once finished, the same id cannot start a second run.
    await expect(
      client.workflow.executeUpdateWithStart(confirmUpdate, { args: ['late caller'], startWorkflowOperation: startOperation(workflowId, reference) }),
    ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);

    // Visibility is eventually consistent: poll until the search-attribute query sees it.
    const query = `MerchantReference = '${reference}' AND PaymentStatus = 'completed' AND AmountMinor = 4200`;
    const found: string[] = [];
    for (let i = 0; i < 40 && found.length === 0; i++) {
      for await (const wf of client.workflow.list({ query })) found.push(`${wf.workflowId}/${wf.runId}`);
      if (found.length === 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(found).toEqual([`${workflowId}/${runId}`]);
    expect((await client.workflow.count(`MerchantReference = '${reference}'`)).count).toBe(1);
  });
});
