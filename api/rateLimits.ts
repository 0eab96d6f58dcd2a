import { createHash } from 'node:crypto';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import ipaddr from 'ipaddr.js';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ApiError } from './errors';

/**
 * The API's two rate limits (docs/http-api.md#rate-limits), both in this process's memory: a cluster
 * of N API processes lets N times the limit through. rate-limiter-flexible has the same limiters on a
 * shared store (Redis and others) for when that matters.
 *
 * 1. Per API key, after the key check: `perSecond` requests in each one-second window, plus a reserve
 *    that lets a key send `burst` at once. Every answer after the key check carries
 *    `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`; over the limit it is a 429
 *    `rate_limited` with `Retry-After`.
 * 2. Per client address, before the key check: after `authFailuresPerMinute` failed key checks (401s)
 *    from one address within a minute, its requests are refused with a 429 `too_many_auth_failures`
 *    without their key being checked, unless they carry a key this process has already accepted. So a
 *    flood of missing or guessed keys stops costing key checks, while a backend that shares the
 *    address (a NAT, a proxy) keeps working with its key.
 *
 * Which key a request used: the auth middleware sets `res.locals.principal.keyId`, a stable id that is
 * not the secret. Without it (the API_KEYS keys have no id of their own) the id is derived from the
 * bearer token: the first 16 hex digits of its SHA-256.
 */

export interface RateLimitOptions {
  /** Per API key: requests in each one-second window; 0 turns the per-key limit off. */
  perSecond: number;
  /** Per API key: the most it may send at once; a value below `perSecond` counts as `perSecond` (no reserve). */
  burst: number;
  /** Per client address: failed key checks in a minute before its unknown-key requests get 429; 0 turns it off. */
  authFailuresPerMinute: number;
}

/** For stacks that must never be throttled (the bench, the chaos run): both limits off. */
export const RATE_LIMITS_OFF: RateLimitOptions = { perSecond: 0, burst: 0, authFailuresPerMinute: 0 };

/** What the auth middleware may put on `res.locals` for the per-key limit. */
export interface RateLimitPrincipal {
  keyId: string;
}

export interface RateLimits {
  /** Mount before the key check: the address's flood limit. */
  beforeAuth: RequestHandler;
  /**
   * Mount right after the key check: an error hook that counts the key check's 401 ApiErrors against
   * the client's address (and passes them on), then the per-key limit for requests that got through.
   */
  afterAuth: [ErrorRequestHandler, RequestHandler];
  /** Counts one failed authentication of this request; for an auth middleware that answers 401 itself. */
  recordAuthFailure(req: Request): Promise<void>;
}

/**
 * rate-limiter-flexible counts in fixed windows, not a true token bucket, so the reserve (burst minus
 * the per-second rate) comes back in one piece. It refills this many times slower than the per-second
 * rate would earn it, which keeps sustained traffic within a tenth above `perSecond`.
 */
const RESERVE_REFILL_FACTOR = 10;
const AUTH_FAILURE_WINDOW_SECONDS = 60;
/** Only accepted keys enter the set, so it is as large as the keys in use; the cap is against surprises. */
const MAX_ACCEPTED_KEYS = 10_000;

// The same credential syntax api/auth.ts accepts; a request that gets past it always matches.
const BEARER = /^Bearer\s+(\S{1,512})\s*$/i;
const bearerToken = (req: Request): string | undefined => BEARER.exec(req.get('authorization') ?? '')?.[1];
const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');
const wholeSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/**
 * The address a limit is kept for: express's `req.ip`, so it follows the app's `trust proxy` setting
 * (none by default: the TCP peer). IPv6 clients are grouped by /64, since one host usually holds a
 * whole /64 and could otherwise step to a fresh address for every request.
 */
export function clientAddress(req: Request): string {
  const ip = req.ip ?? req.socket.remoteAddress ?? '';
  if (!ipaddr.isValid(ip)) return ip || 'unknown';
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const prefix = new ipaddr.IPv6([...(address as ipaddr.IPv6).parts.slice(0, 4), 0, 0, 0, 0]);
  return `${prefix.toString()}/64`;
}

function principalKeyId(res: Response): string | undefined {
  const keyId = (res.locals.principal as Partial<RateLimitPrincipal> | undefined)?.keyId;
  return typeof keyId === 'string' && keyId !== '' ? keyId : undefined;
}

const passThrough: RequestHandler = (_req, _res, next) => next();

