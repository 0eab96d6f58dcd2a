import type { RequestHandler } from 'express';

/**
 * The app's Content-Security-Policy: scripts, styles and connections (the sale screen's
 * EventSource) from this origin only, images from here or `data:`, forms post only here, no page may
 * frame it, and no `<base>` may redirect its relative URLs. No inline script or style is allowed:
 * the pages carry none (the QR code's SVG uses presentation attributes, which `style-src` does not
 * govern).
 */
export const APP_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The API's headers (api/securityHeaders.ts, which also adds HSTS over https) set again, so the app
 * has them wherever it is mounted, with the app's own CSP in place of the API's `default-src 'none'`
 * (which would block the app's stylesheet and script). Pages hold a seller's sales: never cached
 * (`no-store`); the assets then set their own Cache-Control.
 */
export function appSecurityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.set({
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': APP_CSP,
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    });
    next();
  };
}
