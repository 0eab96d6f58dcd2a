import { Router, type Request, type Response } from 'express';
import type { MerchantResource } from '../../domain/merchant';
import { merchantOfKey } from '../../domain/merchant';
import { apiClient } from '../apiClient';
import type { Assets } from '../assets';
import { clearCookie, LANGUAGE_COOKIE, SESSION_COOKIE, setCookie } from '../cookies';
import { APP_BASE, field, isSignedIn, pageContext, requireCsrf, type PageContext } from '../context';
import { AppError } from '../errors';
import { isLocale, MESSAGES } from '../i18n';
import type { Session, SessionStore } from '../sessions';
import { signInPage } from '../views/signIn';

const YEAR_SECONDS = 365 * 86_400;

/** Sets the session cookie: a browser-session cookie (no Max-Age); the server forgets an idle session on its own. */
const setSessionCookie = (req: Request, res: Response, id: string) => setCookie(req, res, SESSION_COOKIE, id);

/** The pre-session of the sign-in form: the request's own if it has one (signed in or not), else a new one. */
function preSession(req: Request, res: Response, sessions: SessionStore): PageContext {
  const context = pageContext(res);
  if (context.session) return context;
  const { id, session } = sessions.createAnonymous();
  setSessionCookie(req, res, id);
  const fresh = { ...context, session, sessionId: id };
  res.locals.payeeApp = fresh;
  return fresh;
}

/** Paths the language switch may return to: this app's own, nothing that could leave the origin or climb out of /app. */
export function safeReturn(value: string): string {
  const local = /^\/app(?:[/?][^\\\s]*)?$/.test(value) && !value.startsWith('/app//');
  const climbs = /(^|\/)(\.|%2e){1,2}(\/|\?|$)/i.test(value.split('?')[0]!);
  return local && !climbs ? value : APP_BASE;
}

export function signInRoutes({ sessions, assets }: { sessions: SessionStore; assets: Assets }): Router {
  const router = Router();

  router.get('/sign-in', (req, res) => {
    if (isSignedIn(pageContext(res))) return res.redirect(303, APP_BASE);
    const context = preSession(req, res, sessions);
    const signedOut = req.query.signed_out === '1' ? { kind: 'ok' as const, text: context.t.signIn.signedOut } : undefined;
    const revoked = req.query.revoked === '1' ? { kind: 'error' as const, text: context.t.signIn.keyRevoked } : undefined;
    res.type('html').send(signInPage(context, assets, revoked ?? signedOut));
  });

  /**
   * The key is checked by asking the API for the merchant it names, with that key: 200 signs in (under
   * a new session id and CSRF token), anything else shows the form again with one sentence. A string
   * that is not a merchant key's shape is refused without asking.
   */
  router.post('/sign-in', requireCsrf, async (req, res) => {
    const context = pageContext(res);
    const key = field(req, 'key');
    const merchantId = merchantOfKey(key);
    const again = (status: number, text: string) => res.status(status).type('html').send(signInPage(context, assets, { kind: 'error', text }));
    if (!merchantId) return again(401, context.t.signIn.failed);
    const answer = await apiClient(req, res, key).get<MerchantResource>(`/v1/merchants/${merchantId}`);
    if (!answer.ok) {
      if (answer.status === 429) return again(429, context.t.signIn.tooMany);
      if (answer.status >= 500) throw new AppError(503, 'unavailable', answer.error.code);
      return again(401, context.t.signIn.failed);
    }
    sessions.delete(context.sessionId);
    const { id } = sessions.createSignedIn(key, merchantId, context.session?.locale);
    setSessionCookie(req, res, id);
    res.redirect(303, APP_BASE);
  });

  /** Ends the session here (the old cookie opens nothing any more) and in the browser. */
  router.post('/sign-out', requireCsrf, (req, res) => {
    sessions.delete(pageContext(res).sessionId);
    clearCookie(req, res, SESSION_COOKIE);
    res.redirect(303, `${APP_BASE}/sign-in?signed_out=1`);
  });

  /** The language switch: a cookie for a year, and the session's language, then back to the page. */
  router.post('/language', requireCsrf, (req, res) => {
    const lang = field(req, 'lang');
    if (!isLocale(lang)) throw new AppError(400, 'failed', 'language_invalid');
    setCookie(req, res, LANGUAGE_COOKIE, lang, { maxAge: YEAR_SECONDS });
    const session = pageContext(res).session as Session;
    session.locale = lang;
    res.locals.payeeApp = { ...pageContext(res), locale: lang, t: MESSAGES[lang] };
    res.redirect(303, safeReturn(field(req, 'return_to')));
  });

  return router;
}
