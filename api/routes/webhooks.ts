import express, { Router, type Request, type RequestHandler } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { z } from 'zod';
import type { Logger } from '../../common/logger';
import { isValidTenantWebhookToken, isValidWebhookToken, type TenantWebhookPurpose } from '../../common/webhookToken';
import { merchantStatusCallbackSchema, paymentLinkStatusCallbackSchema, paymentStatusCallbackSchema } from '../../ping';
import { PAYMENT_ID_PREFIXES } from '../../domain/ids';
import { MERCHANT_WORKFLOW_PREFIX } from '../../domain/merchant';
import { merchantStatusSignal } from '../../domain/merchantMessages';
import { pingCallbackSignal } from '../../domain/messages';
import type { PaymentFlow } from '../../domain/payment';
import { ApiError, methodNotAllowed } from '../errors';
import { quoted } from '../listCursors';
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
  /** For the tenant callbacks' lines when a request has no logger of its own. */
  logger?: Logger;
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
export function webhookRoutes({ client, webhookSecret, verifySignature = acceptUnsignedCallbacks, onCallback, logger }: WebhookDeps): Router {
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

  /** The tenant's callbacks carry one token per purpose in the path (common/webhookToken.ts), instead of a payment's. */
  const requireTenantToken = (purpose: TenantWebhookPurpose): RequestHandler => (req, _res, next) => {
    if (!isValidTenantWebhookToken(webhookSecret, purpose, req.params.token)) {
      return next(new ApiError(401, 'authentication_error', 'invalid_webhook_token', 'The callback URL token is missing or wrong'));
    }
    next();
  };

  /**
   * A merchant's status changed at Ping: the merchant whose workflow holds that Ping id (visibility,
   * `PingMerchantId`) is told, and reads its status from Ping itself. Every callback that passed the
   * checks is acknowledged with 204, also when no merchant of ours has that id (or the body names
   * none): Ping would otherwise retry a callback we can never use, and each merchant workflow polls
   * Ping while it is undecided, so nothing depends on a callback arriving.
   */
  const merchantCallback: RequestHandler = async (req, res) => {
    const parsed = merchantStatusCallbackSchema.safeParse(req.body);
    if (!parsed.success) throw new ApiError(400, 'invalid_request_error', 'callback_invalid', 'Expected a JSON object such as {merchant_id, status, occurred_at}');
    const log = req.log ?? logger;
    const { merchantId: pingMerchantId, status } = parsed.data;
    if (!pingMerchantId) {
      log?.warn({ callback: 'merchant_status' }, 'merchant status callback without a merchant id; ignored (the merchants poll Ping)');
      res.status(204).end();
      return;
    }
    const page = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      query: `WorkflowType = 'merchant' AND PingMerchantId = ${quoted(pingMerchantId)}`,
      pageSize: 10,
    });
    const workflowIds = (page.executions ?? []).map((e) => e.execution?.workflowId ?? '').filter((id) => id.startsWith(MERCHANT_WORKFLOW_PREFIX));
    const receivedAt = new Date().toISOString();
    for (const workflowId of workflowIds) {
      try {
        await client.workflow.getHandle(workflowId).signal(merchantStatusSignal, { ...(status ? { status } : {}), receivedAt });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
    if (workflowIds.length === 0) log?.warn({ callback: 'merchant_status', ping_merchant_id: pingMerchantId, status }, 'merchant status callback for no merchant of ours; acknowledged');
    else log?.info({ callback: 'merchant_status', ping_merchant_id: pingMerchantId, status, merchants: workflowIds.map((id) => id.slice(MERCHANT_WORKFLOW_PREFIX.length)) }, 'merchant status callback');
    res.status(204).end();
  };

  /** Nothing acts on the tenant's credit account yet: a top-up is logged (its top-level fields) and acknowledged. */
  const creditTopUpCallback: RequestHandler = (req, res) => {
    const body: unknown = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'invalid_request_error', 'callback_invalid', 'Expected a JSON object');
    const fields = Object.fromEntries(
      Object.entries(body)
        .filter(([, value]) => value === null || ['string', 'number', 'boolean'].includes(typeof value))
        .slice(0, 20),
    );
    (req.log ?? logger)?.info({ callback: 'credit_top_up', fields }, 'credit account top-up callback');
    res.status(204).end();
  };

  const guards = [requireToken, requireJsonBody, json, requireSignature];
  const LINKS = '/webhooks/ping/payment-links/:id';
  const PAYMENTS = '/webhooks/ping/payments/:id';
  router.post(LINKS, observe('link'), ...guards, callback(`${PAYMENT_ID_PREFIXES.link}-`, paymentLinkStatusCallbackSchema, '{payment_link_id, status, occured_at}'));
  router.post(PAYMENTS, observe('pis'), ...guards, callback(`${PAYMENT_ID_PREFIXES.pis}-`, paymentStatusCallbackSchema, 'a JSON object with the payment status'));
  router.all(LINKS, methodNotAllowed('POST'));
  router.all(PAYMENTS, methodNotAllowed('POST'));
  const MERCHANTS = '/webhooks/ping/merchants/:token';
  const TOP_UPS = '/webhooks/ping/credit-top-ups/:token';
  router.post(MERCHANTS, requireTenantToken('merchant-status'), requireJsonBody, json, requireSignature, merchantCallback);
  router.post(TOP_UPS, requireTenantToken('credit-top-up'), requireJsonBody, json, requireSignature, creditTopUpCallback);
  router.all(MERCHANTS, methodNotAllowed('POST'));
  router.all(TOP_UPS, methodNotAllowed('POST'));
  return router;
}
