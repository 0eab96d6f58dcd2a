import type { Request, RequestHandler } from 'express';
import { ApiError } from './errors';

/** Whether the request carries body bytes (an explicit `Content-Length: 0` is no body). */
export function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length > 0;
}

/**
 * Our POSTs take JSON or nothing. A body of any other type is refused with 415 before anything else
 * looks at it (express.json leaves such a body unread, and a form or text/plain body is also what a
 * cross-site browser form can send). JSON must be UTF-8 (RFC 8259 §8.1).
 */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  if (!hasBody(req)) return next();
  if (!req.is('application/json')) {
    return next(new ApiError(415, 'invalid_request_error', 'unsupported_media_type', 'Send the body as JSON with Content-Type: application/json'));
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.get('content-type') ?? '')?.[1];
  if (charset && !/^utf-?8$/i.test(charset)) {
    return next(new ApiError(415, 'invalid_request_error', 'unsupported_encoding', 'Send the body as UTF-8 JSON'));
  }
  next();
};

/** For endpoints that take no parameters (`POST /v1/payments/:id/cancel`): `{}` or no body at all. */
export const noBodyParameters: RequestHandler = (req, _res, next) => {
  const body: unknown = req.body;
  if (body === undefined || body === null) return next();
  if (typeof body !== 'object' || Array.isArray(body)) {
    return next(new ApiError(400, 'invalid_request_error', 'body_invalid', 'This endpoint takes no parameters; send no body or {}'));
  }
  const [first] = Object.keys(body);
  if (first !== undefined) return next(new ApiError(400, 'invalid_request_error', 'parameter_unknown', `Received unknown parameter: ${first}`, first));
  next();
};
