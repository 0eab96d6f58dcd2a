import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { MailActivities } from '../../activities/mail';
import type { MoneyActivities } from '../../activities/money';
import type { NotificationActivities } from '../../activities/notifications';
import type { PingActivities } from '../../activities/ping';
import { PING_REJECTED } from '../../domain/failureTypes';

/**
 * Test doubles for every activity the payment workflows call: one `PaymentDouble` per workflow
 * (per case), which records each call and answers from a small model of Ping's side of that one
 * payment, unless the case scripts another answer. The names and signatures are the real
 * activities', so a change to the activity interface breaks these tests at compile time.
 */
export type Activities = PingActivities & MoneyActivities & NotificationActivities & Pick<MailActivities, 'sendReceiptEmail' | 'sendRefundEmail'>;
export type ActivityName = keyof Activities;
export type Input<N extends ActivityName> = Parameters<Activities[N]>[0];
export type Output<N extends ActivityName> = Awaited<ReturnType<Activities[N]>>;

export const ACTIVITY_NAMES: readonly ActivityName[] = [
  'createPaymentLink',
  'distributePaymentLink',
  'createInvoice',
  'getPaymentLink',
  'cancelPaymentLink',
  'getReceipt',
  'initiatePisPayment',
  'getPayment',
  'stopPayment',
  'closePaymentOrder',
  'splitPaymentOrder',
  'getAllocations',
  'settlePaymentOrder',
  'refundPayment',
  'getRefund',
  'sendReceiptEmail',
  'sendRefundEmail',
  'notifyMerchant',
];

export interface Call<N extends ActivityName = ActivityName> {
  name: N;
  input: Input<N>;
  /** Wall-clock ms when the attempt started (the poll-spacing cases measure these). */
  at: number;
  attempt: number;
  local: boolean;
}

export type Answer<N extends ActivityName> = (input: Input<N>, call: Call<N>) => Output<N> | Promise<Output<N>>;

type Answers = { [N in ActivityName]?: Answer<N> };

/**
 * What Ping refuses for good (a 4xx): non-retryable, as activities/ping.ts throws it. Marked benign
 * so the worker does not log every scripted failure as a warning.
 */
export function pingRefuses(message: string, details: { status: number; code: string; property?: string | null }): ApplicationFailure {
  return ApplicationFailure.create({
    message,
    type: PING_REJECTED,
    nonRetryable: true,
    details: [{ property: null, ...details }],
    category: ApplicationFailureCategory.BENIGN,
  });
}

/**
 * A transient failure that asks for its retry after 10 ms instead of the policy's 2 s backoff (the
 * dev server still waits for its next timer tick, about a second); the attempt limit stays the workflow's.
 */
export function failsAgainSoon(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, nextRetryDelay: 10, category: ApplicationFailureCategory.BENIGN });
}

/** A failure the workflow must not retry, of any type (an SMTP server's 5xx, a merchant endpoint gone for good). */
export function failsForGood(message: string, type: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type, nonRetryable: true, category: ApplicationFailureCategory.BENIGN });
}

/** Holds an activity open until the case lets it finish, to look at the workflow meanwhile. */
export interface Gate {
  readonly opened: Promise<void>;
  open(): void;
}

export class PaymentDouble {
  readonly calls: Call[] = [];
  readonly ids: { orderId: string; linkId: string; pingPaymentId: string };
  readonly checkoutUrl: string;
  private status: string;
  /** Ping's side of the money: the order's status and whether the payment shows a refund. */
  orderStatus: 'OPEN' | 'CLOSED' | 'SPLIT' | 'SETTLED' = 'OPEN';
  refundedAt: string | null = null;
  private readonly history: Array<{ status: string; at: string }> = [];
  private readonly answers: Answers = {};
  private readonly gates: Gate[] = [];
  private running = 0;

