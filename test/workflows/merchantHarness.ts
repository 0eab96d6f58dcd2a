import { randomBytes, randomUUID } from 'node:crypto';
import type { Client, Connection, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { ApiKeyView, MerchantAuth, MerchantProfile, MerchantResource, MerchantSettings } from '../../domain/merchant';
import { merchantWorkflowId } from '../../domain/merchant';
import {
  keyUsedSignal,
  merchantAnswerQuery,
  merchantAuthQuery,
  merchantChangeSignal,
  merchantFingerprintQuery,
  merchantKeysQuery,
  merchantQuery,
  merchantStatusSignal,
  type MerchantChange,
  type MerchantInput,
} from '../../domain/merchantMessages';
import type { RequestAnswer } from '../../domain/messages';
import { pollFor } from '../helpers/pollFor';
import { routeToDoubles } from './doubleRouting';
import { MerchantId } from '../../domain/searchAttributes';
import { projectWorkflowBundle } from '../../worker/workflowBundle';
import type { merchant } from '../../workflows';
import { testDataConverter } from '../helpers/encryption';
import { connectClient, startWorker, type RunningWorker } from '../helpers/temporal';
import { MERCHANT_ACTIVITY_NAMES, MerchantDouble } from './merchantDoubles';

/**
 * The merchant workflow on the real dev server, with one real worker per test file whose activities
 * are doubles looked up by workflow id (as test/workflows/harness.ts does for payments). Each case
 * starts its merchant as api/routes/merchants.ts does: the `MerchantId` attribute and the static summary.
 */

/** No poll fires within a case unless the case asks for one. */
export const NO_POLLING: MerchantInput['statusPoll'] = { initialMs: 600_000, maxMs: 600_000 };
export const CREATOR = 'platform:key_test';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
export const newMerchantId = () => `mer_${[...randomBytes(20)].map((b) => BASE32[b % 32]).join('')}`;

export function merchantProfile(overrides: Partial<MerchantProfile> = {}): MerchantProfile {
  return { name: 'Pizzeria Napoli AB', email: 'owner@napoli.example', organization: { country: 'SE', se_organization_number: '5566778899' }, ...overrides };
}

export function merchantSettings(overrides: Partial<MerchantSettings> = {}): MerchantSettings {
  return { display_name: 'Pizzeria Napoli', notify_url: null, payment_methods: null, locale: 'sv-SE', supplier: null, ...overrides };
}

/** A new key as the API sends it: only its SHA-256 and prefix. */
export function newKey(): { keyId: string; sha256: string; prefix: string } {
  return { keyId: `key_${randomBytes(8).toString('hex')}`, sha256: randomBytes(32).toString('hex'), prefix: `sk_${randomBytes(4).toString('hex')}…` };
}

type WithoutRequestId<T> = T extends unknown ? Omit<T, 'requestId'> : never;

export interface MerchantCase {
  profile?: MerchantProfile;
  settings?: MerchantSettings;
  statusPoll?: MerchantInput['statusPoll'];
  historyLimit?: number;
  /** Scripts the double before the workflow starts: the create runs at once. */
  setup?: (double: MerchantDouble) => void;
}

function timerMs(duration: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(duration?.seconds ?? 0) * 1000 + Math.round((duration?.nanos ?? 0) / 1e6);
}

export class StartedMerchant {
  constructor(
    readonly id: string,
    readonly input: MerchantInput,
    readonly double: MerchantDouble,
    readonly handle: WorkflowHandleWithFirstExecutionRunId<typeof merchant>,
    private readonly client: Client,
  ) {}

  current(): Promise<MerchantResource> {
    return this.handle.query(merchantQuery);
  }

  keys(): Promise<ApiKeyView[]> {
    return this.handle.query(merchantKeysQuery);
  }

  auth(): Promise<MerchantAuth> {
    return this.handle.query(merchantAuthQuery);
  }

  answerTo(requestId: string): Promise<RequestAnswer | null> {
    return this.handle.query(merchantAnswerQuery, requestId);
  }

  fingerprint(): Promise<string> {
    return this.handle.query(merchantFingerprintQuery);
  }

  waitFor(what: string, done: (m: MerchantResource) => boolean, timeoutMs = 10_000): Promise<MerchantResource> {
    return pollFor(() => this.current(), done, (m) => `Timed out waiting for ${what}; the merchant is ${m.status}, calls: ${this.double.names().join(', ')}`, timeoutMs);
  }

  /** Ping's status callback, as the API's webhook route forwards it. */
  statusCallback(status?: string): Promise<void> {
    return this.handle.signal(merchantStatusSignal, { status, receivedAt: new Date().toISOString() });
  }

  /** A change as the API sends it: the signal, then its answer read back by request id (refusals included). */
  async change(change: WithoutRequestId<MerchantChange>, requestId: string = randomUUID()): Promise<RequestAnswer> {
    await this.handle.signal(merchantChangeSignal, { ...change, requestId } as MerchantChange);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const answer = await this.answerTo(requestId);
      if (answer) return answer;
      if (Date.now() > deadline) throw new Error(`No answer to ${change.kind} (${requestId})`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Waits until the workflow has handled every signal sent before this call: signals are handled in
   * the order they were sent, so once this no-op change is answered, so is everything before it.
   */
  async settled(): Promise<void> {
    await this.change({ kind: 'update_settings', actor: 'platform:barrier', settings: {} });
  }

  keyUsed(keyId: string, at: string): Promise<void> {
    return this.handle.signal(keyUsedSignal, { keyId, at });
  }

  async currentDetails(): Promise<string> {
    const metadata = await this.handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    return metadata.currentDetails ?? '';
  }

  async searchAttributes(): Promise<TypedSearchAttributes> {
    return (await this.handle.describe()).typedSearchAttributes;
  }

  /** The run ids of the merchant's runs so far, first to current, and how each ended. */
  async runs(): Promise<Array<{ runId: string; status: string }>> {
    const runs: Array<{ runId: string; status: string }> = [];
    let runId: string | undefined = this.handle.firstExecutionRunId;
    while (runId) {
      const handle: WorkflowHandle = this.client.workflow.getHandle(this.handle.workflowId, runId);
      const described = await handle.describe();
      runs.push({ runId, status: described.status.name });
      if (described.status.name !== 'CONTINUED_AS_NEW') break;
      const { events } = await handle.fetchHistory();
      runId = events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    return runs;
  }

  /** The current run's timers: how long each was set for, and whether it fired, was cancelled or is still pending. */
  async timers(runId?: string): Promise<Array<{ ms: number; end: 'fired' | 'cancelled' | 'pending' }>> {
    const history = await this.client.workflow.getHandle(this.handle.workflowId, runId).fetchHistory();
    const timers = new Map<string, { ms: number; end: 'fired' | 'cancelled' | 'pending' }>();
    for (const event of history.events ?? []) {
      const started = event.timerStartedEventAttributes;
      if (started?.timerId) timers.set(started.timerId, { ms: timerMs(started.startToFireTimeout), end: 'pending' });
      const fired = event.timerFiredEventAttributes?.timerId;
      if (fired) timers.get(fired)!.end = 'fired';
      const cancelled = event.timerCanceledEventAttributes?.timerId;
      if (cancelled) timers.get(cancelled)!.end = 'cancelled';
    }
    return [...timers.values()];
  }

  /** Replays one run's history against the project's workflow code: throws on a nondeterminism. */
  async replay(runId: string): Promise<void> {
    const history = await this.client.workflow.getHandle(this.handle.workflowId, runId).fetchHistory();
    const dataConverter = testDataConverter();
    const { bundle } = await projectWorkflowBundle({ failureConverterPath: dataConverter.failureConverterPath, payloadConverterPath: dataConverter.payloadConverterPath });
    await Worker.runReplayHistory({ workflowBundle: bundle, dataConverter }, history, this.handle.workflowId);
  }
}

export class MerchantHarness {
  private readonly started: StartedMerchant[] = [];

  private constructor(
    readonly client: Client,
    private readonly connection: Connection,
    private readonly worker: RunningWorker,
    private readonly doubles: Map<string, MerchantDouble>,
  ) {}

  static async start(): Promise<MerchantHarness> {
    const doubles = new Map<string, MerchantDouble>();
    const worker = await startWorker({ activities: doubleActivities(doubles) });
    const { client, connection } = await connectClient();
    return new MerchantHarness(client, connection, worker, doubles);
  }

  async startMerchant(c: MerchantCase = {}): Promise<StartedMerchant> {
    const merchantId = newMerchantId();
    const double = new MerchantDouble(merchantId);
    c.setup?.(double);
    const workflowId = merchantWorkflowId(merchantId);
    this.doubles.set(workflowId, double);
    const profile = c.profile ?? merchantProfile();
    const input: MerchantInput = {
      merchantId,
      profile,
      settings: c.settings ?? merchantSettings(),
      fingerprint: `fp-${merchantId}`,
      actor: CREATOR,
      statusPoll: c.statusPoll ?? NO_POLLING,
      ...(c.historyLimit ? { historyLimit: c.historyLimit } : {}),
    };
    const handle = await this.client.workflow.start<typeof merchant>('merchant', {
      workflowId,
      taskQueue: this.worker.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [{ key: MerchantId, value: merchantId }],
      staticSummary: `Merchant · ${profile.name}`,
    });
    const started = new StartedMerchant(merchantId, input, double, handle, this.client);
    this.started.push(started);
    return started;
  }

  /** Merchants never end by themselves: terminate every one the cases started, then the worker. */
  async stop(): Promise<void> {
    for (const double of this.doubles.values()) double.releaseAll();
    await Promise.all(
      this.started.map(async (m) => {
        try {
          await this.client.workflow.getHandle(merchantWorkflowId(m.id)).terminate('test case over');
        } catch {
          // Already gone: nothing to clean up.
        }
      }),
    );
    await this.worker.stop();
    await this.connection.close();
  }
}

/** One implementation per activity name, each handing the call to the double of the calling workflow. */
function doubleActivities(doubles: Map<string, MerchantDouble>): Record<string, (...args: never[]) => Promise<unknown>> {
  return routeToDoubles(MERCHANT_ACTIVITY_NAMES, doubles, (double, name, args, context) => double.run(name as never, args as never, context));
}
