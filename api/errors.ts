import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../common/logger';

/** Stripe's error types: a caller's code branches on `type` and `code`, a person reads `message`. */
export type ApiErrorType = 'invalid_request_error' | 'authentication_error' | 'idempotency_error' | 'rate_limit_error' | 'api_error';

export interface ApiErrorBody {
  error: { type: ApiErrorType; code: string; message: string; param?: string; request_id?: string; [extra: string]: unknown };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: ApiErrorType,
    readonly code: string,
    message: string,
    readonly param?: string,
    /** More machine-readable context, e.g. the payment a refused create made. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, 'invalid_request_error', 'route_not_found', `No route for ${req.method} ${req.path}`));
};

/**
 * The last handler of a path whose methods are all known: any other method is a 405 naming the
 * allowed ones in `Allow` (and OPTIONS answers with just that header).
 */
export function methodNotAllowed(...allowed: string[]): RequestHandler {
  const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ');
  return (req, res, next) => {
    res.set('Allow', allow);
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next(new ApiError(405, 'invalid_request_error', 'method_not_allowed', `${req.method} is not allowed on ${req.path}; use ${allowed.join(' or ')}`));
  };
}

/** body-parser's failures carry a `type`; they are the caller's mistakes, not ours. */
function fromBodyParser(err: { type?: unknown; status?: unknown; limit?: unknown }): ApiError | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return new ApiError(400, 'invalid_request_error', 'invalid_json', 'The request body is not valid JSON');
    case 'entity.too.large':
      return new ApiError(413, 'invalid_request_error', 'body_too_large', `The request body exceeds ${String(err.limit)} bytes`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError(415, 'invalid_request_error', 'unsupported_encoding', 'Send the body as UTF-8 JSON');
    case 'request.aborted':
    case 'request.size.invalid':
      return new ApiError(400, 'invalid_request_error', 'body_unreadable', 'The request body ended early or does not match its Content-Length');
    default:
      return undefined;
  }
}

/**
 * Other errors that carry a 4xx status are the caller's mistakes too: a body whose Content-Encoding
 * does not decode (body-parser passes zlib's error on as a 400), or a path whose percent-encoding is
 * broken (the router fails to decode a parameter with a URIError and status 400).
 */
function fromClientError(err: unknown): ApiError | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const status = Number((err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode);
  if (!Number.isInteger(status) || status < 400 || status > 499) return undefined;
  if (err instanceof URIError) return new ApiError(400, 'invalid_request_error', 'path_invalid', 'The URL path is not valid percent-encoding');
  if ((err as { expose?: unknown }).expose !== true) return undefined;
  if (status === 400) return new ApiError(400, 'invalid_request_error', 'body_unreadable', 'The request body could not be decoded; check its Content-Encoding');
  return new ApiError(status, 'invalid_request_error', 'request_invalid', 'The request could not be processed as sent');
}

/** The one error shape of the API; never a stack trace on the wire. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const known = err instanceof ApiError ? err : (err && typeof err === 'object' ? (fromBodyParser(err) ?? fromClientError(err)) : undefined);
    const apiError = known ?? new ApiError(500, 'api_error', 'internal_error', 'Something went wrong on our side; it has been logged');
    if (!known) (req.log ?? logger).error({ err }, 'unhandled error');
    // For whoever watches the response finish (the webhook metrics count rejections by this code).
    res.locals.errorCode = apiError.code;
    const body: ApiErrorBody = {
      error: {
        type: apiError.type,
        code: apiError.code,
        message: apiError.message,
        ...(apiError.param ? { param: apiError.param } : {}),
        ...apiError.extra,
        request_id: String(req.id ?? ''),
      },
    };
    res.status(apiError.status).json(body);
  };
}
