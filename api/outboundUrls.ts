import { resolvedOutboundUrlRefusal, type OutboundUrlPolicy } from '../common/outboundUrl';
import { ApiError } from './errors';

/**
 * The fields of a create request holding a URL that the service itself will call later. The other
 * URLs (`success_url`, `cancel_url`, `error_url`, `supplier.website`) are only ever opened by the
 * payer's browser or shown, so they stay with the schema's checks.
 */
const CALLED_URL_FIELDS = ['notify_url'] as const;

/**
 * Refuses a parsed create request whose called-back URLs break the outbound URL policy
 * (common/outboundUrl.ts) with a 400 `url_not_allowed` naming the field and why. Async because a
 * DNS name is resolved, which a zod schema cannot wait for.
 */
export async function assertRequestUrlsAllowed(request: unknown, policy: OutboundUrlPolicy): Promise<void> {
  if (!request || typeof request !== 'object') return;
  for (const field of CALLED_URL_FIELDS) {
    const url = (request as Record<string, unknown>)[field];
    if (typeof url !== 'string') continue;
    const refusal = await resolvedOutboundUrlRefusal(url, policy);
    if (refusal !== undefined) {
      throw new ApiError(400, 'invalid_request_error', 'url_not_allowed', `${field} is not allowed: ${refusal}`, field);
    }
  }
}
