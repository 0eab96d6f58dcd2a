import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client, type Connection, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, type SearchAttributePair, type TypedSearchAttributes } from '@temporalio/common';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { askPayment, RequestRefused } from '../../api/askPayment';
import { paymentLinkAmount, pisPaymentAmount } from '../../domain/amount';
import {
  cancelSignal,
  createdUpdate,
  payerReturnedSignal,
  paymentQuery,
  pingCallbackSignal,
  refundSignal,
  settleSignal,
  type CreatedResult,
  type PayerOutcome,
  type RefundRequest,
} from '../../domain/messages';
import type { PaymentResource, PingRefundReason } from '../../domain/payment';

/** What the API answers a refund with: the payment, and whether this request was the first under its key. */
export interface RefundResult {
  payment: PaymentResource;
  first: boolean;
}
import type { PaymentLinkInput, PaymentLinkRequest, PisPaymentInput, PisPaymentRequest, MoneyTiming, PollTiming } from '../../domain/requests';
import { AmountMinor, Currency, MerchantReference, PaymentFlow, PaymentStatus, SettlementStatus } from '../../domain/searchAttributes';
import type { paymentLink, pisPayment } from '../../workflows';
import { pollFor } from '../helpers/pollFor';
import { routeToDoubles } from './doubleRouting';
import { connectClient, startWorker, type RunningWorker } from '../helpers/temporal';
import { ACTIVITY_NAMES, PaymentDouble, type Activities } from './doubles';

/**
 * The real dev server (jest's global setup), one real worker per test file running the project's
 * workflows, and activity doubles looked up by workflow id, so the cases of a file share the worker
 * and never each other's answers.
 */

/** No poll fires within a case unless the case asks for one, so the recorded calls are exactly the wake-ups it caused. */
export const NO_POLLING: PollTiming = { pollInitialMs: 600_000, pollMaxMs: 600_000 };

export const NOTIFY_URL = 'https://merchant.test/ping-events';

export function linkRequest(overrides: Partial<PaymentLinkRequest> = {}): PaymentLinkRequest {
  return {
    currency: 'SEK',
    locale: 'sv-SE',
    items: [
      { description: 'Hawaii Pizza', merchant_id: 'merchant-1', price: 7000, quantity: 2, vat: 12 },
      { description: 'Läsk', merchant_id: 'merchant-1', price: 2500, quantity: 1, vat: 12 },
    ],
    customer: { first_name: 'Bertil', last_name: 'Jönsson', email: 'bertil@example.com', phone: '0701234567' },
    supplier: { name: 'Pizzeria AB', city: 'Örebro' },
    payment_methods: [{ provider: 'swish', method: 'm_commerce' }],
    merchant_reference: 'order-1001',
    notify_url: NOTIFY_URL,
    ...overrides,
  };
}

export function pisRequest(overrides: Partial<PisPaymentRequest> = {}): PisPaymentRequest {
  return {
    currency: 'SEK',
    order_items: [
      { name: 'Chair', amount: 20000, vat_rate: 25, merchant_id: 'merchant-1' },
      { name: 'Delivery', amount: 5000, vat_rate: 25, merchant_id: 'merchant-1' },
    ],
    success_url: 'https://shop.example/paid',
    cancel_url: 'https://shop.example/cancelled',
    error_url: 'https://shop.example/error',
    payer: { email: 'payer@example.com', name: 'Petra Payer' },
    merchant_name: 'Möbelhuset AB',
    locale: 'sv-SE',
    reference: 'pis-2002',
    timeout_seconds: 60,
    notify_url: NOTIFY_URL,
    ...overrides,
  };
}

/** An ISO instant `ms` from now: a due date that passes within the case. */
export function dueIn(ms: number): string {
  return new Date(Date.now() + ms).toISOString();
}

/** The merchant events the payment sent, in order. */
export function merchantEvents(payment: StartedPayment): string[] {
  return payment.double.callsOf('notifyMerchant').map((c) => c.input.event.type);
}

/** The payer pays at Ping (a link's checkout or the bank) and Ping's callback arrives. */
export async function payAtPing(payment: StartedPayment): Promise<void> {
  payment.double.setPingStatus('COMPLETED');
  await payment.callback('COMPLETED');
}

