import { upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { formatAmount } from '../domain/format';
import type { Allocation, PaymentFailure, PaymentResource, RefundReason, SettlementMode } from '../domain/payment';
import { LatePayment, SettlementStatus } from '../domain/searchAttributes';
import type { Outcome, PingIds } from './outcome';
import { now, RecordCore } from './recordCore';

export type { PaymentOpening } from './recordCore';

/**
 * Every change to a payment, from its creation at Ping to its settlement or refund. Each writes
 * through RecordCore, so the search attributes and the Web UI's current details stay in step and
 * nothing else in the workflow writes to the resource.
 */
export class PaymentRecord extends RecordCore {
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

  /** Ping completed a payment we had ended. `accept`: it becomes paid; otherwise it stays ended until refunded. */
  paidLate(outcome: Outcome, accept: boolean): void {
    this.payment.late_payment = true;
    const lateAttrs: SearchAttributeUpdatePair[] = [{ key: LatePayment, value: true }];
    if (accept) {
      this.payment.failure = null;
      this.unwritten.push(...lateAttrs);
      this.apply(outcome);
      return;
    }
    this.observe(outcome);
    this.payment.paid_at = now();
    if (outcome.kind === 'paid' && outcome.pingPaymentId) lateAttrs.push(...this.keepIds({ pingPaymentId: outcome.pingPaymentId }));
    this.record('paid_late', `Ping: ${outcome.pingStatus}`);
    upsertSearchAttributes(lateAttrs);
    this.showDetails();
  }

  /** Once the first step at Ping begins, the money is on its way to the merchants: no refund any more. */
  get settlementStarted(): boolean {
    return this.settling;
  }

  /** A refund can be asked for: paid and not settling, or a late payment whose automatic refund Ping refused. */
  get refundable(): boolean {
    const { status, refund } = this.payment;
    if (this.settling || status === 'refunded' || refund?.status === 'pending') return false;
    return status === 'paid' || status === 'completed' || (this.payment.late_payment && refund?.status === 'failed');
  }

  settlementPending(mode: SettlementMode, holdUntil: string | null): void {
    this.payment.settlement = { mode, status: 'pending', hold_until: holdUntil, settled_at: null, ping_order_status: null, allocations: [], failure: null };
    this.record('settlement_pending', holdUntil ? `hold until ${holdUntil}` : 'manual');
    this.writeSettlementStatus();
  }

  /** `POST /settle`: a failed settlement reads pending again, until the workflow's new try ends. */
  settlementRequested(): void {
    this.record('settlement_requested');
    const settlement = this.payment.settlement;
    if (settlement?.status === 'failed') Object.assign(settlement, { status: 'pending', failure: null });
  }

  /** Also a new try after Ping refused a step. */
  settlementBegins(): void {
    this.settling = true;
    Object.assign(this.payment.settlement!, { status: 'pending', failure: null });
    this.record('settlement_started');
    this.writeSettlementStatus();
  }

  orderMoved(pingOrderStatus: string): void {
    this.payment.settlement!.ping_order_status = pingOrderStatus;
    this.record('payment_order', pingOrderStatus);
  }

  allocated(allocations: Allocation[]): void {
    this.payment.settlement!.allocations = allocations;
    this.record('allocations_read', `${allocations.length} allocation${allocations.length === 1 ? '' : 's'}`);
  }

  settled(): void {
    Object.assign(this.payment.settlement!, { status: 'settled', settled_at: now() });
    this.record('settled');
    this.writeSettlementStatus();
  }

  settlementFailed(failure: PaymentFailure): void {
    Object.assign(this.payment.settlement!, { status: 'failed', failure });
    this.record('settlement_failed', failure.code);
    this.writeSettlementStatus();
  }

  refundRequested(reason: RefundReason, description: string | null): void {
    const { amount, currency } = this.payment;
    this.payment.refund = { status: 'pending', reason, description, amount, currency, requested_at: now(), refunded_at: null, ping_status: null, failure: null };
    this.record('refund_requested', reason);
    this.showDetails();
  }

  refundAnswered(pingStatus: string | null): void {
    this.payment.refund!.ping_status = pingStatus;
    this.record('refund_sent', pingStatus ? `Ping: ${pingStatus}` : 'already refunded at Ping');
  }

  /** A refund before settlement began leaves nothing to settle: the settlement (and its search attribute) goes. */
  refunded(refundedAt: string | null): void {
    Object.assign(this.payment.refund!, { status: 'succeeded', refunded_at: refundedAt ?? now() });
    const unsettled: SearchAttributeUpdatePair[] = this.payment.settlement && !this.settling ? [{ key: SettlementStatus, value: null }] : [];
    if (unsettled.length) this.payment.settlement = null;
    this.moveTo('refunded', formatAmount(this.payment.amount, this.payment.currency), unsettled);
  }

  refundFailed(failure: PaymentFailure): void {
    Object.assign(this.payment.refund!, { status: 'failed', failure });
    this.record('refund_failed', failure.code);
    this.showDetails();
  }
}
