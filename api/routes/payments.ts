import { Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { z } from 'zod';
import { cancelUpdate, PAYMENT_FINAL } from '../../workflows/messages';
import { PAYMENT_STATES } from '../../workflows/paymentTypes';
import {
  AmountMinor,
  Currency,
  DueAt,
  MerchantReference,
  PaymentFlow,
  PaymentStatus,
  PingPaymentId,
  PingPaymentLinkId,
  PingPaymentOrderId,
} from '../../workflows/searchAttributes';
import { ApiError } from '../errors';
import { paymentHandle, readPayment, updateFailureType } from '../payments';
import { parseBody } from '../schemas/common';

const listQuery = z.strictObject({
  status: z.enum(PAYMENT_STATES as [string, ...string[]], { error: `must be one of ${PAYMENT_STATES.join(', ')}` }).optional(),
  flow: z.enum(['link', 'pis'], { error: 'must be link or pis' }).optional(),
  merchant_reference: z.string().min(1).max(128).optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int().min(1, 'must be between 1 and 100').max(100, 'must be between 1 and 100').default(20),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,2048}$/, 'must be a cursor from an earlier page').optional(),
});

/** Visibility queries quote strings with single quotes; our values are validated, this is belt and braces. */
const quoted = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function paymentRoutes({ client }: { client: Client }): Router {
  const router = Router();

  /** Listed from Temporal visibility (search attributes), newest first; eventually consistent by a second or so. */
  router.get('/payments', async (req, res) => {
    const q = parseBody(listQuery, { ...req.query });
    const clauses = [q.flow ? `PaymentFlow = ${quoted(q.flow)}` : `PaymentFlow IN ('link', 'pis')`];
    if (q.status) clauses.push(`PaymentStatus = ${quoted(q.status)}`);
    if (q.merchant_reference) clauses.push(`MerchantReference = ${quoted(q.merchant_reference)}`);
    const page = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      query: clauses.join(' AND '),
      pageSize: q.limit,
      nextPageToken: q.cursor ? Buffer.from(q.cursor, 'base64url') : undefined,
    });
    const data = (page.executions ?? []).map((execution) => {
      const sa = decodeTypedSearchAttributes(execution.searchAttributes?.indexedFields);
      const startSeconds = Number(execution.startTime?.seconds ?? 0);
      return {
        id: execution.execution?.workflowId,
        object: 'payment',
        flow: sa.get(PaymentFlow) ?? null,
        status: sa.get(PaymentStatus) ?? null,
        amount: sa.get(AmountMinor) ?? null,
        currency: sa.get(Currency) ?? null,
        merchant_reference: sa.get(MerchantReference) ?? null,
        ping_payment_order_id: sa.get(PingPaymentOrderId) ?? null,
        ping_payment_link_id: sa.get(PingPaymentLinkId) ?? null,
        ping_payment_id: sa.get(PingPaymentId) ?? null,
        due_at: sa.get(DueAt)?.toISOString() ?? null,
        created_at: new Date(startSeconds * 1000).toISOString(),
      };
    });
    const next = page.nextPageToken?.length ? Buffer.from(page.nextPageToken).toString('base64url') : null;
    res.json({ object: 'list', data, has_more: next !== null, next_cursor: next });
  });

  router.get('/payments/:id', async (req, res) => {
    res.json(await readPayment(client, req.params.id));
  });

  router.post('/payments/:id/cancel', async (req, res) => {
    const handle = paymentHandle(client, req.params.id);
    let payment;
    try {
      payment = await handle.executeUpdate(cancelUpdate);
    } catch (err) {
      if (updateFailureType(err) === PAYMENT_FINAL) {
        throw new ApiError(409, 'invalid_request_error', 'payment_final', (err as Error & { cause: Error }).cause.message);
      }
      if (err instanceof WorkflowNotFoundError) {
        // A closed workflow is a finished payment; a missing one is unknown.
        const existing = await readPayment(client, req.params.id);
        throw new ApiError(409, 'invalid_request_error', 'payment_final', `The payment is already ${existing.status}`);
      }
      throw err;
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

  return router;
}
