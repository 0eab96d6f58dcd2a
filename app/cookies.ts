import type { Request, Response } from 'express';

/** The app's cookies live under /app only: the API's own paths never see them. */
export const COOKIE_PATH = '/app';
/**
 * Not `__Host-app_session`: that prefix demands `Secure` and `Path=/`, and this cookie must work on
 * plain http during development and stay confined to `/app`. `Secure` is added whenever the request
 * came over https (docs/payee-app.md).
 */
export const SESSION_COOKIE = 'app_session';
export const LANGUAGE_COOKIE = 'app_lang';

/** The request's cookies; a malformed pair is skipped, the first of two equal names wins. */
export function readCookies(req: Request): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (!name || cookies.has(name)) continue;
    try {
      cookies.set(name, decodeURIComponent(value));
    } catch {
      // Broken percent-encoding: not one of ours.
    }
  }
  return cookies;
}

export interface CookieOptions {
  /** Seconds; 0 deletes the cookie. Without it, a session cookie (gone when the browser closes). */
  maxAge?: number;
}

/**
 * Adds a Set-Cookie header: always HttpOnly, SameSite=Strict and Path=/app; Secure when the request
 * itself came over https (`req.secure`, which follows express's `trust proxy` setting).
 */
export function setCookie(req: Request, res: Response, name: string, value: string, options: CookieOptions = {}): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${COOKIE_PATH}`, 'HttpOnly', 'SameSite=Strict'];
  if (options.maxAge !== undefined) {
    parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAge))}`);
    if (options.maxAge <= 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  }
  if (req.secure) parts.push('Secure');
  res.append('Set-Cookie', parts.join('; '));
}

export function clearCookie(req: Request, res: Response, name: string): void {
  setCookie(req, res, name, '', { maxAge: 0 });
}
