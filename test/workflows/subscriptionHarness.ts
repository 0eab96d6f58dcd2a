import { randomBytes, randomUUID } from 'node:crypto';
import type { Client, Connection, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { RequestAnswer } from '../../domain/messages';
import type { LinkItem } from '../../domain/requests';
import { subscriptionWorkflowId, type SubscriptionInput, type SubscriptionResource } from '../../domain/subscription';
import {
  invoiceChangedSignal,
  subscriptionAnswerQuery,
  subscriptionChangeSignal,
  subscriptionQuery,
  type InvoiceChange,
  type SubscriptionChange,
} from '../../domain/subscriptionMessages';
import type { subscription } from '../../workflows';
import { projectWorkflowBundle } from '../../worker/workflowBundle';
import { testDataConverter } from '../helpers/encryption';
import { pollFor } from '../helpers/pollFor';
import { routeToDoubles } from './doubleRouting';
import { connectClient, startWorker, type RunningWorker } from '../helpers/temporal';
import { SUBSCRIPTION_ACTIVITY_NAMES, SubscriptionDouble, type PayerPlan } from './subscriptionDoubles';

/**
 * The subscription workflow on the real dev server, with one real worker per test file whose
 * activities are doubles looked up by workflow id (as ./merchantHarness.ts does for merchants).
 */

export const MERCHANT = 'mer_test';

export const PIZZA: LinkItem[] = [{ description: 'Pizza club', merchant_id: 'merchant-1', price: 19_900, quantity: 1, vat: 12 }];

type WithoutRequestId<T> = T extends unknown ? Omit<T, 'requestId'> : never;

export type SubscriptionCase = Partial<Omit<SubscriptionInput, 'id' | 'merchant' | 'state'>> & { autopay?: boolean; payer?: (period: number) => PayerPlan };

export class StartedSubscription {
  constructor(
    readonly id: string,
    readonly input: SubscriptionInput,
    readonly double: SubscriptionDouble,
    readonly handle: WorkflowHandleWithFirstExecutionRunId<typeof subscription>,
    private readonly client: Client,
  ) {}

  current(): Promise<SubscriptionResource> {
    return this.handle.query(subscriptionQuery);
  }

  waitFor(what: string, done: (s: SubscriptionResource) => boolean, timeoutMs = 20_000): Promise<SubscriptionResource> {
    return pollFor(() => this.current(), done, (s) => `Timed out waiting for ${what}; the subscription is ${s.status}, notices: ${this.double.notices().join(', ')}`, timeoutMs, 50);
  }

  /** Waits for the workflow to close, then reads its last state (a closed workflow still answers queries). */
  async finished(timeoutMs = 60_000): Promise<SubscriptionResource> {
    await pollFor(
      () => this.handle.describe(),
      (d) => d.status.name !== 'RUNNING',
      (d) => `Still ${d.status.name}; notices: ${this.double.notices().join(', ')}`,
      timeoutMs,
      100,
    );
    return await this.current();
  }

  async change(change: WithoutRequestId<SubscriptionChange>, requestId: string = randomUUID()): Promise<RequestAnswer> {
    await this.handle.signal(subscriptionChangeSignal, { ...change, requestId } as SubscriptionChange);
    return await pollFor(
      () => this.answerTo(requestId),
      (a): a is RequestAnswer => a !== null,
      () => `No answer to ${change.kind} (${requestId})`,
      10_000,
    ) as RequestAnswer;
  }

  answerTo(requestId: string): Promise<RequestAnswer | null> {
    return this.handle.query(subscriptionAnswerQuery, requestId);
  }

  /** Replays one run's history against the project's workflow code: throws on a nondeterminism. */
  async replay(runId: string): Promise<void> {
    const history = await this.client.workflow.getHandle(this.handle.workflowId, runId).fetchHistory();
    const dataConverter = testDataConverter();
    const { bundle } = await projectWorkflowBundle({ failureConverterPath: dataConverter.failureConverterPath, payloadConverterPath: dataConverter.payloadConverterPath });
    await Worker.runReplayHistory({ workflowBundle: bundle, dataConverter }, history, this.handle.workflowId);
  }

  invoiceChanged(change: InvoiceChange): Promise<void> {
    return this.handle.signal(invoiceChangedSignal, change);
  }

  async currentDetails(): Promise<string> {
    const metadata = await this.handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    return metadata.currentDetails ?? '';
  }

  /** Every run of the workflow so far, first to current: its run id, how it ended and its history's length. */
  async runs(): Promise<Array<{ runId: string; status: string; events: number }>> {
    const runs: Array<{ runId: string; status: string; events: number }> = [];
    let runId: string | undefined = this.handle.firstExecutionRunId;
    while (runId) {
      const handle: WorkflowHandle = this.client.workflow.getHandle(this.handle.workflowId, runId);
      const described = await handle.describe();
      const { events } = await handle.fetchHistory();
      runs.push({ runId, status: described.status.name, events: events?.length ?? 0 });
      if (described.status.name !== 'CONTINUED_AS_NEW') break;
      runId = events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    return runs;
  }
}

export class SubscriptionHarness {
  private readonly started: StartedSubscription[] = [];

  private constructor(
    readonly client: Client,
    private readonly connection: Connection,
    private readonly worker: RunningWorker,
    private readonly doubles: Map<string, SubscriptionDouble>,
  ) {}

  static async start(): Promise<SubscriptionHarness> {
    const doubles = new Map<string, SubscriptionDouble>();
    const worker = await startWorker({ activities: doubleActivities(doubles) });
    const { client, connection } = await connectClient();
    return new SubscriptionHarness(client, connection, worker, doubles);
  }

  /** Starts at once (the first period now) unless the case says otherwise. */
  async startSubscription(c: SubscriptionCase = {}): Promise<StartedSubscription> {
    const { autopay, payer, ...overrides } = c;
    const id = `sub_${randomBytes(8).toString('hex')}`;
    const workflowId = subscriptionWorkflowId(id);
    const double = new SubscriptionDouble((change) => this.client.workflow.getHandle(workflowId).signal(invoiceChangedSignal, change));
    double.autopay = autopay ?? false;
    double.payer = payer;
    this.doubles.set(workflowId, double);
    const input: SubscriptionInput = {
      id,
      merchant: MERCHANT,
      interval: 'PT2S',
      startAtMs: Date.now(),
      dueAfter: 'PT1S',
      reminders: [],
      gracePeriod: 'PT1S',
      end: null,
      items: PIZZA,
      currency: 'SEK',
      invoiceTemplate: { customer: { email: 'member@example.com' }, locale: 'sv-SE' },
      fingerprint: 'test',
      notifyUrl: 'https://merchant.example/hooks',
      ...overrides,
    };
    const handle = await this.client.workflow.start<typeof subscription>('subscription', {
      workflowId,
      taskQueue: this.worker.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
    });
    const started = new StartedSubscription(id, input, double, handle, this.client);
    this.started.push(started);
    return started;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.started.map(async (s) => {
        try {
          await this.client.workflow.getHandle(subscriptionWorkflowId(s.id)).terminate('test case over');
        } catch {
          // Already closed: nothing to clean up.
        }
      }),
    );
    await this.worker.stop();
    await this.connection.close();
  }
}

function doubleActivities(doubles: Map<string, SubscriptionDouble>): Record<string, (...args: never[]) => Promise<unknown>> {
  return routeToDoubles(SUBSCRIPTION_ACTIVITY_NAMES, doubles, (double, name, [arg]) => double.run(name as never, arg));
}
