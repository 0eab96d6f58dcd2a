/**
 * A payment as the API, the workflows and the activities all see it. Plain types only, so the
 * workflow bundle stays small.
 */

export type Currency = 'SEK' | 'NOK' | 'EUR' | 'GBP' | 'DKK';
export const PAYMENT_FLOWS = ['link', 'pis'] as const;
export type PaymentFlow = (typeof PAYMENT_FLOWS)[number];

/** Our payment states, in the order a payment normally moves through them. */
export type PaymentState = 'creating' | 'awaiting_payment' | 'paid' | 'completed' | 'expired' | 'cancelled' | 'failed' | 'refunded';
export const PAYMENT_STATES: readonly PaymentState[] = ['creating', 'awaiting_payment', 'paid', 'completed', 'expired', 'cancelled', 'failed', 'refunded'];
/**
 * The payer's part is over: a cancel can no longer change the outcome. The workflow may still run on
 * after these (a completed payment waits for its settlement; an expired one watches for a late
 * payment), and a completed one may still become `refunded`.
 */
export const FINAL_STATES: readonly PaymentState[] = ['completed', 'expired', 'cancelled', 'failed', 'refunded'];

/** How a paid payment's order is settled at Ping: after the hold (`SETTLEMENT_HOLD`), or on `POST /v1/payments/:id/settle`. */
export const SETTLEMENT_MODES = ['automatic', 'manual'] as const;
export type SettlementMode = (typeof SETTLEMENT_MODES)[number];
/** What happens when Ping completes a payment we had already ended: refund the payer, or take the money. */
export const LATE_PAYMENT_POLICIES = ['refund', 'accept'] as const;
export type LatePaymentPolicy = (typeof LATE_PAYMENT_POLICIES)[number];

/** Ping's refund reasons (docs/ping-contract.md §3.3). */
export const REFUND_REASONS = ['requested_by_customer', 'fraudulent', 'other'] as const;
export type PingRefundReason = (typeof REFUND_REASONS)[number];
/** Ours adds `late_payment`: the automatic refund of a payment Ping completed after we ended it (sent to Ping as `other`). */
export type RefundReason = PingRefundReason | 'late_payment';

/** One share of a split order: who gets how much (Ping's allocation, docs/ping-contract.md §2.7). */
export interface Allocation {
  recipient_type: string;
  merchant_id: string | null;
  amount: number;
  currency: string;
}

export interface Settlement {
  mode: SettlementMode;
  /** `pending` through the hold and the steps at Ping; `failed` when Ping refused a step (the payment stays paid). */
  status: 'pending' | 'settled' | 'failed';
  /** When the hold ends (automatic mode); null for manual settlement. */
  hold_until: string | null;
  settled_at: string | null;
  /** The order's status at Ping as the last step left it (OPEN, CLOSED, SPLIT, SETTLED). */
  ping_order_status: string | null;
  allocations: Allocation[];
  failure: PaymentFailure | null;
}

export interface Refund {
  /** `pending` until a fetch of the payment at Ping shows the refund; `failed` when Ping refused it. */
  status: 'pending' | 'succeeded' | 'failed';
  reason: RefundReason;
  description: string | null;
  amount: number;
  currency: Currency;
  requested_at: string;
  refunded_at: string | null;
  /** Ping's own word for the refund, as its refund answer gave it (the contract names no values). */
  ping_status: string | null;
  failure: PaymentFailure | null;
}

export interface PaymentEvent {
  type: string;
  at: string;
  detail?: string;
}

export interface PaymentFailure {
  code: string;
  message: string;
  /** Ping's HTTP status when Ping refused the request. */
  ping_status?: number;
  param?: string;
}

/** The API resource `GET /v1/payments/:id` returns; the workflow's query builds it. */
export interface PaymentResource {
  id: string;
  object: 'payment';
  flow: PaymentFlow;
  status: PaymentState;
  amount: number;
  currency: Currency;
  /** Our merchant (`mer_…`) the payment was made for, read from its id (domain/ids.ts); null for the platform's own. */
  merchant: string | null;
  /** The subscription (`sub_…`) whose invoice this payment is; null for a payment made on its own. */
  subscription_id: string | null;
  merchant_reference: string | null;
  checkout_url: string | null;
  ping_payment_order_id: string | null;
  ping_payment_link_id: string | null;
  ping_payment_id: string | null;
  /** Ping's own status of the link or payment, as last fetched, and every status seen. */
  ping_status: string | null;
  ping_status_history: Array<{ status: string; at: string }>;
  /** For links, when it expires; for PIS payments, the payer's deadline at the bank. */
  due_at: string | null;
  created_at: string;
  updated_at: string;
  paid_at: string | null;
  distribution: { sms: boolean; email: boolean; invoice: boolean };
  invoice: { url: string; reference_type: string; reference: string } | null;
  receipt_url: string | null;
  /** The caller's pages the payer is sent back to (our `/return/...` redirects forward there). */
  redirect_urls: { success: string | null; cancel: string | null; error: string | null };
  failure: PaymentFailure | null;
  /** Null until the payment is paid, and again once it is refunded before settlement began. */
  settlement: Settlement | null;
  /** Null until a refund is asked for; a failed refund stays here until a new one replaces it. */
  refund: Refund | null;
  /** Ping completed the payment after we had ended it (expired, cancelled or failed). */
  late_payment: boolean;
  metadata: Record<string, string>;
  events: PaymentEvent[];
}

/** What a merchant's `notify_url` receives. */
export type PaymentEventType =
  | 'payment.paid'
  | 'payment.expired'
  | 'payment.cancelled'
  | 'payment.failed'
  | 'payment.paid_late'
  | 'payment.settled'
  | 'payment.settlement_failed'
  | 'payment.refunded'
  | 'payment.refund_failed';
