import express, { Router, type Request, type RequestHandler } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { z } from 'zod';
import { isValidWebhookToken } from '../../common/webhookToken';
import { paymentLinkStatusCallbackSchema, paymentStatusCallbackSchema } from '../../ping';
import { PAYMENT_ID_PREFIXES } from '../../domain/ids';
import { pingCallbackSignal } from '../../domain/messages';
import type { PaymentFlow } from '../../domain/payment';
import { ApiError, methodNotAllowed } from '../errors';
import { paymentHandle, paymentNotFound } from '../payments';
import { acceptUnsignedCallbacks, type PingSignatureVerifier } from '../pingSignature';
import { requireJsonBody } from '../requestBody';

export interface WebhookDeps {
  client: Client;
  webhookSecret: string;
  /** Checks Ping's callback signature over the raw body; by default every callback passes (see pingSignature.ts). */
  verifySignature?: PingSignatureVerifier;
  /** Told how each callback was answered: its flow, status, and the error code of a rejection (for metrics). */
  onCallback?: (kind: PaymentFlow, status: number, errorCode: string | undefined) => void;
}

/** Callbacks are small: a status and a few ids. */
export const WEBHOOK_BODY_LIMIT = '16kb';

/** The raw body, kept by express.json's `verify` hook for the signature check. */
const rawBodies = new WeakMap<Request, Buffer>();

/**
 * Ping's callbacks. The token in the URL proves the caller was given it; the body is only a hint:
 * the workflow fetches the real status from Ping before acting, so a forged or replayed body with a
 * valid token still changes nothing. In order: token (401), JSON content type (415), size (413),
 * JSON syntax (400), signature (401), the endpoint's flow (404), shape (400); only then is the
 * workflow signalled.
 */
export function webhookRoutes({ client, webhookSecret, verifySignature = acceptUnsignedCallbacks, onCallback }: WebhookDeps): Router {
  const router = Router();

  /** First in line, so a callback refused by any later check is still reported, with its error code. */
  const observe = (kind: PaymentFlow): RequestHandler => (_req, res, next) => {
    if (onCallback) res.once('finish', () => onCallback(kind, res.statusCode, res.locals.errorCode as string | undefined));
    next();
  };

  const requireToken: RequestHandler = (req, _res, next) => {
    if (!isValidWebhookToken(webhookSecret, String(req.params.id), req.query.token)) {
      return next(new ApiError(401, 'authentication_error', 'invalid_webhook_token', 'The callback URL token is missing or wrong'));
    }
    next();
  };

  const json = express.json({
    limit: WEBHOOK_BODY_LIMIT,
    verify: (req, _res, buf) => {
      rawBodies.set(req as Request, buf);
    },
  });

  const requireSignature: RequestHandler = async (req, _res, next) => {
    const ok = await verifySignature({ headers: req.headers, rawBody: rawBodies.get(req) ?? Buffer.alloc(0) });
    if (!ok) return next(new ApiError(401, 'authentication_error', 'invalid_signature', 'The callback signature is missing or wrong'));
    next();
  };

  /**
   * Each endpoint serves one flow: a link's callback token is good on the link endpoint only, so a
   * token cannot be replayed through the other endpoint with a body of the other shape.
   */
  const callback = (idPrefix: string, schema: z.ZodType<{ status?: string | null }>, expected: string): RequestHandler => async (req, res) => {
    const id = String(req.params.id);
    if (!id.startsWith(idPrefix)) throw paymentNotFound(id);
    const parsed = schema.safeParse(req.body);
    if (!parsed.success) throw new ApiError(400, 'invalid_request_error', 'callback_invalid', `Expected ${expected}`);
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

  const guards = [requireToken, requireJsonBody, json, requireSignature];
  const LINKS = '/webhooks/ping/payment-links/:id';
  const PAYMENTS = '/webhooks/ping/payments/:id';
  router.post(LINKS, observe('link'), ...guards, callback(`${PAYMENT_ID_PREFIXES.link}-`, paymentLinkStatusCallbackSchema, '{payment_link_id, status, occured_at}'));
  router.post(PAYMENTS, observe('pis'), ...guards, callback(`${PAYMENT_ID_PREFIXES.pis}-`, paymentStatusCallbackSchema, 'a JSON object with the payment status'));
  router.all(LINKS, methodNotAllowed('POST'));
  router.all(PAYMENTS, methodNotAllowed('POST'));
  return router;
}
