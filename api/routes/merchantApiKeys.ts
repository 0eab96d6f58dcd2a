import { Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from '../../common/logger';
import { keyPrefix, type ApiKeyView } from '../../domain/merchant';
import { merchantKeysQuery } from '../../domain/merchantMessages';
import { ApiError, methodNotAllowed } from '../errors';
import { KEY_ID_PATTERN, newKeyId, newMerchantKey, sha256Hex } from '../merchantIds';
import type { MerchantKeys } from '../merchantKeys';
import { askMerchant, audit, confineMerchantId, merchantHandle, merchantNotFound, requirePlatformKey } from '../merchants';
import { actorOf } from '../principal';
import { noBodyParameters, requireJsonBody } from '../requestBody';

export interface MerchantApiKeyRoutesDeps {
  client: Client;
  logger: Logger;
  merchantKeys: MerchantKeys;
}

const keyNotFound = (id: string) => new ApiError(404, 'invalid_request_error', 'resource_missing', `No such API key: ${id}`, 'key_id');

/** Exactly the fields of a key's view, whatever else a later workflow version puts next to them. */
const viewOf = ({ id, prefix, created_at, last_used_at, revoked_at }: ApiKeyView): ApiKeyView => ({ id, object: 'api_key', prefix, created_at, last_used_at, revoked_at });

/**
 * `/v1/merchants/:id/api-keys`: a merchant's secret keys, managed by the platform only. A new key is
 * shown once; only its SHA-256 reaches the merchant's workflow (and so Temporal's history). A key
 * made on one API process works on every other at once (api/merchantKeys.ts looks again for a key it
 * does not know); a revoked one stops working everywhere within seconds.
 */
export function merchantApiKeyRoutes({ client, logger, merchantKeys }: MerchantApiKeyRoutesDeps): Router {
  const router = Router();
  router.param('id', confineMerchantId);
  router.param('key_id', (_req, _res, next, keyId: string) => next(KEY_ID_PATTERN.test(keyId) ? undefined : keyNotFound(keyId)));

  const keysOf = async (merchantId: string): Promise<ApiKeyView[]> => {
    try {
      return await merchantHandle(client, merchantId).query(merchantKeysQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw merchantNotFound(merchantId);
      throw err;
    }
  };

  /** Takes no parameters (no body, or `{}`): each call is a new key, so a lost answer leaves an unused key to revoke. */
  router.post('/merchants/:id/api-keys', requirePlatformKey, requireJsonBody, noBodyParameters, async (req, res) => {
    const id = String(req.params.id);
    const secret = newMerchantKey(id);
    const keyId = newKeyId();
    const prefix = keyPrefix(secret);
    await askMerchant(client, id, { kind: 'add_key', actor: actorOf(res), keyId, sha256: sha256Hex(secret), prefix });
    merchantKeys.forget(id);
    audit(req, res, logger, 'api_key.created', id, { key_id: keyId });
    const stored = (await keysOf(id)).find((key) => key.id === keyId);
    const view = stored ? viewOf(stored) : { id: keyId, object: 'api_key' as const, prefix, created_at: new Date().toISOString(), last_used_at: null, revoked_at: null };
    res.status(201).json({ ...view, secret });
  });

  router.get('/merchants/:id/api-keys', requirePlatformKey, async (req, res) => {
    res.json({ object: 'list', data: (await keysOf(String(req.params.id))).map(viewOf) });
  });

  /** Revoking a revoked key answers it again, unchanged. */
  router.delete('/merchants/:id/api-keys/:key_id', requirePlatformKey, async (req, res) => {
    const id = String(req.params.id);
    const keyId = String(req.params.key_id);
    const known = (await keysOf(id)).find((key) => key.id === keyId);
    if (!known) throw keyNotFound(keyId);
    if (known.revoked_at === null) {
      await askMerchant(client, id, { kind: 'revoke_key', actor: actorOf(res), keyId });
      merchantKeys.forget(id);
      audit(req, res, logger, 'api_key.revoked', id, { key_id: keyId });
    }
    const revoked = (await keysOf(id)).find((key) => key.id === keyId) ?? known;
    res.json(viewOf(revoked));
  });

  router.all('/merchants/:id/api-keys', methodNotAllowed('GET', 'POST'));
  router.all('/merchants/:id/api-keys/:key_id', methodNotAllowed('DELETE'));
  return router;
}
