import { Router } from 'express';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { formatAmount } from '../../workflows/format';
import type { paymentLink } from '../../workflows/paymentLink';
import { createdUpdate, fingerprintQuery, IDEMPOTENCY_KEY_REUSED, paymentQuery } from '../../workflows/messages';
import type { PaymentLinkRequest, PollTiming } from '../../workflows/paymentTypes';
import { AmountMinor, Currency, DueAt, MerchantReference, PaymentFlow, PaymentStatus } from '../../workflows/searchAttributes';
import { fingerprintOf, idempotencyMismatch, paymentIdFor } from '../idempotency';
import { refusedError, updateFailureType } from '../payments';
import { parseBody } from '../schemas/common';
import { paymentLinkRequestSchema } from '../schemas/paymentLink';

export interface PaymentLinkRouteDeps {
  client: Client;
  taskQueue: string;
  timing: PollTiming;
}

/** What support staff see first in the Web UI: what this payment is. No payer data. */
function summaryOf(request: PaymentLinkRequest, amount: number): { staticSummary: string; staticDetails: string } {
  const reference = request.merchant_reference ? ` · ${request.merchant_reference}` : '';
  const lines = [
    `**Payment link** for ${formatAmount(amount, request.currency)} from ${request.supplier.name}`,
    ...(request.merchant_reference ? [`**Merchant reference:** ${request.merchant_reference}`] : []),
    `**Items:** ${request.items.map((i) => `${i.quantity} × ${i.description}`).join(', ')}`,
    `**Payment methods:** ${request.payment_methods.map((m) => `${m.provider}/${m.method}`).join(', ')}`,
    ...(request.due_at ? [`**Due:** ${request.due_at}`] : []),
  ];
  return { staticSummary: `Payment link · ${formatAmount(amount, request.currency)}${reference}`, staticDetails: lines.join('\n\n') };
}

export function paymentLinkRoutes({ client, taskQueue, timing }: PaymentLinkRouteDeps): Router {
  const router = Router();

  router.post('/payment-links', async (req, res) => {
    const request = parseBody(paymentLinkRequestSchema, req.body);
    const paymentId = paymentIdFor('payment-link', req);
    const fingerprint = fingerprintOf(request);
    const amount = request.items.reduce((sum, i) => sum + i.price * i.quantity, 0);

    const operation = new WithStartWorkflowOperation<typeof paymentLink>('paymentLink', {
      workflowId: paymentId,
      taskQueue,
      args: [{ paymentId, request, fingerprint, timing }],
      // A retry joins the running payment; a finished payment is never started again under its key.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: PaymentStatus, value: 'creating' },
        { key: PaymentFlow, value: 'link' },
        { key: AmountMinor, value: amount },
        { key: Currency, value: request.currency },
        ...(request.merchant_reference ? [{ key: MerchantReference, value: request.merchant_reference }] : []),
        ...(request.due_at ? [{ key: DueAt, value: new Date(request.due_at) }] : []),
      ],
      ...summaryOf(request, amount),
    });

    let payment;
    let first = false;
    try {
      ({ payment, first } = await client.workflow.executeUpdateWithStart(createdUpdate, { args: [{ fingerprint }], startWorkflowOperation: operation }));
    } catch (err) {
      if (updateFailureType(err) === IDEMPOTENCY_KEY_REUSED) throw idempotencyMismatch();
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // The payment under this key has finished: answer as before if it is the same request.
      const handle = client.workflow.getHandle(paymentId);
      if ((await handle.query(fingerprintQuery)) !== fingerprint) throw idempotencyMismatch();
      payment = await handle.query(paymentQuery);
    }
    const refused = refusedError(payment);
    if (refused) throw refused;
    res.status(first ? 201 : 200).json(payment);
  });

  return router;
}
