import express, { Router, type RequestHandler } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { z } from 'zod';
import { isValidWebhookToken } from '../../common/webhookToken';
import { paymentLinkStatusCallbackSchema, paymentStatusCallbackSchema } from '../../ping';
import { pingCallbackSignal } from '../../workflows/messages';
import { ApiError } from '../errors';
import { paymentHandle, paymentNotFound } from '../payments';

export interface WebhookDeps {
  client: Client;
  webhookSecret: string;
}

/**
 * Ping's callbacks. The token in the URL proves the caller was given it; the body is only a hint:
 * the workflow fetches the real status from Ping before acting, so a forged or replayed body with a
 * valid token still changes nothing.
 */
export function webhookRoutes({ client, webhookSecret }: WebhookDeps): Router {
  const router = Router();

  const requireToken: RequestHandler = (req, _res, next) => {
    if (!isValidWebhookToken(webhookSecret, String(req.params.id), req.query.token)) {
      return next(new ApiError(401, 'authentication_error', 'invalid_webhook_token', 'The callback URL token is missing or wrong'));
    }
    next();
  };

  const callback = (schema: z.ZodType<{ status?: string | null }>, expected: string): RequestHandler => async (req, res) => {
    const parsed = schema.safeParse(req.body);
    if (!parsed.success) throw new ApiError(400, 'invalid_request_error', 'callback_invalid', `Expected ${expected}`);
    const id = String(req.params.id);
    const handle = paymentHandle(client, id);
    try {
      await handle.signal(pingCallbackSignal, { status: parsed.data.status ?? undefined, receivedAt: new Date().toISOString() });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // A late callback for a finished payment is acknowledged, so Ping stops retrying it.
      try {
        await handle.describe();
      } catch {
        throw paymentNotFound(id);
      }
    }
    res.status(204).end();
  };

  const json = express.json({ limit: '16kb' });
  router.post('/webhooks/ping/payment-links/:id', requireToken, json, callback(paymentLinkStatusCallbackSchema, '{payment_link_id, status, occured_at}'));
  router.post('/webhooks/ping/payments/:id', requireToken, json, callback(paymentStatusCallbackSchema, 'a JSON object with the payment status'));
  return router;
}
