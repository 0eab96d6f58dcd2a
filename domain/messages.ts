import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PaymentResource, PingRefundReason } from './payment';

/**
 * The messages of the payment workflows, defined once: the API sends them, the workflows handle them. `defineSignal` and its kin only name a message, so
 * importing them outside a workflow is safe.
 */

export interface CreatedResult {
  payment: PaymentResource;
  /** False when this call joined a payment an earlier call with the same Idempotency-Key created. */
  first: boolean;
}

/**
 * Sent with update-with-start by `POST /v1/payment-links`: resolves once the payment exists at Ping
 * (or Ping refused it), so the API can answer with the checkout URL at once. Its validator rejects a
 * fingerprint that differs from the one the payment was created with.
 */
export const createdUpdate = defineUpdate<CreatedResult, [{ fingerprint: string }]>('created');


/**
 * Each request the API signals carries its own id; the workflow answers it under that id
 * (`requestAnswerQuery`), which the API reads back. The cancel, refund and settle requests are
 * signals, not updates: a signal has its place in the history, so a replay meets it where the live
 * run did. An update arriving in the same workflow task as a timer or an activity's result after a
 * worker restart was replayed in the other order (a nondeterminism, seen in the chaos run with SDK
 * 1.24). The only update left is `created`, sent with the workflow's start, when nothing else can
 * be in its task.
 */
export interface PaymentRequest {
  /** A new UUID per HTTP request. */
  requestId: string;
}

/** `POST /v1/payments/:id/refunds`: one full refund per payment, idempotent by its key. */
export interface RefundRequest extends PaymentRequest {
  /** The caller's Idempotency-Key: the same key asks for the same refund again. */
  idempotencyKey: string;
  /** Hash of the request body: the same key with another body is refused. */
  fingerprint: string;
  reason: PingRefundReason;
  description?: string;
}

/** The workflow's answer to one request: taken (the first under its key), a repeat of one taken, or refused with a failure type (domain/failureTypes.ts). */
export type RequestAnswer = { outcome: 'accepted' } | { outcome: 'repeat' } | { outcome: 'refused'; type: string; message: string };

/** Checked against the payment's state (paid or completed, not settling, not refunded under another key). */
export const refundSignal = defineSignal<[RefundRequest]>('refund');

/** `POST /v1/payments/:id/cancel`: refused once the payment is paid or final; then the workflow ends it at Ping. */
export const cancelSignal = defineSignal<[PaymentRequest]>('cancel');

/** `POST /v1/payments/:id/settle`: settle now (manual settlement, or ending an automatic hold early). Idempotent. */
export const settleSignal = defineSignal<[PaymentRequest]>('settle');

/** The answer to a request by its id; null until the workflow has handled it (or after it has forgotten it, see workflows/messageHandlers.ts). */
export const requestAnswerQuery = defineQuery<RequestAnswer | null, [string]>('requestAnswer');

/**
 * Send a payment link to the payer again through Ping: a subscription's reminder (as the link first
 * went out), or `POST /v1/payments/:id/send` (one channel, to the contact given or the link's own).
 * Ignored once the payment is decided. A duplicate sends once more, which is harmless.
 */
export interface SendLinkRequest {
  reason: 'reminder' | 'requested';
  /** Absent: the channels the link was first sent by. */
  channel?: 'sms' | 'email';
  /** Overrides the link's customer phone or e-mail for this send. */
  to?: string;
}
export const sendLinkSignal = defineSignal<[SendLinkRequest]>('sendLink');

/** A callback from Ping arrived. Only a trigger: the workflow fetches the real status from Ping. */
export const pingCallbackSignal = defineSignal<[{ status?: string; receivedAt: string }]>('pingCallback');

/** The payer's browser came back through `/v1/payments/:id/return/...`: also only a trigger. */
export const payerReturnedSignal = defineSignal<[{ outcome: PayerOutcome }]>('payerReturned');
export const PAYER_OUTCOMES = ['success', 'cancel', 'error'] as const;
export type PayerOutcome = (typeof PAYER_OUTCOMES)[number];

export const paymentQuery = defineQuery<PaymentResource>('payment');
/** The key and body hash of the refund last asked for, to answer a retried refund after the workflow has closed. */
export const refundKeyQuery = defineQuery<{ idempotencyKey: string; fingerprint: string } | null>('refundKey');
/** The create request's fingerprint, for the idempotency check after the workflow has closed. */
export const fingerprintQuery = defineQuery<string>('fingerprint');
