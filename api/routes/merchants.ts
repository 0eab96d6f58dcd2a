import { Router } from 'express';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Logger } from '../../common/logger';
import type { OutboundUrlPolicy } from '../../common/outboundUrl';
import { MERCHANT_WORKFLOW_PREFIX, merchantWorkflowId } from '../../domain/merchant';
import { merchantFingerprintQuery, type MerchantInput } from '../../domain/merchantMessages';
import { MerchantId } from '../../domain/searchAttributes';
import { ApiError, methodNotAllowed } from '../errors';
import { fingerprintOf } from '../../common/fingerprint';
import { idempotencyKeyOf } from '../idempotency';
import { listCursors, listedIds, listPage, quoted } from '../listCursors';
import { mapAtMost } from '../mapAtMost';
import { merchantIdFor } from '../merchantIds';
import type { MerchantKeys } from '../merchantKeys';
import {
  askMerchant,
  audit,
  confineMerchantId,
  merchantHandle,
  merchantRefusedError,
  patiently,
  readMerchant,
  readMerchantUntil,
  requirePlatformItself,
  requirePlatformKey,
  signingSecretOf,
  signingUnavailable,
} from '../merchants';
import { assertRequestUrlsAllowed } from '../outboundUrls';
import { actorOf } from '../principal';
import { noBodyParameters, requireJsonBody } from '../requestBody';
import { parseBody } from '../schemas/common';
import { merchantCreateRequestSchema, merchantListQuerySchema, merchantUpdateRequestSchema, type MerchantCreateRequest } from '../schemas/merchant';

/** How long a create waits for Ping to have the merchant (Ping's answer usually takes well under a second). */
const CREATE_WAIT_MS = 30_000;
/** Merchants of a list page read at once: each is a query to its workflow. */
const LIST_READS_AT_ONCE = 8;
/** Until config names it: ask Ping after 1 s, doubling up to every 10 minutes, while the merchant is undecided. */
export const DEFAULT_MERCHANT_STATUS_POLL = { initialMs: 1000, maxMs: 600_000 };

export interface MerchantRoutesDeps {
  client: Client;
  taskQueue: string;
  logger: Logger;
  merchantKeys: MerchantKeys;
  /** NOTIFICATION_SIGNING_SECRET, from which each merchant's signing secret is derived (common/merchantSigning.ts). */
  notificationSigningSecret?: string;
  statusPoll?: MerchantInput['statusPoll'];
  /** Key material for list cursors' MAC (api/listCursors.ts). */
  cursorSecret?: string;
  outboundUrls: OutboundUrlPolicy;
}

const idempotencyMismatch = () =>
  new ApiError(409, 'idempotency_error', 'idempotency_key_reused', 'This Idempotency-Key was already used with a different request body; use a new key for a new merchant');

function inputOf(request: MerchantCreateRequest, merchantId: string, fingerprint: string, actor: string, statusPoll: MerchantInput['statusPoll']): MerchantInput {
  const { name, email, phone_number, organization, person } = request;
  return {
    merchantId,
    profile: { name, ...(email ? { email } : {}), ...(phone_number ? { phone_number } : {}), ...(organization ? { organization } : {}), ...(person ? { person } : {}) },
    settings: {
      display_name: request.display_name ?? null,
      notify_url: request.notify_url ?? null,
      payment_methods: request.payment_methods ?? null,
      locale: request.locale ?? null,
      supplier: request.supplier ?? null,
    },
    fingerprint,
    actor,
    statusPoll,
  };
}


/**
 * `/v1/merchants` and `/v1/merchants/:id` (docs/merchants.md). Each merchant is one `merchant`
 * workflow (domain/merchantMessages.ts) whose id is derived from the create's Idempotency-Key.
 */