/** The failure type a request was refused with: by the `created` update's validator, or in the answer to a signal (`IdempotencyKeyReused`, `PaymentFinal`). */
export async function refusalOf(request: Promise<unknown>): Promise<{ type: string | null | undefined; message: string }> {
  try {
    await request;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) return { type: err.cause.type, message: err.cause.message };
    if (err instanceof RequestRefused) return { type: err.type, message: err.message };
    throw err;
  }
  throw new Error('The request was accepted');
}

function timerMs(duration: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(duration?.seconds ?? 0) * 1000 + Math.round((duration?.nanos ?? 0) / 1e6);
}

async function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what())), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

type PaymentWorkflow = typeof paymentLink | typeof pisPayment;

/** Settle at once, and close an ended payment at once (no late-payment watch), unless a case asks otherwise. */
export const NO_HOLD_NO_WATCH: MoneyTiming = { settlementHoldMs: 0, latePaymentWindowMs: 0 };

export interface PaymentCase<R> {
  request?: Partial<R>;
  timing?: PollTiming;
  money?: MoneyTiming;
  fingerprint?: string;
  /** Scripts the double before the workflow starts: the create runs at once. */
  setup?: (double: PaymentDouble) => void;
}

/** One payment of a case: its workflow, its double, and the messages the API would send it. */
export class StartedPayment {
  constructor(
    readonly id: string,
    readonly double: PaymentDouble,
    readonly handle: WorkflowHandle<PaymentWorkflow>,
    readonly created: CreatedResult,
    readonly fingerprint: string,
    private readonly createWith: (fingerprint: string) => Promise<CreatedResult>,
  ) {}

  /** The workflow's result: the final resource. */
  result(timeoutMs = 15_000): Promise<PaymentResource> {
    return within(this.handle.result(), timeoutMs, () => `${this.id} did not finish within ${timeoutMs} ms; calls: ${this.double.names().join(', ')}`);
  }

  current(): Promise<PaymentResource> {
    return this.handle.query(paymentQuery);
  }

  waitForPayment(what: string, done: (payment: PaymentResource) => boolean, timeoutMs = 10_000): Promise<PaymentResource> {
    return pollFor(() => this.current(), done, (p) => `Timed out waiting for ${what}; the payment is ${p.status}, calls: ${this.double.names().join(', ')}`, timeoutMs);
  }

  callback(status?: string): Promise<void> {
    return this.handle.signal(pingCallbackSignal, { status, receivedAt: new Date().toISOString() });
  }

  payerReturned(outcome: PayerOutcome): Promise<void> {
    return this.handle.signal(payerReturnedSignal, { outcome });
  }

  /** `POST /v1/payments/:id/cancel` as the API does it: the signal and its answer, then reads until the payment has ended (or was paid first). */
  async cancel(): Promise<PaymentResource> {
    await askPayment(this.handle, cancelSignal, { requestId: randomUUID() });
    return this.waitForPayment('the cancel to end the payment', (p) => p.status !== 'awaiting_payment' && p.status !== 'creating');
  }

  /**
   * `POST /v1/payments/:id/refunds` as the API does it (api/routes/paymentMoney.ts): the signal and
   * its answer (a refusal throws RequestRefused), then reads until the refund is no longer pending.
   */
  async refund(idempotencyKey: string, body: { reason?: PingRefundReason; description?: string } = {}): Promise<RefundResult> {
    return (await this.refundAccepted(idempotencyKey, body)).answer();
  }

  /** The refund request answered (at once); `answer()` then reads, as the API does, until Ping's answer shows. */
  async refundAccepted(idempotencyKey: string, body: { reason?: PingRefundReason; description?: string } = {}): Promise<{ first: boolean; answer(): Promise<RefundResult> }> {
    const { outcome } = await askPayment(this.handle, refundSignal, this.refundRequest(idempotencyKey, body));
    const first = outcome === 'accepted';
    return { first, answer: async () => ({ first, payment: await this.waitForPayment('the refund to leave pending', (p) => p.refund?.status !== 'pending') }) };
  }

