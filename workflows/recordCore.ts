import { merchantEventId, merchantOfPaymentId } from '../domain/ids';
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  FINAL_STATES,
  type Currency,
  type PaymentFlow,
  type PaymentResource,
  type PaymentState,
} from '../domain/payment';
import { DueAt, PaymentStatus, PingPaymentId, PingPaymentLinkId, PingPaymentOrderId, SettlementStatus } from '../domain/searchAttributes';
import { currentDetails } from './currentDetails';
import type { Outcome, PingIds } from './outcome';

/** What a payment starts with: the parts of the request the resource shows. */
export interface PaymentOpening {
  flow: PaymentFlow;
  paymentId: string;
  amount: number;
  currency: Currency;
  merchantReference?: string;
  /** The due date (links) or the payer's deadline (PIS), ISO. */
  dueAt?: string;
  /** True when the API could not set `DueAt` at start (a PIS deadline counts from the workflow's start). */
  dueAtUnknownToApi?: boolean;
  metadata?: Record<string, string>;
  redirectUrls: PaymentResource['redirect_urls'];
  /** Set on a subscription's invoice: the payment tells the subscription how it ended. */
  subscriptionId?: string;
}

/** Workflow time: the same on every replay. */
export const now = () => new Date().toISOString();

/**
 * The payment resource and the one way a change to it is written: an event on the resource, the
 * search attributes in the same upsert as the status, and the Web UI's current details. The changes
 * themselves are PaymentRecord's (paymentRecord.ts).
 */
export abstract class RecordCore {
  protected readonly payment: PaymentResource;
  /** Attributes to write with the next status change rather than on their own (one history event, not two). */
  protected unwritten: SearchAttributeUpdatePair[];
  /** Set once settlement at Ping begins (see PaymentRecord.settlementBegins). */
  protected settling = false;
  /** The SettlementStatus last written, so a status written again costs no history event. */
  private writtenSettlementStatus: string | undefined;
  /** How many merchant events of each type this payment has sent (see eventIdFor). */
  private readonly eventsSent = new Map<string, number>();

  constructor(opening: PaymentOpening) {
    const createdAt = workflowInfo().startTime.toISOString();
    this.payment = {
      id: opening.paymentId,
      object: 'payment',
      flow: opening.flow,
      status: 'creating',
      amount: opening.amount,
      currency: opening.currency,
      merchant: merchantOfPaymentId(opening.paymentId) ?? null,
      subscription_id: opening.subscriptionId ?? null,
      merchant_reference: opening.merchantReference ?? null,
      checkout_url: null,
      ping_payment_order_id: null,
      ping_payment_link_id: null,
      ping_payment_id: null,
      ping_status: null,
      ping_status_history: [],
      due_at: opening.dueAt ?? null,
      created_at: createdAt,
      updated_at: createdAt,
      paid_at: null,
      distribution: { sms: false, email: false, invoice: false },
      invoice: null,
      receipt_url: null,
      redirect_urls: opening.redirectUrls,
      failure: null,
      settlement: null,
      refund: null,
      late_payment: false,
      metadata: opening.metadata ?? {},
      events: [],
    };
    this.unwritten = opening.dueAtUnknownToApi && opening.dueAt ? [{ key: DueAt, value: new Date(opening.dueAt) }] : [];
    // The API started the workflow with its search attributes and status `creating`: only the event is new.
    this.record('creating');
    this.showDetails();
  }

  get status(): PaymentState {
    return this.payment.status;
  }

  get paidAt(): string | null {
    return this.payment.paid_at;
  }

  get receiptUrl(): string | null {
    return this.payment.receipt_url;
  }

  get isFinal(): boolean {
    return FINAL_STATES.includes(this.payment.status);
  }

  /** Paid or final: nothing more to wait for, and a cancel can no longer change the outcome. */
  get isDecided(): boolean {
    return this.isFinal || this.payment.status === 'paid';
  }

  get settlement(): PaymentResource['settlement'] {
    return this.payment.settlement;
  }

  get refund(): PaymentResource['refund'] {
    return this.payment.refund;
  }

  get isLate(): boolean {
    return this.payment.late_payment;
  }

  /** Ping's ids of the money: the order, and the Ping payment in it (a link's is known once paid). */
  get pingMoneyIds(): { orderId: string; paymentId: string } | undefined {
    const { ping_payment_order_id: orderId, ping_payment_id: paymentId } = this.payment;
    return orderId && paymentId ? { orderId, paymentId } : undefined;
  }

  /** A copy, so a query result or an event can never alias state the workflow goes on changing. */
  view(): PaymentResource {
    return JSON.parse(JSON.stringify(this.payment)) as PaymentResource;
  }

  /** The id of the next merchant event of this type (domain/ids.ts merchantEventId). */
  eventIdFor(type: string): string {
    const occurrence = (this.eventsSent.get(type) ?? 0) + 1;
    this.eventsSent.set(type, occurrence);
    return merchantEventId(this.payment.id, type, occurrence);
  }

  record(type: string, detail?: string): void {
    this.payment.events.push({ type, at: now(), ...(detail ? { detail } : {}) });
  }

  /** Keeps Ping's status and its history. */
  observe(outcome: Outcome): void {
    const payment = this.payment;
    if (outcome.pingHistory) payment.ping_status_history = outcome.pingHistory;
    else if (outcome.pingStatus !== payment.ping_status) payment.ping_status_history.push({ status: outcome.pingStatus, at: now() });
    payment.ping_status = outcome.pingStatus;
  }

  showDetails(): void {
    setCurrentDetails(currentDetails(this.payment));
  }

  /** `alsoSet`: attributes written in the same upsert. */
  protected moveTo(next: PaymentState, detail?: string, alsoSet: SearchAttributeUpdatePair[] = []): void {
    this.payment.status = next;
    this.payment.updated_at = now();
    this.record(next, detail);
    upsertSearchAttributes([...this.unwritten, ...alsoSet, { key: PaymentStatus, value: next }]);
    this.unwritten = [];
    this.showDetails();
  }

  protected writeSettlementStatus(): void {
    const status = this.payment.settlement!.status;
    if (status !== this.writtenSettlementStatus) upsertSearchAttributes([{ key: SettlementStatus, value: status }]);
    this.writtenSettlementStatus = status;
    this.showDetails();
  }

  /** Keeps Ping's ids on the resource and returns their search attributes, for the status change to write. */
  protected keepIds(ids: PingIds): SearchAttributeUpdatePair[] {
    const pairs: SearchAttributeUpdatePair[] = [];
    if (ids.orderId) {
      this.payment.ping_payment_order_id = ids.orderId;
      pairs.push({ key: PingPaymentOrderId, value: ids.orderId });
    }
    if (ids.linkId) {
      this.payment.ping_payment_link_id = ids.linkId;
      pairs.push({ key: PingPaymentLinkId, value: ids.linkId });
    }
    if (ids.pingPaymentId) {
      this.payment.ping_payment_id = ids.pingPaymentId;
      pairs.push({ key: PingPaymentId, value: ids.pingPaymentId });
    }
    return pairs;
  }
}
