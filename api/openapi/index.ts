/** The API contract (document.ts) and where it is served (routes.ts, docsPage.ts). */
export { openApiDocument } from './document';
export { openApiRoutes } from './routes';
export { DOCS_PATH, OPENAPI_JSON_PATH } from './urls';