  private refundRequest(idempotencyKey: string, body: { reason?: PingRefundReason; description?: string }): RefundRequest {
    const reason = body.reason ?? 'requested_by_customer';
    const fingerprint = `refund-fp:${reason}:${body.description ?? ''}`;
    return { requestId: randomUUID(), idempotencyKey, fingerprint, reason, ...(body.description === undefined ? {} : { description: body.description }) };
  }

  /** `POST /v1/payments/:id/settle` as the API does it: the signal and its answer, then reads until the settlement has ended. */
  async settle(): Promise<PaymentResource> {
    return (await this.settleAccepted()).answer();
  }

  /** The settle request answered (at once); `answer()` then reads, as the API does, until the settlement has ended. */
  async settleAccepted(): Promise<{ answer(): Promise<PaymentResource> }> {
    await askPayment(this.handle, settleSignal, { requestId: randomUUID() });
    return { answer: () => this.waitForPayment('the settlement to end', (p) => p.status === 'refunded' || (p.settlement !== null && p.settlement.status !== 'pending')) };
  }

  /** What the Web UI shows as the workflow's current details (the SDK's metadata query). */
  async currentDetails(): Promise<string> {
    const metadata = await this.handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    return metadata.currentDetails ?? '';
  }

  /** The search attributes as the server has them (what the Web UI filters on). */
  async searchAttributes(): Promise<TypedSearchAttributes> {
    return (await this.handle.describe()).typedSearchAttributes;
  }

  /** Each value SettlementStatus was written with, in history order: one upsert event per write (null: removed). */
  async settlementStatusWrites(): Promise<Array<string | null>> {
    const history = await this.handle.fetchHistory();
    return (history.events ?? []).flatMap((event) => {
      const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
      if (!fields?.[SettlementStatus.name]) return [];
      return [decodeTypedSearchAttributes(fields).get(SettlementStatus) ?? null];
    });
  }

  /** The signals and updates the workflow received, in history order, as `signal refund` or `update created`. */
  async messagesReceived(): Promise<string[]> {
    const history = await this.handle.fetchHistory();
    return (history.events ?? []).flatMap((event) => {
      const signal = event.workflowExecutionSignaledEventAttributes?.signalName;
      const update = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
      return signal ? [`signal ${signal}`] : update ? [`update ${update}`] : [];
    });
  }

  /**
   * The workflow's timers as its history has them: how long each was set for, and whether it fired
   * or was cancelled (a wait that a message ended first). The asked-for duration is exact, unlike the
   * moment a timer fires.
   */
  async timers(): Promise<Array<{ ms: number; end: 'fired' | 'cancelled' | 'pending' }>> {
    const history = await this.handle.fetchHistory();
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

  /**
   * The workflow's history in order, as the waits and the changes it asked for: `timer 1500` when a
   * timer starts, `fired 1500` / `cancelled 1500` when it ends, `activity closePaymentOrder` when an
   * ordinary activity is scheduled, `update settle` when an update is accepted. Local activities
   * (the reads) are left out: their markers name no activity.
   */
  async steps(): Promise<string[]> {
    const history = await this.handle.fetchHistory();
    const durations = new Map<string, number>();
    const steps: string[] = [];
    for (const event of history.events ?? []) {
      const started = event.timerStartedEventAttributes;
      if (started?.timerId) {
        const ms = timerMs(started.startToFireTimeout);
        durations.set(started.timerId, ms);
        steps.push(`timer ${ms}`);
      }
      const fired = event.timerFiredEventAttributes?.timerId;
      if (fired) steps.push(`fired ${durations.get(fired)}`);
      const cancelled = event.timerCanceledEventAttributes?.timerId;
      if (cancelled) steps.push(`cancelled ${durations.get(cancelled)}`);
      const activity = event.activityTaskScheduledEventAttributes?.activityType?.name;
      if (activity) steps.push(`activity ${activity}`);
      const update = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
      if (update) steps.push(`update ${update}`);
    }
    return steps;
  }

  /** `POST` again with the same Idempotency-Key, as the API does: update-with-start onto the running payment. */
  createAgain(fingerprint = this.fingerprint): Promise<CreatedResult> {
    return this.createWith(fingerprint);
  }
}

export class Harness {
  private readonly started: StartedPayment[] = [];

