import { Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { isValidWebhookToken } from '../../common/webhookToken';
import { PAYER_OUTCOMES, payerReturnedSignal, type PayerOutcome } from '../../domain/messages';
import { PAYMENT_ID_PREFIXES } from '../../domain/ids';
import { ApiError, methodNotAllowed } from '../errors';
import { paymentHandle, paymentNotFound, readPayment } from '../payments';


/**
 * `GET /v1/payments/:id/return/{success|cancel|error}`: where the bank sends the payer back. It tells
 * the workflow what the payer saw (a hint: the workflow still waits for Ping's confirmed status) and
 * forwards the browser to the caller's page. Reached by the payer's browser, so it is guarded by a
 * per-payment token instead of an API key.
 */
export function payerReturnRoutes({ client, webhookSecret }: { client: Client; webhookSecret: string }): Router {
  const router = Router();
  router.get('/v1/payments/:id/return/:outcome', async (req, res) => {
    const id = String(req.params.id);
    const outcome = req.params.outcome as PayerOutcome;
    if (!(PAYER_OUTCOMES as readonly string[]).includes(outcome)) throw new ApiError(404, 'invalid_request_error', 'route_not_found', `No route for GET ${req.path}`);
    if (!isValidWebhookToken(webhookSecret, id, req.query.token, 'payer-return')) {
      throw new ApiError(401, 'authentication_error', 'invalid_return_token', 'The return URL token is missing or wrong');
    }
    // Only open-banking payments send the payer back through us.
    if (!id.startsWith(`${PAYMENT_ID_PREFIXES.pis}-`)) throw paymentNotFound(id);
    try {
      await paymentHandle(client, id).signal(payerReturnedSignal, { outcome });
    } catch (err) {
      // A payer coming back after the payment ended is still sent on to the caller's page.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const payment = await readPayment(client, id);
    const target = payment.redirect_urls[outcome];
    if (!target) throw new ApiError(404, 'invalid_request_error', 'no_redirect_url', `This payment has no ${outcome} URL`);
    res.redirect(303, target);
  });
  router.all('/v1/payments/:id/return/:outcome', methodNotAllowed('GET'));
  return router;
}
