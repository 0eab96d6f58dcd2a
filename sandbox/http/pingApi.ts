import { timingSafeEqual } from 'node:crypto';
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import type { SandboxContext } from '../context';
import { errorBody, PingError, type ErrorDetail, type ErrorShape } from '../errors';
import type { TenantState } from '../store';
import { isGuid } from './guid';

export interface ApiRequest {
  tenant: TenantState;
  body: unknown;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  /** This request's absolute URL, as the caller addressed us (for pagination links). */
  selfUrl: URL;
}

/** Ping answers creates with 200 + JSON, mutations with 204 and no body, `ping` with plain text. */
export type ApiResult = { status: 200; json: unknown } | { status: 204 } | { status: 200; text: string };

/**
 * Handlers are synchronous on purpose: all of a request's awaits (body, injected latency) are done
 * before its handler runs, so its read-modify-write of the store cannot interleave with another's.
 */
export type ApiHandler = (req: ApiRequest) => ApiResult;


function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function firstValues(query: Request['query']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(query)) {
    const first = Array.isArray(value) ? value[0] : value;
    out[key] = typeof first === 'string' ? first : undefined;
  }
  return out;
}

/** A route that needs no tenant: only liveness (`GET api/v1/ping`, docs/ping-contract.md §1.3). */
export type TenantlessHandler = () => ApiResult;

export interface PingApi {
  router: Router;
  get(path: string, handler: ApiHandler): void;
  post(path: string, handler: ApiHandler): void;
  put(path: string, handler: ApiHandler): void;
  /** Answers whether or not a `tenant_id` comes; a configured `x-api-secret` is still checked. */
  getWithoutTenant(path: string, handler: TenantlessHandler): void;
}

/** A tenantless route never builds an ApiRequest, so no tenant state is made for a caller without one. */
type Route = { needsTenant: true; handler: ApiHandler } | { needsTenant: false; handler: TenantlessHandler };

/** The first path parameter that is not a UUID (every one of Ping's path parameters is an id). */
function malformedPathId(params: Record<string, string>): string | undefined {
  return Object.keys(params).find((name) => !isGuid(params[name] ?? ''));
}

/**
 * One of Ping's two JSON APIs, mounted at `prefix` ("/payments" or "/payment_links"). Every route
 * goes through the same steps: count the call, apply the fault plan's latency and errors, check
 * `tenant_id` (and `x-api-secret` when configured), run the handler, then maybe fail the answer
 * after the work is done.
 */
export function pingApi(ctx: SandboxContext, prefix: string, errorShape: () => ErrorShape): PingApi {
  const router = express.Router();
  // strict:false lets a literal `null` body through to the handler, which answers it with 422 as
  // Ping does (distribute, invoice) instead of a parse error.
  router.use(express.json({ limit: '1mb', strict: false, type: ['application/json', 'application/*+json'] }));

  const sendError = (res: Response, status: number, details: ErrorDetail[]): void => {
    res.status(status).json(errorBody(errorShape(), details));
  };

  const apiRequest = (req: Request, tenantId: string, params: Record<string, string>): ApiRequest => ({
    tenant: ctx.store.tenant(tenantId),
    body: req.body as unknown,
    params,
    query: firstValues(req.query),
    selfUrl: new URL(req.originalUrl, `${req.protocol}://${req.get('host') ?? 'localhost'}`),
  });

  const register = (method: 'get' | 'post' | 'put', path: string, route: Route): void => {
    const endpoint = `${method.toUpperCase()} ${prefix}${path}`;
    router[method](path, async (req, res) => {
      const { counters, faults, timers } = ctx;
      counters.call(endpoint);
      const finish = (status: number): void => counters.response(endpoint, status);

      const latency = faults.latencyFor(endpoint);
      if (latency > 0) {
        counters.fault('latency_applied');
        await timers.sleep(latency);
      }
      if (faults.failBefore(endpoint)) {
        counters.fault('errors_injected');
        const status = faults.get().error_status;
        finish(status);
        return sendError(res, status, [{ error: 'sandbox_fault_injected', description: 'Injected by the sandbox fault plan; nothing was processed' }]);
      }

      const tenantId = req.get('tenant_id') ?? '';
      // Ping requires tenant_id on every call; without it (or with a malformed one) the caller is
      // unauthenticated, hence 401 rather than 403 (which Ping uses for business rules).
      if (route.needsTenant && !isGuid(tenantId)) {
        finish(401);
        return sendError(res, 401, [{ error: 'unauthorized', description: 'The tenant_id header is missing or is not a UUID' }]);
      }
      if (ctx.apiSecret !== undefined && !sameSecret(req.get('x-api-secret') ?? '', ctx.apiSecret)) {
        finish(401);
        return sendError(res, 401, [{ error: 'unauthorized', description: 'The x-api-secret header is missing or wrong' }]);
      }
      // A path id that is not a UUID is a 422, a well-formed unknown one a 404 (docs/ping-contract.md §0, §6).
      const params = req.params as Record<string, string>;
      const malformed = malformedPathId(params);
      if (malformed !== undefined) {
        finish(422);
        return sendError(res, 422, [{ error: 'invalid_value', description: `${malformed} must be a UUID`, property: malformed }]);
      }

      let result: ApiResult;
      try {
        result = route.needsTenant ? route.handler(apiRequest(req, tenantId, params)) : route.handler();
      } catch (err) {
        if (!(err instanceof PingError)) throw err;
        finish(err.status);
        return sendError(res, err.status, err.details);
      }

      if (faults.failAfter(endpoint)) {
        counters.fault('failed_after_processing');
        if (faults.get().fail_after_processing_mode === 'reset') {
          finish(0);
          req.socket.destroy();
          return;
        }
        const status = faults.get().error_status;
        finish(status);
        return sendError(res, status, [
          { error: 'sandbox_fault_injected', description: 'Injected by the sandbox fault plan after the request was processed' },
        ]);
      }

      finish(result.status);
      if ('json' in result) res.status(200).json(result.json);
      else if ('text' in result) res.status(200).type('text/plain').send(result.text);
      else res.status(204).end();
    });
  };

  const api: PingApi = {
    router,
    get: (path, handler) => register('get', path, { needsTenant: true, handler }),
    post: (path, handler) => register('post', path, { needsTenant: true, handler }),
    put: (path, handler) => register('put', path, { needsTenant: true, handler }),
    getWithoutTenant: (path, handler) => register('get', path, { needsTenant: false, handler }),
  };
  return api;
}

/** Unknown routes, malformed JSON and crashes, in the API's own error shape (never a stack trace). */
export function pingApiFallbacks(ctx: SandboxContext, errorShape: () => ErrorShape): { notFound: express.RequestHandler; onError: ErrorRequestHandler } {
  return {
    notFound: (req, res) => {
      res.status(404).json(errorBody(errorShape(), [{ error: 'route_not_found', description: `No route for ${req.method} ${req.originalUrl}` }]));
    },
    onError: (err: unknown, req, res, next) => {
      if (res.headersSent) return next(err);
      const type = (err as { type?: unknown }).type;
      if (type === 'entity.parse.failed') {
        return res.status(400).json(errorBody(errorShape(), [{ error: 'invalid_json', description: 'The request body is not valid JSON' }]));
      }
      if (type === 'entity.too.large') {
        return res.status(413).json(errorBody(errorShape(), [{ error: 'body_too_large', description: 'The request body is too large' }]));
      }
      ctx.logger.error({ err, url: req.originalUrl }, 'sandbox handler failed');
      res.status(500).json(errorBody(errorShape(), [{ error: 'internal_error', description: 'The sandbox failed; see its log' }]));
    },
  };
}