  private constructor(
    readonly client: Client,
    private readonly connection: Connection,
    private readonly worker: RunningWorker,
    private readonly doubles: Map<string, PaymentDouble>,
  ) {}

  static async start(): Promise<Harness> {
    const doubles = new Map<string, PaymentDouble>();
    const worker = await startWorker({ activities: doubleActivities(doubles) });
    const { client, connection } = await connectClient();
    return new Harness(client, connection, worker, doubles);
  }

  startLink(c: PaymentCase<PaymentLinkRequest> = {}): Promise<StartedPayment> {
    const paymentId = `payment-link-wf-${globalThis.crypto.randomUUID()}`;
    const request = linkRequest(c.request);
    const fingerprint = c.fingerprint ?? `fp-${paymentId}`;
    const input: PaymentLinkInput = { paymentId, request, fingerprint, timing: c.timing ?? NO_POLLING, money: c.money ?? NO_HOLD_NO_WATCH };
    return this.start('link', 'paymentLink', input, paymentLinkAmount(request), request.currency, request.merchant_reference, c.setup);
  }

  startPis(c: PaymentCase<PisPaymentRequest> = {}): Promise<StartedPayment> {
    const paymentId = `pis-payment-wf-${globalThis.crypto.randomUUID()}`;
    const request = pisRequest(c.request);
    const fingerprint = c.fingerprint ?? `fp-${paymentId}`;
    const input: PisPaymentInput = { paymentId, request, fingerprint, timing: c.timing ?? NO_POLLING, money: c.money ?? NO_HOLD_NO_WATCH };
    return this.start('pis', 'pisPayment', input, pisPaymentAmount(request), request.currency, request.reference, c.setup);
  }

  /** Ends whatever a failed case left running, then the worker. */
  async stop(): Promise<void> {
    for (const double of this.doubles.values()) double.releaseAll();
    await Promise.all(
      this.started.map(async (payment) => {
        try {
          if ((await payment.handle.describe()).status.name === 'RUNNING') await payment.handle.terminate('test case over');
        } catch {
          // Already gone: nothing to clean up.
        }
      }),
    );
    await this.worker.stop();
    await this.connection.close();
  }

  private async start(
    flow: 'link' | 'pis',
    workflowType: 'paymentLink' | 'pisPayment',
    input: PaymentLinkInput | PisPaymentInput,
    amount: number,
    currency: string,
    reference: string | undefined,
    setup: ((double: PaymentDouble) => void) | undefined,
  ): Promise<StartedPayment> {
    const double = new PaymentDouble(flow, input.paymentId);
    setup?.(double);
    this.doubles.set(input.paymentId, double);
    // The start as api/routes/createPayment.ts makes it, with the attributes the API sets.
    const searchAttributes: SearchAttributePair[] = [
      { key: PaymentStatus, value: 'creating' },
      { key: PaymentFlow, value: flow },
      { key: AmountMinor, value: amount },
      { key: Currency, value: currency },
      ...(reference ? [{ key: MerchantReference, value: reference }] : []),
    ];
    const createWith = (fingerprint: string) =>
      this.client.workflow.executeUpdateWithStart(createdUpdate, {
        args: [{ fingerprint }],
        startWorkflowOperation: new WithStartWorkflowOperation<PaymentWorkflow>(workflowType, {
          workflowId: input.paymentId,
          taskQueue: this.worker.taskQueue,
          args: [input as PaymentLinkInput & PisPaymentInput],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: searchAttributes,
        }),
      });
    const created = await within(createWith(input.fingerprint), 15_000, () => `${input.paymentId}: no answer to the created update; calls: ${double.names().join(', ')}`);
    const payment = new StartedPayment(input.paymentId, double, this.client.workflow.getHandle<PaymentWorkflow>(input.paymentId), created, input.fingerprint, createWith);
    this.started.push(payment);
    return payment;
  }
}

/** One implementation per activity name, each handing the call to the double of the calling workflow. */
function doubleActivities(doubles: Map<string, PaymentDouble>): Activities {
  return routeToDoubles(ACTIVITY_NAMES, doubles, (double, name, [input], context) => double.run(name as never, input, context)) as unknown as Activities;
}
