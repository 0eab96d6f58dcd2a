import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { Logger } from '../common/logger';
import { ApiUnavailable } from './apiClient';
import { loadAssets, type Assets } from './assets';
import { clearCookie, SESSION_COOKIE } from './cookies';
import { APP_BASE, loadSession, pageContext } from './context';
import { AppError, SessionEnded } from './errors';
import { MESSAGES, negotiateLocale } from './i18n';
import { newSaleRoutes } from './routes/newSale';
import { saleRoutes } from './routes/sale';
import { saleEventRoutes, type SaleEventsOptions } from './routes/saleEvents';
import { salesRoutes } from './routes/sales';
import { signInRoutes } from './routes/signIn';
import { appSecurityHeaders } from './securityHeaders';
import { SessionStore, type SessionOptions } from './sessions';
import { errorPage } from './views/errorPage';

export interface PayeeAppDeps {
  logger: Logger;
  sessions?: SessionOptions;
  events?: SaleEventsOptions;
}

/** The app's own 404: an HTML page, not the API's JSON. */
const notFoundPage = (assets: Assets): RequestHandler => (_req, res) => {
  res.status(404).type('html').send(errorPage(pageContext(res), assets, 'not_found', 'page_not_found'));
};

/** Every failure as a page: the API's refusal in words, 503 when it cannot be reached, never a stack. */
function errorPages(assets: Assets, sessions: SessionStore, logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      logger.error({ err }, 'payee app: failed after the answer began');
      res.end();
      return;
    }
    const context = pageContext(res) ?? { locale: negotiateLocale(req, undefined), t: MESSAGES[negotiateLocale(req, undefined)] };
    if (err instanceof SessionEnded) {
      sessions.delete(context.sessionId);
      clearCookie(req, res, SESSION_COOKIE);
      res.redirect(303, `${APP_BASE}/sign-in?revoked=1`);
      return;
    }
    let failure: AppError;
    if (err instanceof AppError) failure = err;
    else if (err instanceof ApiUnavailable) {
      logger.warn({ reason: err.message }, 'payee app: the API could not be reached');
      failure = new AppError(503, 'unavailable', 'api_unavailable');
    } else if (err && typeof err === 'object' && typeof (err as { type?: unknown }).type === 'string' && Number((err as { status?: unknown }).status) < 500) {
      // body-parser's refusals (too large, not decodable): the request's fault.
      failure = new AppError(Number((err as { status: number }).status), 'failed', 'request_invalid');
    } else {
      logger.error({ err }, 'payee app: unexpected failure');
      failure = new AppError(500, 'failed', 'internal_error');
    }
    res.status(failure.status).type('html').send(errorPage(context, assets, failure.kind, failure.code));
  };
}

/**
 * The payee's app (docs/payee-app.md): server-rendered pages for a seller's phone, mounted at `/app`
 * by api/app.ts. An express application of its own, so it has its own error pages, body parser and
 * CSP, and is no part of the API's contract (its routes are not in the OpenAPI document). It holds
 * no payment logic: every page calls the public API (`/v1`) with the session's merchant key, over
 * HTTP on this process's own socket, as any backend would.
 */
export function createPayeeApp(deps: PayeeAppDeps): Express {
  const app = express();
  // A mounted app has its own settings: these would otherwise be express's defaults again.
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(appSecurityHeaders());
  let assets: Assets;
  try {
    assets = loadAssets();
  } catch (err) {
    // A build without app/public (docs/payee-app.md, "Deployment"): the API runs on, the app says why it cannot.
    deps.logger.error({ err }, 'payee app: its assets are missing, so /app answers 503');
    app.use((_req, res) => {
      res.status(503).type('text/plain').send('The payee app is not installed in this build: its assets (app/public) are missing.\n');
    });
    return app;
  }
  const sessions = new SessionStore(deps.sessions);

  app.use('/assets', assets.handler);
  app.use(loadSession(sessions));
  // Forms only; a body of any other type is no form, so its CSRF token is missing and it is refused.
  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 1000 }));
  app.use(signInRoutes({ sessions, assets }));
  app.use(newSaleRoutes({ assets }));
  app.use(saleEventRoutes({ sessions, logger: deps.logger, ...deps.events }));
  app.use(salesRoutes({ assets }));
  app.use(saleRoutes({ assets }));
  app.use(notFoundPage(assets));
  app.use(errorPages(assets, sessions, deps.logger));
  return app;
}
