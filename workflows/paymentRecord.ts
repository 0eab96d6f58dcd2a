import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { formatAmount } from '../domain/format';
import { FINAL_STATES, type Currency, type PaymentFailure, type PaymentFlow, type PaymentResource, type PaymentState } from '../domain/payment';
import { DueAt, PaymentStatus, PingPaymentId, PingPaymentLinkId, PingPaymentOrderId } from '../domain/searchAttributes';
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
}

/** Workflow time: the same on every replay. */
const now = () => new Date().toISOString();

/**
 * The payment resource and every change to it. Each change also keeps the search attributes and the
 * Web UI's current details in step, so nothing else in the workflow writes to the resource.
 */
export class PaymentRecord {
  private readonly payment: PaymentResource;
  /** Attributes to write with the next status change rather than on their own (one history event, not two). */
  private unwritten: SearchAttributeUpdatePair[];

  constructor(opening: PaymentOpening) {
    const createdAt = workflowInfo().startTime.toISOString();
    this.payment = {
      id: opening.paymentId,
      object: 'payment',
      flow: opening.flow,
      status: 'creating',
      amount: opening.amount,
      currency: opening.currency,
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

  /** A copy, so a query result or an event can never alias state the workflow goes on changing. */
  view(): PaymentResource {
    return JSON.parse(JSON.stringify(this.payment)) as PaymentResource;
  }

  record(type: string, detail?: string): void {
    this.payment.events.push({ type, at: now(), ...(detail ? { detail } : {}) });
  }

  /** The payment exists at Ping; the created update can answer. */
  created(checkoutUrl: string, ids: PingIds): void {
    this.payment.checkout_url = checkoutUrl;
    this.moveTo('awaiting_payment', undefined, this.keepIds(ids));
  }

  /** Ping refused (or never answered) the create. */
  refused(failure: PaymentFailure): void {
    this.payment.failure = failure;
    this.moveTo('failed', failure.code);
  }

  linkDistributed(channels: { sms: boolean; email: boolean }): void {
    this.payment.distribution.sms = channels.sms;
    this.payment.distribution.email = channels.email;
    this.record('link_distributed', [channels.sms && 'sms', channels.email && 'email'].filter(Boolean).join('+'));
    this.showDetails();
  }

  invoiceCreated(invoice: NonNullable<PaymentResource['invoice']>): void {
    this.payment.invoice = invoice;
    this.payment.distribution.invoice = true;
    this.record('invoice_created', `${invoice.reference_type} ${invoice.reference}`);
    this.showDetails();
  }

  receiptReady(url: string): void {
    this.payment.receipt_url = url;
    this.record('receipt_ready');
    this.showDetails();
  }

  /** Keeps Ping's status and its history. */
  observe(outcome: Outcome): void {
    const payment = this.payment;
    if (outcome.pingHistory) payment.ping_status_history = outcome.pingHistory;
    else if (outcome.pingStatus !== payment.ping_status) payment.ping_status_history.push({ status: outcome.pingStatus, at: now() });
    payment.ping_status = outcome.pingStatus;
  }

  /** Applies what Ping said; true once the payment needs no more waiting. */
  apply(outcome: Outcome): boolean {
    this.observe(outcome);
    const detail = `Ping: ${outcome.pingStatus}`;
    switch (outcome.kind) {
      case 'paid':
        this.payment.paid_at = now();
        this.moveTo('paid', detail, outcome.pingPaymentId ? this.keepIds({ pingPaymentId: outcome.pingPaymentId }) : []);
        break;
      case 'failed':
        this.payment.failure = { code: `ping_${outcome.pingStatus.toLowerCase()}`, message: `Ping reported the payment ${outcome.pingStatus}` };
        this.moveTo('failed', detail);
        break;
      case 'expired':
      case 'cancelled':
        this.moveTo(outcome.kind, detail);
        break;
      case 'pending':
        this.showDetails();
    }
    return this.isDecided;
  }

  /** Our own end of the payment (the deadline, or the merchant's cancel), once Ping has it too. */
  ended(status: 'expired' | 'cancelled', detail: string): void {
    this.moveTo(status, detail);
  }

  completed(): void {
    this.moveTo('completed', `${formatAmount(this.payment.amount, this.payment.currency)} paid`);
  }

  showDetails(): void {
    setCurrentDetails(currentDetails(this.payment));
  }

  /** `alsoSet`: attributes written in the same upsert. */
  private moveTo(next: PaymentState, detail?: string, alsoSet: SearchAttributeUpdatePair[] = []): void {
    this.payment.status = next;
    this.payment.updated_at = now();
    this.record(next, detail);
    upsertSearchAttributes([...this.unwritten, ...alsoSet, { key: PaymentStatus, value: next }]);
    this.unwritten = [];
    this.showDetails();
  }

  /** Keeps Ping's ids on the resource and returns their search attributes, for the status change to write. */
  private keepIds(ids: PingIds): SearchAttributeUpdatePair[] {
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
