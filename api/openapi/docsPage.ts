import path from 'node:path';
import type { RequestHandler } from 'express';
import { DOCS_ASSETS_PATH, OPENAPI_JSON_PATH } from './urls';

/**
 * The document for people at `GET /docs`: Swagger UI from the `swagger-ui-dist` package, served from
 * node_modules, so the page loads nothing from anywhere else.
 */

/** Swagger UI's files, the only ones served from its package. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'swagger-ui.css',
  'swagger-ui-bundle.js': 'swagger-ui-bundle.js',
  'favicon-32x32.png': 'favicon-32x32.png',
};

export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Ping orchestrator API</title>
  <link rel="stylesheet" href="${DOCS_ASSETS_PATH}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${DOCS_ASSETS_PATH}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${DOCS_ASSETS_PATH}/swagger-ui-bundle.js"></script>
  <script src="${DOCS_ASSETS_PATH}/init.js"></script>
</body>
</html>
`;

// A file rather than an inline script, so the CSP needs no 'unsafe-inline'.
// validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io.
const DOCS_INIT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_JSON_PATH)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

/** The page may load its own scripts and styles from this server and call this server, nothing else. */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The page's scripts and styles, to mount at `DOCS_ASSETS_PATH`; anything else falls through (404). */
export function docsAssets(): RequestHandler {
  const uiDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const name = req.path.replace(/^\//, '');
    // They change only with the package version; nothing in them is private.
    const cache = (): void => void res.set('Cache-Control', 'public, max-age=3600');
    if (name === 'init.js') {
      cache();
      res.type('text/javascript').send(DOCS_INIT);
      return;
    }
    const file = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!file) return next();
    cache();
    res.sendFile(path.join(uiDir, file), (err) => {
      if (err) next(err);
    });
  };
}
