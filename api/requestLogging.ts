import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../common/logger';

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;
const PROBES = new Set(['/healthz', '/readyz']);
/** The payee app's own calls to the API (app/apiClient.ts). */
const PAYEE_APP_AGENT = 'ping-orchestrator-payee-app';

/**
 * One log line per request, when it finishes, with a request id that is also sent back in
 * `X-Request-Id` (a caller's own id is kept, so a request can be traced across services).
 */
export function requestLogging(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const inbound = req.headers['x-request-id'];
      const id = typeof inbound === 'string' && SAFE_REQUEST_ID.test(inbound) ? inbound : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel(req, res, err) {
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      // Load balancers probe every few seconds, and each open sale screen of the payee app reads its
      // payment twice a second (app/routes/saleEvents.ts): their lines would drown everything else at info.
      if (PROBES.has(req.url ?? '')) return 'debug';
      return req.method === 'GET' && req.headers['user-agent'] === PAYEE_APP_AGENT ? 'debug' : 'info';
    },
    customSuccessMessage: (req, res, ms) => `${req.method} ${req.url} ${res.statusCode} ${Math.round(ms)}ms`,
    customErrorMessage: (req, res) => `${req.method} ${req.url} ${res.statusCode}`,
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      // pino-http invents an Error for every 5xx; its stack points into pino-http. Real failures are
      // logged with their own stack by the error handler, so the request line keeps just the message.
      err: (err: Error) => ({ type: err.name, message: err.message }),
    },
  });
}
