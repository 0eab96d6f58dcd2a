/**
 * A payment as the API, the workflows and the activities all see it. Plain types only, so the
 * workflow bundle stays small.
 */

export type Currency = 'SEK' | 'NOK' | 'EUR' | 'GBP' | 'DKK';
export const PAYMENT_FLOWS = ['link', 'pis'] as const;
export type PaymentFlow = (typeof PAYMENT_FLOWS)[number];

/** Our payment states, in the order a payment normally moves through them. */
export type PaymentState = 'creating' | 'awaiting_payment' | 'paid' | 'completed' | 'expired' | 'cancelled' | 'failed';
export const PAYMENT_STATES: readonly PaymentState[] = ['creating', 'awaiting_payment', 'paid', 'completed', 'expired', 'cancelled', 'failed'];
export const FINAL_STATES: readonly PaymentState[] = ['completed', 'expired', 'cancelled', 'failed'];

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
  metadata: Record<string, string>;
  events: PaymentEvent[];
}

/** What a merchant's `notify_url` receives. */
export type PaymentEventType = 'payment.paid' | 'payment.expired' | 'payment.cancelled' | 'payment.failed';
