import { Router } from 'express';
import { methodNotAllowed } from '../errors';
import { DOCS_CSP, DOCS_HTML, docsAssets } from './docsPage';
import { openApiDocument } from './document';
import { DOCS_ASSETS_PATH, DOCS_PATH, OPENAPI_JSON_PATH } from './urls';

/** `GET /openapi.json`, `GET /docs` and the page's assets under `/docs/assets/`; no API key needed. */
export function openApiRoutes(): Router {
  const router = Router();

  router.get(OPENAPI_JSON_PATH, (_req, res) => {
    res.json(openApiDocument());
  });
  router.all(OPENAPI_JSON_PATH, methodNotAllowed('GET'));

  router.get(DOCS_PATH, (_req, res) => {
    res.set('Content-Security-Policy', DOCS_CSP).type('html').send(DOCS_HTML);
  });
  router.all(DOCS_PATH, methodNotAllowed('GET'));

  router.use(DOCS_ASSETS_PATH, docsAssets());
  return router;
}