export function createRateLimits(options: RateLimitOptions): RateLimits {
  const perSecond = Math.max(0, Math.floor(options.perSecond));
  const burst = Math.max(perSecond, Math.floor(options.burst));
  const failureLimit = Math.max(0, Math.floor(options.authFailuresPerMinute));

  // Digests of bearer tokens that passed the key check: the ones a flooded address may still use.
  const accepted = new Set<string>();
  const failures = failureLimit > 0 ? new RateLimiterMemory({ keyPrefix: 'auth-failures', points: failureLimit, duration: AUTH_FAILURE_WINDOW_SECONDS }) : undefined;

  const recordAuthFailure = async (req: Request): Promise<void> => {
    if (!failures) return;
    const token = bearerToken(req);
    // A key that was revoked since it last worked must not keep its way past a flooded address.
    if (token !== undefined) accepted.delete(sha256(token));
    await failures.penalty(clientAddress(req));
  };

  const beforeAuth: RequestHandler = !failures
    ? passThrough
    : async (req, res, next) => {
        const counted = await failures.get(clientAddress(req));
        if (!counted || counted.consumedPoints < failureLimit || counted.msBeforeNext <= 0) return next();
        const token = bearerToken(req);
        if (token !== undefined && accepted.has(sha256(token))) return next();
        const retryAfter = wholeSeconds(counted.msBeforeNext);
        res.set('Retry-After', String(retryAfter));
        next(
          new ApiError(
            429,
            'rate_limit_error',
            'too_many_auth_failures',
            `Too many failed authentications from this address; retry in ${retryAfter} s with a valid API key`,
          ),
        );
      };

  const recordFailures: ErrorRequestHandler = async (err: unknown, req, _res, next) => {
    if (err instanceof ApiError && err.status === 401) await recordAuthFailure(req);
    next(err);
  };

  const window = perSecond > 0 ? new RateLimiterMemory({ keyPrefix: 'key-second', points: perSecond, duration: 1 }) : undefined;
  const reserve =
    window && burst > perSecond
      ? new RateLimiterMemory({ keyPrefix: 'key-reserve', points: burst - perSecond, duration: Math.ceil((RESERVE_REFILL_FACTOR * (burst - perSecond)) / perSecond) })
      : undefined;
  const limiter = window && reserve ? new BurstyRateLimiter(window, reserve) : window;

  /** Consumes one request of the key: whether it may pass, how many more may now, and when more come. */
  const take = async (bucket: BurstyRateLimiter | RateLimiterMemory, keyId: string): Promise<{ allowed: boolean; remaining: number; ms: number }> => {
    let result: RateLimiterRes;
    let allowed = true;
    try {
      result = await bucket.consume(keyId);
    } catch (rejected) {
      if (!(rejected instanceof RateLimiterRes)) throw rejected;
      result = rejected;
      allowed = false;
    }
    // The bursty limiter reports the per-second window's points only; the reserve's come on top.
    const reserveLeft = reserve ? Math.max(0, reserve.points - ((await reserve.get(keyId))?.consumedPoints ?? 0)) : 0;
    return { allowed, remaining: allowed ? result.remainingPoints + reserveLeft : 0, ms: result.msBeforeNext };
  };

  const perKey: RequestHandler = !failures && !limiter
    ? passThrough
    : async (req, res, next) => {
        const token = bearerToken(req);
        const digest = token === undefined ? undefined : sha256(token);
        if (failures && digest !== undefined && !accepted.has(digest)) {
          // Oldest first: a Set iterates in insertion order.
          if (accepted.size >= MAX_ACCEPTED_KEYS) accepted.delete(accepted.values().next().value!);
          accepted.add(digest);
        }
        if (!limiter) return next();
        // Without a key id from the auth middleware and without a bearer token, the address stands in.
        const keyId = principalKeyId(res) ?? (digest ? `sha256:${digest.slice(0, 16)}` : `address:${clientAddress(req)}`);
        const { allowed, remaining, ms } = await take(limiter, keyId);
        const reset = String(wholeSeconds(ms));
        res.set({ 'RateLimit-Limit': String(burst), 'RateLimit-Remaining': String(remaining), 'RateLimit-Reset': reset });
        if (allowed) return next();
        res.set('Retry-After', reset);
        next(
          new ApiError(
            429,
            'rate_limit_error',
            'rate_limited',
            `Too many requests with this API key (at most ${perSecond} a second, ${burst} at once); retry in ${reset} s`,
          ),
        );
      };

  return { beforeAuth, afterAuth: [recordFailures, perKey], recordAuthFailure };
}
