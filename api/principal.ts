import type { Response } from 'express';
import type { MerchantAuth } from '../domain/merchant';

/**
 * Who a request acts as, set by the key check (api/auth.ts) on `res.locals.principal`:
 * - a platform key (API_KEYS) acts for the whole platform, or for one merchant when it sends
 *   `On-Behalf-Of: <merchant id>`;
 * - a merchant's own key (`sk_…`) acts for that merchant only.
 * `keyId` is stable and not secret (rate limits and audit events name it).
 */
export type Principal = { kind: 'platform'; keyId: string; merchant?: MerchantAuth } | { kind: 'merchant'; keyId: string; merchant: MerchantAuth };

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error('No principal: the route is not behind the key check');
  return principal;
}

/** The merchant a request is confined to, if any: every payment it reaches must be that merchant's. */
export function actingMerchant(res: Response): MerchantAuth | undefined {
  return principalOf(res).merchant;
}

/** `platform:<key id>` or `merchant:<key id>`, for audit events. */
export function actorOf(res: Response): string {
  const { kind, keyId } = principalOf(res);
  return `${kind}:${keyId}`;
}
