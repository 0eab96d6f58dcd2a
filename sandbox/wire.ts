import type { Address, Allocation, Disbursement, Merchant, MerchantStatus, Payment, PaymentLink, PaymentOrder } from './entities';
import { completedRefunds } from './refunds';

/**
 * Records → Ping's JSON. Fields the SDK does not model on the read side are included only where
 * harmless (clients ignore unknown fields); fields whose presence at Ping is unknown are left out,
 * so a client cannot come to depend on something the real API may not send.
 */

export function paymentOrderWire(order: PaymentOrder) {
  return {
    id: order.id,
    status: order.status,
    created_at: order.createdAt,
    currency: order.currency,
    split_tree_id: order.splitTreeId,
    split_parameters: order.splitParameters,
  };
}

export function paymentOrderExtendedWire(order: PaymentOrder, payments: Payment[]) {
  return { ...paymentOrderWire(order), payments: payments.map(paymentWire) };
}

/**
 * Whether GET echoes `provider_method_parameters`/`provider_method_response` is unknown
 * (docs/ping-contract.md §2.4), so neither is returned: a client must keep the checkout URL from the initiate response.
 */
export function paymentWire(p: Payment) {
  // A PENDING refund is not shown: the money has not gone back yet (sandbox/refunds.ts).
  const done = completedRefunds(p);
  const last = done.at(-1);
  return {
    id: p.id,
    payment_order_id: p.orderId,
    status: p.status,
    status_history: p.statusHistory,
    currency: p.currency,
    total_amount: p.totalAmount,
    order_items: p.orderItems,
    provider: p.provider,
    method: p.method,
    metadata: p.metadata,
    payer: p.payer,
    refund: last ? { amount: last.amount, refunded_at: last.refunded_at } : null,
    refunds: done.length ? done.map((r) => ({ amount: r.amount, refunded_at: r.refunded_at })) : null,
  };
}

/** Both spellings: the SDK reads `street_addres`, a hand-written client may expect `street_address`. */
function addressWire(a: Address | null) {
  return a ? { city: a.city, street_addres: a.street_address, street_address: a.street_address, zip: a.zip } : null;
}

export function paymentLinkWire(l: PaymentLink) {
  return {
    payment_link_id: l.id,
    tenant_id: l.tenantId,
    payment_order_id: l.orderId,
    payment_id: l.paymentId,
    status: l.status,
    sms_status: l.smsStatus,
    distributed_by_email: l.distributedByEmail,
    invoice_created: l.invoice !== null,
    currency: l.currency,
    total_amount: l.totalAmount,
    items: l.items,
    customer: l.customer,
    supplier: l.supplier,
    delivery_address: addressWire(l.deliveryAddress),
    invoice_address: addressWire(l.invoiceAddress),
    due_date: l.dueDate,
    locale: l.locale,
    logo_image_link: l.logoImageLink,
    checkout_url: l.checkoutUrl,
    checkout_success_url: l.checkoutSuccessUrl,
    checkout_cancel_url: l.checkoutCancelUrl,
    payment_link_status_callback_url: l.callbackUrl,
    payment_provider_methods: l.providerMethods,
    metadata: l.metadata,
    created_at: l.createdAt,
  };
}

/**
 * How the KYC status follows the merchant's: the contract names both enums but not how they relate
 * (docs/ping-contract.md §2.6), so this is the sandbox's guess: nothing gathered until a decision.
 */
const KYC_STATUS_OF: Record<MerchantStatus, string> = { CREATED: 'UNVERIFIED', PENDING: 'PROCESSING', APPROVED: 'APPROVED', DENIED: 'DENIED' };

export function merchantWire(m: Merchant) {
  const kycGatheredAt = m.status === 'CREATED' ? null : m.statusChangedAt;
  return {
    id: m.id,
    name: m.name,
    email: m.email,
    phone_number: m.phoneNumber,
    status: m.status,
    organization: m.organization
      ? { ...m.organization, kyc_information: { kyc_renewal_ongoing: false, latest_kyc_gathered_at: kycGatheredAt, status: KYC_STATUS_OF[m.status] } }
      : null,
    person: m.person,
    payment_provider_methods: [],
  };
}

/** Every field of docs/ping-contract.md §2.7, the optional ones written as null. */
export function allocationWire(a: Allocation) {
  return {
    id: a.id,
    allocated_at: a.allocatedAt,
    amount: a.amount,
    currency: a.currency,
    disbursed_at: a.disbursedAt,
    disbursement_id: a.disbursementId,
    label: a.label,
    merchant_id: a.merchantId,
    metadata: a.metadata,
    payment_id: a.paymentId,
    payment_order_id: a.orderId,
    recipient_bank_account: a.recipientBankAccount,
    recipient_name: a.recipientName,
    recipient_type: a.recipientType,
    reference: a.reference,
    settled_at: a.settledAt,
    order_item_merchant_id: a.orderItemMerchantId,
  };
}

/** A settlement is an allocation as paid out; the sandbox makes no manual corrections. */
export function disbursementWire(d: Disbursement, allocations: ReadonlyMap<string, Allocation>) {
  return {
    id: d.id,
    amount: d.amount,
    currency: d.currency,
    disbursed_at: d.disbursedAt,
    manual_corrections: [],
    settlements: d.settlements.flatMap(({ id, allocationId }) => {
      const a = allocations.get(allocationId);
      return a ? [settlementWire(id, a)] : [];
    }),
  };
}

function settlementWire(id: string, a: Allocation) {
  return {
    id,
    allocation_id: a.id,
    amount: a.amount,
    label: a.label,
    merchant_id: a.merchantId,
    reference: a.reference,
    payment_id: a.paymentId,
    payment_order_id: a.orderId,
    recipient_name: a.recipientName,
    recipient_type: a.recipientType,
    metadata: a.metadata,
  };
}
