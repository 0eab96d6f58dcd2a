import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ApiError } from './errors';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
const REALM = 'ping-orchestrator';

/**
 * Bearer API keys. Both sides are hashed to a fixed length first, so the comparison takes the same
 * time whatever the key's length or how much of it matches.
 */
export function requireApiKey(keys: readonly string[]): RequestHandler {
  const digests = keys.map(digest);
  return (req, res, next) => {
    const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(req.get('authorization') ?? '');
    if (!match) {
      // RFC 6750 §3: no error attribute when the request carried no bearer credentials at all.
      res.set('WWW-Authenticate', `Bearer realm="${REALM}"`);
      return next(new ApiError(401, 'authentication_error', 'missing_api_key', 'Send your API key as "Authorization: Bearer <key>"'));
    }
    const presented = digest(match[1]!);
    // Check every key, not just until the first match, so timing says nothing about which key matched.
    let ok = false;
    for (const d of digests) ok = timingSafeEqual(d, presented) || ok;
    if (!ok) {
      res.set('WWW-Authenticate', `Bearer realm="${REALM}", error="invalid_token"`);
      return next(new ApiError(401, 'authentication_error', 'invalid_api_key', 'The API key is not valid'));
    }
    next();
  };
}