  constructor(
    readonly flow: 'link' | 'pis',
    readonly paymentId: string,
  ) {
    const tag = paymentId.slice(-8);
    this.ids = { orderId: `order-${tag}`, linkId: `link-${tag}`, pingPaymentId: `ping-payment-${tag}` };
    this.checkoutUrl = flow === 'link' ? `https://checkout.ping.test/links/${this.ids.linkId}` : `https://bank.test/checkout/${this.ids.pingPaymentId}`;
    this.status = '';
    this.setPingStatus(flow === 'link' ? 'ACTIVE' : 'INITIATED');
  }

  /** Ping's status of the link or payment: what the check activities answer. */
  get pingStatus(): string {
    return this.status;
  }

  /** What happened at Ping (the payer paid, the bank declined...), without telling the workflow. */
  setPingStatus(status: string): void {
    this.status = status;
    this.history.push({ status, at: new Date().toISOString() });
  }

  /** Ping's own status history, as getPayment reports it for PIS payments. */
  get pingHistory(): Array<{ status: string; at: string }> {
    return this.history.map((h) => ({ ...h }));
  }

  on<N extends ActivityName>(name: N, answer: Answer<N>): this {
    (this.answers as Record<N, Answer<N>>)[name] = answer;
    return this;
  }

  hold(): Gate {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const gate = { opened, open };
    this.gates.push(gate);
    return gate;
  }

  /**
   * Holds the calls of `name` that `when` picks until the gate opens, then answers them as the
   * double would have: a way to look at the workflow while it sits in one step.
   */
  holdCalls<N extends ActivityName>(name: N, when: (input: Input<N>) => boolean = () => true): Gate {
    const gate = this.hold();
    const answer = (this.answers as Record<N, Answer<N> | undefined>)[name] ?? (this.defaults[name] as unknown as Answer<N>);
    this.on(name, async (input, call): Promise<Output<N>> => {
      if (when(input)) await gate.opened;
      return await answer(input, call);
    });
    return gate;
  }

  /** Lets every held activity finish, so a failed case cannot leave the worker waiting on shutdown. */
  releaseAll(): void {
    for (const gate of this.gates) gate.open();
  }

  async run<N extends ActivityName>(name: N, input: Input<N>, info: { attempt: number; local: boolean }): Promise<Output<N>> {
    const call: Call<N> = { name, input, at: Date.now(), attempt: info.attempt, local: info.local };
    this.calls.push(call as unknown as Call);
    const answer = (this.answers as Record<N, Answer<N> | undefined>)[name] ?? (this.defaults[name] as unknown as Answer<N>);
    this.running += 1;
    try {
      return await answer(input, call);
    } finally {
      this.running -= 1;
    }
  }

  /** No activity of this payment is running right now. */
  get idle(): boolean {
    return this.running === 0;
  }

  callsOf<N extends ActivityName>(name: N): Array<Call<N>> {
    return this.calls.filter((c) => c.name === name) as unknown as Array<Call<N>>;
  }

  names(): ActivityName[] {
    return this.calls.map((c) => c.name);
  }

  /** Every call's first attempt, in order: what the workflow asked for, leaving retries aside. */
  firstAttempts(): ActivityName[] {
    return this.calls.filter((c) => c.attempt === 1).map((c) => c.name);
  }

