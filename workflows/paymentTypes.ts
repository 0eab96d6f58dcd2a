import type { Method, Provider } from '../ping/commonSchemas';

/**
 * The data that crosses between the API, the workflows and the activities. Plain types only: the
 * API's zod schemas are checked against these at compile time, and the workflow bundle stays small.
 */

export type Currency = 'SEK' | 'NOK' | 'EUR' | 'GBP' | 'DKK';
export type PaymentFlow = 'link' | 'pis';

/** Our payment states, in the order a payment normally moves through them. */
export type PaymentState = 'creating' | 'awaiting_payment' | 'paid' | 'completed' | 'expired' | 'cancelled' | 'failed';
export const PAYMENT_STATES: readonly PaymentState[] = ['creating', 'awaiting_payment', 'paid', 'completed', 'expired', 'cancelled', 'failed'];
export const FINAL_STATES: readonly PaymentState[] = ['completed', 'expired', 'cancelled', 'failed'];

export interface LinkItem {
  description: string;
  merchant_id: string;
  /** Per unit, minor units. */
  price: number;
  quantity: number;
  /** Percent, e.g. 25 or 12.5. */
  vat: number;
  unit?: string;
}

export interface PaymentLinkRequest {
  currency: Currency;
  locale: 'sv-SE' | 'nb-NO';
  items: LinkItem[];
  customer: { first_name: string; last_name: string; email?: string; phone?: string; reference?: string };
  supplier: { name: string; city?: string; organization_number?: string; website?: string; zip?: string };
  payment_methods: Array<{ provider: Provider; method: Method; parameters?: Record<string, unknown> }>;
  /** ISO 8601 instant; when it passes unpaid, the link is cancelled at Ping and the payment expires. */
  due_at?: string;
  distribution?: { sms?: boolean; email?: boolean; invoice?: { reference_type: 'OCR' | 'KID' } };
  success_url?: string;
  cancel_url?: string;
  merchant_reference?: string;
  metadata?: Record<string, string>;
  notify_url?: string;
}

/** `POST /v1/pis-payments`: an open-banking payment (Ping provider `open_payments`, method `pis`). */
export interface PisPaymentRequest {
  currency: Currency;
  order_items: Array<{ name: string; amount: number; vat_rate: number; merchant_id: string }>;
  /** The caller's pages the payer returns to after the bank. */
  success_url: string;
  cancel_url: string;
  error_url: string;
  payer?: { email?: string; phone?: string; name?: string };
  /** Who the receipt e-mail is from, and in which language. */
  merchant_name?: string;
  locale?: 'sv-SE' | 'nb-NO';
  /** Shown on the payer's bank statement and searchable as the merchant reference. */
  reference?: string;
  metadata?: Record<string, string>;
  /** How long the payer has to finish at the bank before the payment is stopped at Ping. */
  timeout_seconds?: number;
  notify_url?: string;
}

export interface PollTiming {
  /** With no callback, Ping is asked after this long, then twice as long each time, up to the maximum. */
  pollInitialMs: number;
  pollMaxMs: number;
}

export interface PaymentLinkInput {
  paymentId: string;
  request: PaymentLinkRequest;
  /** Hash of the create request: a retry with the same Idempotency-Key must carry the same body. */
  fingerprint: string;
  timing: PollTiming;
}

export interface PisPaymentInput {
  paymentId: string;
  request: PisPaymentRequest;
  fingerprint: string;
  timing: PollTiming;
}

export const DEFAULT_PIS_TIMEOUT_SECONDS = 1800;

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
