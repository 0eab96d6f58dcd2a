import { randomUUID } from 'node:crypto';
import type { SandboxContext } from './context';
import {
  FINAL_PAYMENT_STATUSES,
  type Customer,
  type JsonObject,
  type LinkStatus,
  type OrderItem,
  type Payment,
  type PaymentLink,
  type PaymentOrder,
  type PaymentStatus,
} from './entities';
import { forbidden } from './errors';
import type { TenantState } from './store';

/**
 * Status changes and what follows from them (history, callbacks). The API routes, the hosted pages
 * and the control API all change state through here, so a payment paid in the browser and one paid
 * through `/_sandbox` look the same to the orchestrator.
 */

export interface NewPayment {
  currency: Payment['currency'];
  totalAmount: number;
  orderItems: OrderItem[];
  provider: string;
  method: string;
  providerMethodParameters: JsonObject;
  metadata: JsonObject;
  payer: JsonObject | null;
  statusCallbackUrl: string | null;
  initialStatus: PaymentStatus;
  paymentLinkId?: string | null;
  id?: string;
}

export function createPaymentRecord(ctx: SandboxContext, order: PaymentOrder, input: NewPayment): Payment {
  const now = ctx.clock.iso();
  const payment: Payment = {
    id: input.id ?? randomUUID(),
    tenantId: order.tenantId,
    orderId: order.id,
    status: input.initialStatus,
    statusHistory: [{ id: randomUUID(), status: input.initialStatus, occurred_at: now, funds: null, details: null }],
    currency: input.currency,
    totalAmount: input.totalAmount,
    orderItems: input.orderItems,
    provider: input.provider,
    method: input.method,
    providerMethodParameters: input.providerMethodParameters,
    providerMethodResponse: {},
    metadata: input.metadata,
    payer: input.payer,
    statusCallbackUrl: input.statusCallbackUrl,
    initiatedAt: now,
    refunds: [],
    bank: null,
    paymentLinkId: input.paymentLinkId ?? null,
  };
  ctx.store.tenant(order.tenantId).payments.set(payment.id, payment);
  order.paymentIds.push(payment.id);
  return payment;
}

export interface StatusChange {
  funds?: { received: number; received_total: number } | null;
  providerData?: JsonObject;
}

/** Moves a payment to `status` and sends its callback; no change (and no callback) when it is already there. */
export function setPaymentStatus(ctx: SandboxContext, payment: Payment, status: PaymentStatus, change: StatusChange = {}): boolean {
  if (payment.status === status) return false;
  const occurredAt = ctx.clock.iso();
  payment.status = status;
  payment.statusHistory.push({
    id: randomUUID(),
    status,
    occurred_at: occurredAt,
    funds: change.funds ?? null,
    details: change.providerData ? { provider_data: change.providerData } : null,
  });
  sendPaymentCallback(ctx, payment, occurredAt);
  return true;
}

/**
 * The payment callback body is not documented (docs/ping-contract.md §4). The sandbox sends the ids plus
 * the new status, named like the status_history entry: `{payment_id, payment_order_id, status,
 * occurred_at}`. Receivers should treat it as a trigger and re-read the payment.
 */
export function sendPaymentCallback(ctx: SandboxContext, payment: Payment, occurredAt = ctx.clock.iso()): void {
  if (!payment.statusCallbackUrl) return;
  ctx.callbacks.enqueue({
    kind: 'payment',
    tenantId: payment.tenantId,
    resourceId: payment.id,
    url: payment.statusCallbackUrl,
    body: { payment_id: payment.id, payment_order_id: payment.orderId, status: payment.status, occurred_at: occurredAt },
  });
}

export function isFinal(payment: Payment): boolean {
  return FINAL_PAYMENT_STATUSES.has(payment.status);
}

/** Dummy and credit payments settle by themselves, a moment later, as at Ping's sandbox. */
export function settleLater(ctx: SandboxContext, payment: Payment, status: PaymentStatus): void {
  ctx.timers.after(ctx.providerDelayMs, () => {
    const current = ctx.store.tenant(payment.tenantId).payments.get(payment.id);
    if (current === payment && !isFinal(payment)) setPaymentStatus(ctx, payment, status, { providerData: { sandbox: 'settled by provider' } });
  });
}

export function setLinkStatus(ctx: SandboxContext, link: PaymentLink, status: LinkStatus): void {
  if (link.status === status) return;
  link.status = status;
  link.statusChangedAt = ctx.clock.iso();
  sendLinkCallback(ctx, link);
}

/** The documented payment-link callback, `occured_at` spelled as in Ping's docs. */
export function sendLinkCallback(ctx: SandboxContext, link: PaymentLink): void {
  if (!link.callbackUrl) return;
  ctx.callbacks.enqueue({
    kind: 'payment_link',
    tenantId: link.tenantId,
    resourceId: link.id,
    url: link.callbackUrl,
    body: { payment_link_id: link.id, status: link.status, occured_at: link.statusChangedAt },
  });
}

