import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { temporal } from '@temporalio/proto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { cancelSignal } from '../../domain/messages';
import { PAYMENT_FLOWS } from '../../domain/payment';
import { AmountMinor, Currency, DueAt, MerchantId, MerchantReference, PaymentFlow, PaymentStatus, PingPaymentId, PingPaymentLinkId, PingPaymentOrderId } from '../../domain/searchAttributes';
import { ApiError, methodNotAllowed } from '../errors';
import { askPayment, RequestRefused } from '../askPayment';
import { listCursors, listPage, quoted } from '../listCursors';
import { actingMerchant } from '../principal';
import { confinePaymentId, paymentHandle, readPayment } from '../payments';
import { readPaymentUntil } from '../readPaymentUntil';
import { noBodyParameters, requireJsonBody } from '../requestBody';
import { parseBody } from '../schemas/common';
import { paymentListQuerySchema } from '../schemas/listQuery';

/** How long a cancel's answer waits for the payment to end at Ping. */
const CANCEL_ANSWER_WAIT_MS = 30_000;

export interface PaymentRoutesDeps {
  client: Client;
  /** Key material for list cursors' MAC (e.g. WEBHOOK_SECRET); see `listCursors`. */
  cursorSecret?: string;
}

/** A row of `GET /v1/payments`: the payment as visibility has it (its search attributes), without asking its workflow. */
function paymentSummary(execution: temporal.api.workflow.v1.IWorkflowExecutionInfo) {
  const sa = decodeTypedSearchAttributes(execution.searchAttributes?.indexedFields);
  const startSeconds = Number(execution.startTime?.seconds ?? 0);
  return {
    id: execution.execution?.workflowId,
    object: 'payment',
    flow: sa.get(PaymentFlow) ?? null,
    status: sa.get(PaymentStatus) ?? null,
    amount: sa.get(AmountMinor) ?? null,
    currency: sa.get(Currency) ?? null,
    merchant: sa.get(MerchantId) ?? null,
    merchant_reference: sa.get(MerchantReference) ?? null,
    ping_payment_order_id: sa.get(PingPaymentOrderId) ?? null,
    ping_payment_link_id: sa.get(PingPaymentLinkId) ?? null,
    ping_payment_id: sa.get(PingPaymentId) ?? null,
    due_at: sa.get(DueAt)?.toISOString() ?? null,
    created_at: new Date(startSeconds * 1000).toISOString(),
  };
}

export function paymentRoutes({ client, cursorSecret }: PaymentRoutesDeps): Router {
  const router = Router();
  router.param('id', confinePaymentId);
  const cursors = listCursors(cursorSecret);

  /** Listed from Temporal visibility (search attributes), newest first; eventually consistent by a second or so. */
  router.get('/payments', async (req, res) => {
    const q = parseBody(paymentListQuerySchema, { ...req.query });
    const clauses = [q.flow ? `PaymentFlow = ${quoted(q.flow)}` : `PaymentFlow IN (${PAYMENT_FLOWS.map(quoted).join(', ')})`];
    if (q.status) clauses.push(`PaymentStatus = ${quoted(q.status)}`);
    if (q.merchant_reference) clauses.push(`MerchantReference = ${quoted(q.merchant_reference)}`);
    // A merchant's key lists its own payments only (and a cursor is MACed over this query, so it cannot be widened).
    const merchant = actingMerchant(res);
    if (merchant) clauses.push(`MerchantId = ${quoted(merchant.merchantId)}`);
    res.json(await listPage(client, cursors, clauses.join(' AND '), q, (executions) => executions.map(paymentSummary)));
  });

  router.get('/payments/:id', async (req, res) => {
    res.json(await readPayment(client, req.params.id));
  });

  router.post('/payments/:id/cancel', requireJsonBody, noBodyParameters, async (req, res) => {
    const id = String(req.params.id);
    const handle = paymentHandle(client, id);
    try {
      await askPayment(handle, cancelSignal, { requestId: randomUUID() });
    } catch (err) {
      if (err instanceof RequestRefused) throw new ApiError(409, 'invalid_request_error', 'payment_final', err.message);
      if (err instanceof WorkflowNotFoundError) {
        // A closed workflow is a finished payment; a missing one is unknown.
        const existing = await readPayment(client, id);
        throw new ApiError(409, 'invalid_request_error', 'payment_final', `The payment is already ${existing.status}`);
      }
      throw err;
    }
    // Ending the payment at Ping is retried until Ping answers; past this wait the answer is 202, with the cancel under way.
    const payment = await readPaymentUntil(client, id, (p) => p.status !== 'awaiting_payment' && p.status !== 'creating', CANCEL_ANSWER_WAIT_MS);
    if (payment.status === 'awaiting_payment' || payment.status === 'creating') {
      res.status(202).json(payment);
      return;
    }
    if (payment.status !== 'cancelled') {
      throw new ApiError(409, 'invalid_request_error', 'payment_final', `The payment was ${payment.status} before it could be cancelled`);
    }
    res.json(payment);
  });

  router.get('/payments/:id/invoice', async (req, res) => {
    const payment = await readPayment(client, req.params.id);
    if (!payment.invoice) {
      throw new ApiError(404, 'invalid_request_error', 'invoice_not_found', 'This payment has no invoice (ask for distribution.invoice when creating it)');
    }
    res.json({ object: 'invoice', payment_id: payment.id, ...payment.invoice });
  });

  router.get('/payments/:id/receipt', async (req, res) => {
    const payment = await readPayment(client, req.params.id);
    if (!payment.receipt_url) {
      throw new ApiError(404, 'invalid_request_error', 'receipt_not_available', `No receipt yet: the payment is ${payment.status}`);
    }
    res.json({ object: 'receipt', payment_id: payment.id, url: payment.receipt_url });
  });

  router.all('/payments', methodNotAllowed('GET'));
  router.all('/payments/:id', methodNotAllowed('GET'));
  router.all('/payments/:id/cancel', methodNotAllowed('POST'));
  router.all('/payments/:id/invoice', methodNotAllowed('GET'));
  router.all('/payments/:id/receipt', methodNotAllowed('GET'));
  return router;
}