export function merchantRoutes(deps: MerchantRoutesDeps): Router {
  const { client, taskQueue, logger, merchantKeys, notificationSigningSecret, outboundUrls } = deps;
  const statusPoll = deps.statusPoll ?? DEFAULT_MERCHANT_STATUS_POLL;
  const cursors = listCursors(deps.cursorSecret);
  const router = Router();
  router.param('id', confineMerchantId);

  /**
   * Starts the merchant's workflow and answers once Ping has the merchant, with its signing secret:
   * the only answer that shows it (a rotation makes a new one). A retry under the same key and body
   * answers 200 with the merchant alone; another body is a 409.
   */
  router.post('/merchants', requirePlatformItself, requireJsonBody, async (req, res) => {
    if (notificationSigningSecret === undefined) throw signingUnavailable();
    const request = parseBody(merchantCreateRequestSchema, req.body);
    await assertRequestUrlsAllowed(request, outboundUrls);
    const merchantId = merchantIdFor(idempotencyKeyOf(req));
    const fingerprint = fingerprintOf(request);
    let first = true;
    try {
      await client.workflow.start('merchant', {
        workflowId: merchantWorkflowId(merchantId),
        taskQueue,
        args: [inputOf(request, merchantId, fingerprint, actorOf(res), statusPoll)],
        // A retry finds the merchant under its key, running or not, and joins it by queries.
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [{ key: MerchantId, value: merchantId }],
        staticSummary: `Merchant · ${request.name}`,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      first = false;
      const handle = merchantHandle(client, merchantId);
      if ((await patiently(() => handle.query(merchantFingerprintQuery), CREATE_WAIT_MS)) !== fingerprint) throw idempotencyMismatch();
    }
    // A lookup of this id a moment ago (On-Behalf-Of) must not keep saying there is no such merchant.
    merchantKeys.forget(merchantId);
    if (first) audit(req, res, logger, 'merchant.created', merchantId);
    const merchant = await readMerchantUntil(client, merchantId, (m) => m.status !== 'creating', CREATE_WAIT_MS);
    const refused = merchantRefusedError(merchant);
    if (refused) throw refused;
    if (!first) {
      res.status(200).json(merchant);
      return;
    }
    res.status(201).json({ ...merchant, signing_secret: signingSecretOf(notificationSigningSecret, merchantId, merchant.signing_secret_version) });
  });

  /**
   * Newest first, from Temporal visibility; each row is the merchant as its workflow has it (a query
   * each, so pages are small by default). Only the merchants of this deployment's task queue: the
   * ones its workers run.
   */
  router.get('/merchants', requirePlatformItself, async (req, res) => {
    const q = parseBody(merchantListQuerySchema, { ...req.query });
    const query = `WorkflowType = 'merchant' AND TaskQueue = ${quoted(taskQueue)}`;
    res.json(await listPage(client, cursors, query, q, (executions) => mapAtMost(listedIds(executions, MERCHANT_WORKFLOW_PREFIX), LIST_READS_AT_ONCE, (id) => readMerchant(client, id))));
  });

  router.get('/merchants/:id', async (req, res) => {
    res.json(await readMerchant(client, String(req.params.id)));
  });

  /**
   * Our own fields only: what the merchant's payments get when they name none. The merchant's own key
   * may change them too (they are its defaults, and its notify_url is its backend), as a Stripe
   * account edits its own settings; its profile at Ping is not changed here at all.
   */
  router.patch('/merchants/:id', requireJsonBody, async (req, res) => {
    const id = String(req.params.id);
    const settings = parseBody(merchantUpdateRequestSchema, req.body);
    await assertRequestUrlsAllowed(settings, outboundUrls);
    if (Object.keys(settings).length > 0) {
      await askMerchant(client, id, { kind: 'update_settings', actor: actorOf(res), settings });
      merchantKeys.forget(id);
      audit(req, res, logger, 'merchant.updated', id, { fields: Object.keys(settings) });
    }
    res.json(await readMerchant(client, id));
  });

  /** A new signing secret, shown once; the merchant's events are signed with it from now on. */
  router.post('/merchants/:id/signing-secret', requirePlatformKey, requireJsonBody, noBodyParameters, async (req, res) => {
    if (notificationSigningSecret === undefined) throw signingUnavailable();
    const id = String(req.params.id);
    await askMerchant(client, id, { kind: 'rotate_signing_secret', actor: actorOf(res) });
    const { signing_secret_version: version } = await readMerchant(client, id);
    audit(req, res, logger, 'signing_secret.rotated', id, { version });
    res.json({ object: 'signing_secret', merchant_id: id, version, secret: signingSecretOf(notificationSigningSecret, id, version) });
  });

  router.all('/merchants', methodNotAllowed('GET', 'POST'));
  router.all('/merchants/:id', methodNotAllowed('GET', 'PATCH'));
  router.all('/merchants/:id/signing-secret', methodNotAllowed('POST'));
  return router;
}
