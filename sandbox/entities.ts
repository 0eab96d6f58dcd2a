/**
 * The sandbox's in-memory records. Fields are camelCase here and become Ping's snake_case wire
 * shapes only in wire.ts, so the two APIs' naming differences (order_items vs items, id vs
 * payment_link_id) live in one place.
 */

import type { Currency, PaymentStatus } from '../ping/commonSchemas';

// The literal enum lists of docs/ping-contract.md come from the client's module (see schemas/payments.ts).
export { currencies as CURRENCIES, paymentStatuses as PAYMENT_STATUSES } from '../ping/commonSchemas';
export type { Currency, PaymentStatus };

/**
 * Ping does not say which statuses are final (docs/ping-contract.md §3.1, [INFER]). These are the
 * ones whose names leave no way forward; UNDERFUNDED/OVERFUNDED/FUNDED can still be reconciled to COMPLETED.
 */
export const FINAL_PAYMENT_STATUSES: ReadonlySet<PaymentStatus> = new Set([
  'COMPLETED',
  'DECLINED',
  'CRASHED',
  'EXPIRED',
  'ABORTED',
  'STOPPED',
]);

export const ORDER_STATUSES = ['OPEN', 'CLOSED', 'SPLIT', 'SETTLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const LINK_STATUSES = ['CREATED', 'COMPLETED', 'EXPIRED', 'CANCELLED'] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];

/** Spelled as Ping's SDK spells it (`DELIVERD`). */
export const SMS_STATUSES = ['DELIVERD', 'PENDING', 'FAILED', 'CREATED', 'NOT_CREATED'] as const;
export type SmsStatus = (typeof SMS_STATUSES)[number];

export const LOCALES = ['sv-SE', 'nb-NO'] as const;
export type LinkLocale = (typeof LOCALES)[number];

export type ReferenceType = 'OCR' | 'KID';

export type JsonObject = Record<string, unknown>;

export interface PaymentOrder {
  id: string;
  tenantId: string;
  status: OrderStatus;
  createdAt: string;
  currency: Currency;
  splitParameters: JsonObject;
  splitTreeId: string | null;
  paymentIds: string[];
  /** When Mimic's disbursement trigger paid the order out (docs/ping-contract.md §7); null until then. */
  disbursedAt: string | null;
}

export interface OrderItem {
  amount: number;
  name: string;
  vat_rate: number;
  merchant_id: string | null;
  liquidity_account_id: string | null;
  metadata: JsonObject;
  tags: string[];
}

export interface StatusHistoryEntry {
  id: string;
  status: PaymentStatus;
  occurred_at: string;
  funds: { received: number; received_total: number } | null;
  details: { provider_data: JsonObject } | null;
}

/**
 * A refund is accepted PENDING and done a moment later (docs/ping-contract.md §2.4 names no status
 * values, [INFER]); only a COMPLETED one shows on the payment's `refund`/`refunds`.
 */
export interface Refund {
  amount: number;
  currency: Currency;
  description: string;
  reason: string;
  status: 'PENDING' | 'COMPLETED';
  requested_at: string;
  refunded_at: string | null;
}

export interface Payment {
  id: string;
  tenantId: string;
  orderId: string;
  status: PaymentStatus;
  statusHistory: StatusHistoryEntry[];
  currency: Currency;
  totalAmount: number;
  orderItems: OrderItem[];
  provider: string;
  method: string;
  providerMethodParameters: JsonObject;
  providerMethodResponse: JsonObject;
  metadata: JsonObject;
  payer: JsonObject | null;
  statusCallbackUrl: string | null;
  initiatedAt: string;
  refunds: Refund[];
  /** The bank the payer picked on the PIS page; shown on the BankID step. */
  bank: string | null;
  /** Set when the payment was made through a payment link's hosted checkout. */
  paymentLinkId: string | null;
}

export interface LinkItem {
  description: string;
  merchant_id: string | null;
  price: number;
  quantity: number;
  vat: number;
  item_number: string | null;
  unit: string;
  metadata: JsonObject;
  tags: string[];
}

export interface Customer {
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  reference: string | null;
}

export interface Supplier {
  name: string;
  city: string | null;
  organization_number: string | null;
  website: string | null;
  zip: string | null;
}

export interface Address {
  city: string | null;
  street_address: string | null;
  zip: string | null;
}

export interface ProviderMethod {
  provider: string;
  method: string;
  parameters: JsonObject | null;
}

export interface LinkInvoice {
  referenceType: ReferenceType;
  reference: string;
  documentName: string | null;
  createdAt: string;
}

export interface PaymentLink {
  id: string;
  tenantId: string;
  orderId: string;
  paymentId: string | null;
  status: LinkStatus;
  smsStatus: SmsStatus;
  distributedByEmail: boolean;
  invoice: LinkInvoice | null;
  currency: Currency;
  totalAmount: number;
  items: LinkItem[];
  customer: Customer;
  supplier: Supplier;
  locale: LinkLocale;
  dueDate: string | null;
  /** When the link expires (epoch ms), derived from `dueDate`; null when it has none. */
  expiresAt: number | null;
  checkoutUrl: string;
  checkoutSuccessUrl: string | null;
  checkoutCancelUrl: string | null;
  deliveryAddress: Address | null;
  invoiceAddress: Address | null;
  logoImageLink: string | null;
  callbackUrl: string | null;
  providerMethods: ProviderMethod[];
  metadata: JsonObject;
  createdAt: string;
  completedAt: string | null;
  statusChangedAt: string;
}

export const RECIPIENT_TYPES = ['tenant', 'merchant', 'payment_facilitator'] as const;
export type RecipientType = (typeof RECIPIENT_TYPES)[number];

/** Ping's BankAccount (docs/ping-contract.md §2.5): every field a string, any of them may be missing. */
export interface BankAccount {
  iban: string;
  bban: string;
  bic: string;
  bankgiro_number: string | null;
  currency: Currency;
  clearing_number: string;
  account_number: string;
}

/** One recipient's share of one payment, made when its order is split (docs/ping-contract.md §2.7). */
export interface Allocation {
  id: string;
  tenantId: string;
  orderId: string;
  paymentId: string;
  allocatedAt: string;
  amount: number;
  currency: Currency;
  recipientType: RecipientType;
  merchantId: string | null;
  orderItemMerchantId: string | null;
  recipientName: string;
  recipientBankAccount: BankAccount;
  label: string;
  reference: string;
  metadata: JsonObject;
  settledAt: string | null;
  disbursedAt: string | null;
  disbursementId: string | null;
}

/** A payout of settled orders' allocations in one currency, made by Mimic's trigger (docs/ping-contract.md §2.7, §7). */
export interface Disbursement {
  id: string;
  tenantId: string;
  amount: number;
  currency: Currency;
  disbursedAt: string;
  /** One settlement per allocation paid out, each with its own id. */
  settlements: Array<{ id: string; allocationId: string }>;
}

/** Ping's MerchantStatus (docs/ping-contract.md §3.3); sandbox/merchants.ts moves a merchant between them. */
export const MERCHANT_STATUSES = ['CREATED', 'APPROVED', 'DENIED', 'PENDING'] as const;
export type MerchantStatus = (typeof MERCHANT_STATUSES)[number];

export interface Merchant {
  id: string;
  tenantId: string;
  name: string;
  email: string | null;
  phoneNumber: string | null;
  status: MerchantStatus;
  organization: JsonObject | null;
  person: JsonObject | null;
  createdAt: string;
  statusChangedAt: string;
  /**
   * When the sandbox approves the merchant by itself (epoch ms, sandbox time), or null once a
   * decision has been made or when automatic approval is off.
   */
  approvesAt: number | null;
}
