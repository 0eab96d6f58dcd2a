import type { RequestHandler } from 'express';

/** Sent on every response: the API serves JSON (and redirects), never a page to render or frame. */
const ALWAYS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  // Nothing in a response may load or run anything, and no page may frame it.
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cross-Origin-Resource-Policy': 'same-origin',
  // Payments, payer data (also decoded payloads at /codec) and tokens must not sit in a browser's or a
  // proxy's cache. Required on /v1 and /webhooks; nothing else here gains from caching either.
  'Cache-Control': 'no-store',
};

/** Two years, the HSTS preload list's minimum. */
const HSTS = 'max-age=63072000; includeSubDomains';

/**
 * Security headers on every response. `Strict-Transport-Security` only when the request itself came
 * over https (`req.secure`: TLS on this server, or `X-Forwarded-Proto` from a proxy the app trusts
 * through express's `trust proxy` setting); on plain http it would be ignored by browsers anyway and
 * would wrongly pin a local dev host.
 */
export function securityHeaders(): RequestHandler {
  return (req, res, next) => {
    res.set(ALWAYS);
    if (req.secure) res.set('Strict-Transport-Security', HSTS);
    next();
  };
}
