import { Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { sendLinkSignal } from '../../domain/messages';
import type { PaymentResource } from '../../domain/payment';
import { ApiError, methodNotAllowed } from '../errors';
import { confinePaymentId, paymentHandle, readPayment } from '../payments';
import { readPaymentUntil } from '../readPaymentUntil';
import { requireJsonBody } from '../requestBody';
import { parseBody } from '../schemas/common';
import { paymentSendRequestSchema } from '../schemas/paymentSend';

/** Ping's distribute answers in well under a second; past this the answer is a 202, the send under way. */
const SEND_ANSWER_WAIT_MS = 10_000;

const sends = (p: PaymentResource) => p.events.filter((e) => e.type === 'link_resend_sent' || e.type === 'link_resend_failed').length;
const finalError = (p: PaymentResource) => new ApiError(409, 'invalid_request_error', 'payment_final', `The payment is already ${p.status}: there is nothing to pay`);

/**
 * `POST /v1/payments/:id/send`: Ping sends a payment link to the payer again by SMS or e-mail (a
 * seller at a stall, or a payer who lost the message). Answers with the payment once Ping has taken
 * it (its `events` end with `link_resend_sent`); 502 `send_failed` with Ping's reason if Ping refused.
 */
export function paymentSendRoutes({ client }: { client: Client }): Router {
  const router = Router();
  router.param('id', confinePaymentId);
  router.post('/payments/:id/send', requireJsonBody, async (req, res) => {
    const body = parseBody(paymentSendRequestSchema, req.body);
    const id = String(req.params.id);
    const payment = await readPayment(client, id);
    if (payment.flow !== 'link') throw new ApiError(409, 'invalid_request_error', 'payment_not_a_link', 'Only a payment link can be sent: an open-banking payment is paid on the bank page it was opened on');
    if (payment.status !== 'awaiting_payment') throw finalError(payment);
    const before = sends(payment);
    try {
      await paymentHandle(client, id).signal(sendLinkSignal, { reason: 'requested', channel: body.channel, ...(body.to ? { to: body.to } : {}) });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw finalError(await readPayment(client, id));
      throw err;
    }
    const after = await readPaymentUntil(client, id, (p) => sends(p) > before || p.status !== 'awaiting_payment', SEND_ANSWER_WAIT_MS, payment);
    const outcome = after.events.filter((e) => e.type.startsWith('link_resend_')).at(-1);
    if (sends(after) > before && outcome?.type === 'link_resend_failed') {
      throw new ApiError(502, 'api_error', 'send_failed', `Ping did not send the link: ${outcome.detail ?? 'no reason given'}`);
    }
    res.status(sends(after) > before ? 200 : 202).json(after);
  });
  router.all('/payments/:id/send', methodNotAllowed('POST'));
  return router;
}