/** Unpaid links past their due date become EXPIRED; run on every read and by a background sweep. */
export function expireDueLinks(ctx: SandboxContext, tenant: TenantState): void {
  const now = ctx.clock.now();
  for (const link of tenant.links.values()) {
    if (link.status === 'CREATED' && link.expiresAt !== null && link.expiresAt <= now) setLinkStatus(ctx, link, 'EXPIRED');
  }
}

export function expireAllDueLinks(ctx: SandboxContext): void {
  for (const tenant of ctx.store.allTenants()) expireDueLinks(ctx, tenant);
}

/**
 * A late payment (`late`) is money the payer's bank sent before the link was cancelled or expired,
 * arriving after: it pays a CANCELLED or EXPIRED link too, and an order already CLOSED (whose split
 * is still to come). A paid link, and an order already split, take no more money.
 */
function assertPayable(ctx: SandboxContext, link: PaymentLink, late: boolean): PaymentOrder {
  expireDueLinks(ctx, ctx.store.tenant(link.tenantId));
  const payable = link.status === 'CREATED' || (late && (link.status === 'CANCELLED' || link.status === 'EXPIRED'));
  if (!payable) {
    throw forbidden('payment_link_not_payable', `Payment link ${link.id} is ${link.status} and can no longer be paid`);
  }
  const order = ctx.store.tenant(link.tenantId).orders.get(link.orderId);
  const open = order?.status === 'OPEN' || (late && order?.status === 'CLOSED');
  if (!order || !open) {
    throw forbidden('payment_order_closed', 'Cannot initiate new Payments when PaymentOrder has been closed');
  }
  return order;
}

export interface LinkPayment {
  provider: string;
  method: string;
  /** The details the payer confirmed or corrected in the checkout. */
  customer?: Partial<Customer>;
  /** Money that was in flight when the link was cancelled or expired (see assertPayable). */
  late?: boolean;
}

function linkOrderItems(link: PaymentLink): OrderItem[] {
  return link.items.map((i) => ({
    amount: i.price * i.quantity,
    name: i.description,
    vat_rate: i.vat,
    merchant_id: i.merchant_id,
    liquidity_account_id: null,
    metadata: i.metadata,
    tags: i.tags,
  }));
}

function applyCustomer(link: PaymentLink, update: Partial<Customer> | undefined): void {
  if (!update) return;
  for (const key of ['first_name', 'last_name', 'email', 'phone'] as const) {
    const value = update[key];
    if (typeof value === 'string' && value.trim() !== '') link.customer[key] = value.trim();
  }
}

function payerOf(link: PaymentLink): JsonObject {
  return {
    name: `${link.customer.first_name} ${link.customer.last_name}`,
    email: link.customer.email,
    phone_number: link.customer.phone,
  };
}

/** The payer paid the link: a COMPLETED payment in the link's order, then the link COMPLETED. */
export function payLink(ctx: SandboxContext, link: PaymentLink, how: LinkPayment): Payment {
  const order = assertPayable(ctx, link, how.late === true);
  applyCustomer(link, how.customer);
  const payment = createPaymentRecord(ctx, order, {
    currency: link.currency,
    totalAmount: link.totalAmount,
    orderItems: linkOrderItems(link),
    provider: how.provider,
    method: how.method,
    providerMethodParameters: link.providerMethods.find((m) => m.provider === how.provider && m.method === how.method)?.parameters ?? {},
    metadata: link.metadata,
    payer: payerOf(link),
    statusCallbackUrl: null,
    initialStatus: 'INITIATED',
    paymentLinkId: link.id,
  });
  setPaymentStatus(ctx, payment, 'COMPLETED', { providerData: { sandbox: 'paid through hosted checkout' } });
  link.paymentId = payment.id;
  link.completedAt = ctx.clock.iso();
  setLinkStatus(ctx, link, 'COMPLETED');
  return payment;
}

/** A failed attempt: the payment in the order ends `status`, the link stays open for another try. */
export function failLinkAttempt(ctx: SandboxContext, link: PaymentLink, how: LinkPayment, status: PaymentStatus): Payment {
  const order = assertPayable(ctx, link, false);
  const payment = createPaymentRecord(ctx, order, {
    currency: link.currency,
    totalAmount: link.totalAmount,
    orderItems: linkOrderItems(link),
    provider: how.provider,
    method: how.method,
    providerMethodParameters: {},
    metadata: link.metadata,
    payer: payerOf(link),
    statusCallbackUrl: null,
    initialStatus: 'INITIATED',
    paymentLinkId: link.id,
  });
  setPaymentStatus(ctx, payment, status, { providerData: { sandbox: 'failed attempt' } });
  return payment;
}
