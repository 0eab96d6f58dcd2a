import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { MERCHANT_ID_PATTERN, MERCHANT_KEY_PATTERN } from '../domain/merchant';
import { ApiError } from './errors';
import type { MerchantKeys } from './merchantKeys';
import type { Principal } from './principal';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
const REALM = 'ping-orchestrator';
export const ON_BEHALF_OF = 'On-Behalf-Of';

/** A platform key's id: stable across restarts and processes, and no help in guessing the key. */
export const platformKeyId = (key: string): string => `pk_${digest(key).toString('hex').slice(0, 12)}`;

const invalidKey = (res: Response) => {
  res.set('WWW-Authenticate', `Bearer realm="${REALM}", error="invalid_token"`);
  return new ApiError(401, 'authentication_error', 'invalid_api_key', 'The API key is not valid');
};

/**
 * Bearer API keys, setting `res.locals.principal` (api/principal.ts):
 * - a platform key (API_KEYS): both sides are hashed to a fixed length first, so the comparison
 *   takes the same time whatever the key's length or how much of it matches;
 * - with `merchants`, also a merchant's own key (`sk_…`), checked against the hashes its merchant
 *   workflow holds (api/merchantKeys.ts), and the `On-Behalf-Of` header (docs/http-api.md).
 * Without `merchants` (the codec and metrics endpoints) only platform keys pass and On-Behalf-Of is
 * not looked at: a merchant's key never decrypts payloads or reads metrics.
 */
export function requireApiKey(keys: readonly string[], merchants?: MerchantKeys): RequestHandler {
  const platform = keys.map((key) => ({ digest: digest(key), keyId: platformKeyId(key) }));
  return (req, res, next) => {
    const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(req.get('authorization') ?? '');
    if (!match) {
      // RFC 6750 §3: no error attribute when the request carried no bearer credentials at all.
      res.set('WWW-Authenticate', `Bearer realm="${REALM}"`);
      return next(new ApiError(401, 'authentication_error', 'missing_api_key', 'Send your API key as "Authorization: Bearer <key>"'));
    }
    const presented = digest(match[1]!);
    // Check every key, not just until the first match, so timing says nothing about which key matched.
    let keyId: string | undefined;
    for (const key of platform) if (timingSafeEqual(key.digest, presented)) keyId = key.keyId;
    if (keyId !== undefined) {
      if (!merchants || req.get(ON_BEHALF_OF) === undefined) return authenticated(res, next, { kind: 'platform', keyId });
      onBehalfOf(req, merchants).then((merchant) => authenticated(res, next, { kind: 'platform', keyId, ...(merchant ? { merchant } : {}) }), unavailable(req, next));
      return;
    }
    if (!merchants || !MERCHANT_KEY_PATTERN.test(match[1]!)) return next(invalidKey(res));
    merchants.verify(match[1]!).then((found) => {
      if (!found) return next(invalidKey(res));
      const named = req.get(ON_BEHALF_OF);
      // Asked before anything is looked up, so a merchant's key cannot learn which other merchants exist.
      if (named !== undefined && named !== found.merchant.merchantId) {
        return next(new ApiError(403, 'invalid_request_error', 'on_behalf_of_not_allowed', `A merchant's key acts for its own merchant only; send no ${ON_BEHALF_OF}, or its own id`, ON_BEHALF_OF));
      }
      authenticated(res, next, { kind: 'merchant', keyId: found.keyId, merchant: found.merchant });
    }, unavailable(req, next));
  };
}

/** Temporal did not answer for the merchant: a 503 to retry, not a 401 (the key may be fine) and not a bare 500. */
const unavailable = (req: Request, next: (err?: unknown) => void) => (err: unknown) => {
  if (err instanceof ApiError) return next(err);
  req.log?.error({ err }, 'the key check could not read the merchant');
  next(new ApiError(503, 'api_error', 'key_check_unavailable', 'The API key could not be checked just now; retry in a moment'));
};

function authenticated(res: Response, next: (err?: unknown) => void, principal: Principal): void {
  res.locals.principal = principal;
  next();
}

/** The merchant a platform key acts for, if it names one; an unknown one is a 404 naming the header. */
async function onBehalfOf(req: Request, merchants: MerchantKeys) {
  const named = req.get(ON_BEHALF_OF);
  if (named === undefined) return undefined;
  if (!MERCHANT_ID_PATTERN.test(named)) {
    throw new ApiError(400, 'invalid_request_error', 'parameter_invalid', `Invalid ${ON_BEHALF_OF}: must be a merchant id (mer_ and 20 characters a-z, 2-7)`, ON_BEHALF_OF);
  }
  const merchant = await merchants.merchant(named);
  if (!merchant) throw new ApiError(404, 'invalid_request_error', 'resource_missing', `No such merchant: ${named}`, ON_BEHALF_OF);
  return merchant;
}
