import type { Method, Provider } from '../ping/commonSchemas';
import type { Currency, LatePaymentPolicy, SettlementMode } from './payment';

/**
 * What callers send to create a payment, and what the API hands each payment's workflow. The API's
 * zod schemas are checked against these types at compile time.
 */

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
  /** Default `automatic`: settled at Ping once the hold has passed. */
  settlement?: SettlementMode;
  /** Default `refund`. */
  late_payment?: LatePaymentPolicy;
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
  settlement?: SettlementMode;
  late_payment?: LatePaymentPolicy;
}

export interface PollTiming {
  /** With no callback, Ping is asked after this long, then twice as long each time, up to the maximum. */
  pollInitialMs: number;
  pollMaxMs: number;
}

/** The money after the payment, from the API's configuration (docs/configuration.md). */
export interface MoneyTiming {
  /** `SETTLEMENT_HOLD`: how long a paid payment waits before its order is settled (a refund needs no claw-back meanwhile). */
  settlementHoldMs: number;
  /** `LATE_PAYMENT_WINDOW`: how long an expired, cancelled or failed payment keeps asking Ping whether it was paid after all. */
  latePaymentWindowMs: number;
}

export interface PaymentLinkInput {
  paymentId: string;
  request: PaymentLinkRequest;
  /** Set when a subscription created this link as one of its invoices (never by a caller's request). */
  subscriptionId?: string;
  /** Hash of the create request: a retry with the same Idempotency-Key must carry the same body. */
  fingerprint: string;
  timing: PollTiming;
  money: MoneyTiming;
}

export interface PisPaymentInput {
  paymentId: string;
  request: PisPaymentRequest;
  fingerprint: string;
  timing: PollTiming;
  money: MoneyTiming;
}

export const DEFAULT_PIS_TIMEOUT_SECONDS = 1800;
