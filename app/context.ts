import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { apiClient, type ApiClient } from './apiClient';
import { LANGUAGE_COOKIE, readCookies, SESSION_COOKIE } from './cookies';
import { AppError } from './errors';
import { MESSAGES, negotiateLocale, type Locale, type Messages } from './i18n';
import { sameToken, type Session, type SessionStore } from './sessions';

/** Mounted here by api/app.ts; links and redirects name it. */
export const APP_BASE = '/app';

/** What every handler of the app knows about the request: its language and its session, if any. */
export interface PageContext {
  locale: Locale;
  t: Messages;
  session?: Session;
  sessionId?: string;
}

export interface SignedIn extends PageContext {
  session: Session & { merchantKey: string; merchantId: string };
  sessionId: string;
}

/** Set by `loadSession` for every request past the assets (undefined only for a failure before it). */
export const pageContext = (res: Response): PageContext => res.locals.payeeApp as PageContext;

/** The session of the request's cookie (if it is live), and the language: the session's, the `app_lang` cookie's, or the browser's. */
export function loadSession(store: SessionStore): RequestHandler {
  return (req, res, next) => {
    const cookies = readCookies(req);
    const sessionId = cookies.get(SESSION_COOKIE);
    const session = store.get(sessionId);
    const locale = negotiateLocale(req, session?.locale ?? cookies.get(LANGUAGE_COOKIE));
    const context: PageContext = { locale, t: MESSAGES[locale], session, sessionId: session ? sessionId : undefined };
    res.locals.payeeApp = context;
    next();
  };
}

export function isSignedIn(context: PageContext): context is SignedIn {
  return Boolean(context.session?.merchantKey && context.session.merchantId && context.sessionId);
}

/** A page for signed-in sellers; anyone else is sent to the sign-in form. */
export const requireSignIn: RequestHandler = (_req, res, next) => {
  if (isSignedIn(pageContext(res))) return next();
  res.redirect(303, `${APP_BASE}/sign-in`);
};

export const signedIn = (res: Response): SignedIn => {
  const context = pageContext(res);
  if (!isSignedIn(context)) throw new Error('requireSignIn must run first');
  return context;
};

/**
 * Every POST of the app: the form's `_csrf` must be the token of the request's session (a signed-in
 * one, or the sign-in form's pre-session), compared in constant time. Otherwise a 403 page with code
 * `csrf_token_invalid`, and nothing is done. A cross-site form cannot know the token, and
 * `SameSite=Strict` keeps the cookie off cross-site requests besides.
 */
export function requireCsrf(req: Request, res: Response, next: NextFunction): void {
  const { session } = pageContext(res);
  const token = (req.body as Record<string, unknown> | undefined)?._csrf;
  if (!session || typeof token !== 'string' || !sameToken(token, session.csrf)) {
    next(new AppError(403, 'csrf', 'csrf_token_invalid'));
    return;
  }
  next();
}

/** The public API, with the signed-in session's key. */
export const apiOf = (req: Request, res: Response): ApiClient => apiClient(req, res, signedIn(res).session.merchantKey);

/** A form field as one string (a repeated or missing field counts as its first value, or empty). */
export function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first.trim() : '';
}

/** A repeated form field (the item rows) as a list of strings. */
export function fields(req: Request, name: string): string[] {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((v) => (typeof v === 'string' ? v : ''));
}