  async waitFor(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; calls so far: ${this.names().join(', ') || 'none'}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  waitForCalls(name: ActivityName, count: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(`${count} × ${name}`, () => this.callsOf(name).length >= count, timeoutMs);
  }

  /** Ping's order moves forward only (a repeated step leaves it where it is), as the real activities read it first. */
  private moveOrder(to: 'CLOSED' | 'SPLIT' | 'SETTLED'): 'OPEN' | 'CLOSED' | 'SPLIT' | 'SETTLED' {
    const order = ['OPEN', 'CLOSED', 'SPLIT', 'SETTLED'] as const;
    if (order.indexOf(to) > order.indexOf(this.orderStatus)) this.orderStatus = to;
    return this.orderStatus;
  }

  /** A model of Ping that is just enough for the workflows: the checks read the status, the stops set it. */
  private readonly defaults: { [N in ActivityName]: Answer<N> } = {
    createPaymentLink: () => ({ orderId: this.ids.orderId, linkId: this.ids.linkId, checkoutUrl: this.checkoutUrl }),
    distributePaymentLink: () => undefined,
    createInvoice: ({ referenceType }) => ({ url: `https://invoices.ping.test/${this.ids.linkId}.pdf`, reference_type: referenceType, reference: '4711000000017' }),
    getPaymentLink: () => ({ status: this.status, paymentId: this.status === 'COMPLETED' ? this.ids.pingPaymentId : null }),
    cancelPaymentLink: () => {
      this.setPingStatus('CANCELLED');
    },
    getReceipt: () => ({ url: `https://receipts.ping.test/${this.ids.linkId}.pdf` }),
    initiatePisPayment: () => ({ orderId: this.ids.orderId, pingPaymentId: this.ids.pingPaymentId, checkoutUrl: this.checkoutUrl }),
    getPayment: () => ({ status: this.status, history: this.pingHistory }),
    stopPayment: () => {
      this.setPingStatus('STOPPED');
    },
    closePaymentOrder: () => ({ status: this.moveOrder('CLOSED') }),
    splitPaymentOrder: () => ({ status: this.moveOrder('SPLIT') }),
    getAllocations: () => [{ recipient_type: 'merchant', merchant_id: '11111111-2222-3333-4444-555555555555', amount: 14000, currency: 'SEK' }],
    settlePaymentOrder: () => ({ status: this.moveOrder('SETTLED') }),
    refundPayment: () => {
      const alreadyRefunded = this.refundedAt !== null;
      this.refundedAt ??= new Date().toISOString();
      return { pingStatus: alreadyRefunded ? null : 'PENDING', alreadyRefunded };
    },
    getRefund: () => ({ refunded: this.refundedAt !== null, refundedAt: this.refundedAt }),
    sendReceiptEmail: ({ paymentId }) => ({ messageId: `<receipt-${paymentId}@orchestrator.test>` }),
    sendRefundEmail: ({ paymentId }) => ({ messageId: `<refund-${paymentId}@orchestrator.test>` }),
    notifyMerchant: () => ({ status: 204 }),
  };
}

/**
 * `list` with each run of adjacent `members` sorted: the receipt (or refund) e-mail and the merchant event go
 * out side by side, so which of them comes first is not part of the behaviour.
 */
export function sideBySide<T extends string>(list: readonly T[], members: readonly T[]): T[] {
  const out: T[] = [];
  let run: T[] = [];
  for (const item of [...list, undefined]) {
    if (item !== undefined && members.includes(item)) {
      run.push(item);
      continue;
    }
    out.push(...run.sort());
    run = [];
    if (item !== undefined) out.push(item);
  }
  return out;
}

export const DELIVERIES: readonly ActivityName[] = ['notifyMerchant', 'sendReceiptEmail', 'sendRefundEmail'];
export const DELIVERY_EVENTS: readonly string[] = ['merchant_notification_failed', 'merchant_notified', 'receipt_email_failed', 'receipt_emailed', 'refund_email_failed', 'refund_emailed'];

/**
 * A completed payment's settlement with no hold (NO_HOLD_NO_WATCH): Ping's four steps, then
 * payment.settled to the merchant.
 */
export const SETTLEMENT_CALLS = ['closePaymentOrder', 'splitPaymentOrder', 'getAllocations', 'settlePaymentOrder', 'notifyMerchant'] as const satisfies readonly ActivityName[];
/** The events those steps leave on the payment, before the delivery of payment.settled. */
export const SETTLEMENT_EVENTS = ['settlement_pending', 'settlement_started', 'payment_order', 'payment_order', 'allocations_read', 'payment_order', 'settled'] as const;
