import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { PayloadEncryptionError } from '../common/payloadCodec';
import { requireApiKey } from './auth';
import { ApiError } from './errors';

/**
 * The remote codec endpoint (Temporal's "codec server" protocol), mounted at `/codec`:
 *   POST /codec/decode  {"payloads": [{"metadata": {"encoding": "<base64>", ...}, "data": "<base64>"}]}
 *   POST /codec/encode  the same shape both ways
 * It lets the Temporal Web UI (and `temporal workflow show --codec-endpoint ... --codec-auth ...`)
 * show encrypted payloads in clear to the people allowed to see them.
 *
 * Who may call it:
 * - anyone with one of our API keys (`Authorization: Bearer <key>`): scripts, the CLI;
 * - a browser page served from one of `allowedOrigins` (the Web UI). The UI cannot hold our API key,
 *   so for it the UI's own access control is the boundary. An `Origin` header proves nothing to a
 *   non-browser client, which can send any; a loopback origin (the dev UI) is therefore only accepted
 *   on a connection from this machine. In production, put the UI behind SSO, list only its origin, and
 *   make this endpoint reachable only where the UI's users are (or set CODEC_CORS_ORIGINS=none and
 *   use API keys only).
 * A browser page from any other origin gets a 403 and no CORS headers, so it can neither call nor read.
 */

export interface CodecRouteDeps {
  codec: PayloadCodec;
  apiKeys: readonly string[];
  /** Exact origins (`scheme://host[:port]`) whose browser requests are accepted without an API key. */
  allowedOrigins: readonly string[];
  /** Largest JSON body accepted; the Web UI decodes a few payloads at a time. */
  bodyLimit?: string;
}

const ALLOWED_HEADERS = 'content-type, authorization, x-namespace';
const MAX_PAYLOADS = 1000;

const base64 = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be base64');
const codecRequest = z.object({
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string(), base64).nullish(),
        data: base64.nullish(),
      }),
    )
    .max(MAX_PAYLOADS, `at most ${MAX_PAYLOADS} payloads per request`),
});
type JsonPayload = z.infer<typeof codecRequest>['payloads'][number];

const fromBase64 = (value: string): Uint8Array => new Uint8Array(Buffer.from(value, 'base64'));
// Decoded protos may hold an empty `data` as a plain array, so this copies rather than views.
const toBase64 = (value: Uint8Array | ArrayLike<number>): string => Buffer.from(value as Uint8Array).toString('base64');

function fromJson({ metadata, data }: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, fromBase64(v)])),
    data: fromBase64(data ?? ''),
  };
}

function toJson({ metadata, data }: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, toBase64(v)])),
    data: toBase64(data ?? new Uint8Array()),
  };
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

function isLoopbackOrigin(origin: string): boolean {
  const host = new URL(origin).hostname;
  return host === 'localhost' || host === '[::1]' || isLoopbackAddress(host);
}

/** Which kind of caller this is, decided before anything else runs. */
function originCheck(req: Request, allowed: ReadonlySet<string>): 'no-origin' | 'allowed' | 'refused' {
  const origin = req.get('origin');
  if (origin === undefined) return 'no-origin';
  if (!allowed.has(origin)) return 'refused';
  // A browser on this machine connects from loopback; from elsewhere this "Origin" was typed by hand.
  if (isLoopbackOrigin(origin) && !isLoopbackAddress(req.socket.remoteAddress)) return 'refused';
  return 'allowed';
}

function allowCors(res: Response, origin: string): void {
  res.set('Access-Control-Allow-Origin', origin);
  res.set('Access-Control-Allow-Credentials', 'true');
}

export function createCodecRouter(deps: CodecRouteDeps): Router {
  const allowed = new Set(deps.allowedOrigins);
  const apiKey = requireApiKey(deps.apiKeys);
  const router = Router();

  router.use((req, res, next) => {
    res.vary('Origin');
    switch (originCheck(req, allowed)) {
      case 'no-origin':
        // Scripts and the CLI: our API key, exactly as on /v1.
        return apiKey(req, res, next);
      case 'refused':
        return next(
          new ApiError(403, 'authentication_error', 'origin_not_allowed', 'This origin may not call the codec endpoint; see CODEC_CORS_ORIGINS'),
        );
      case 'allowed': {
        const origin = req.get('origin')!;
        allowCors(res, origin);
        if (req.method === 'OPTIONS') {
          res.set('Access-Control-Allow-Methods', 'POST');
          res.set('Access-Control-Allow-Headers', ALLOWED_HEADERS);
          res.set('Access-Control-Max-Age', '600');
          return res.status(204).end();
        }
        return next();
      }
    }
  });

  router.use(express.json({ limit: deps.bodyLimit ?? '4mb' }));

  const handler =
    (direction: 'encode' | 'decode'): RequestHandler =>
    async (req, res) => {
      const parsed = codecRequest.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new ApiError(
          400,
          'invalid_request_error',
          'invalid_codec_request',
          `Send {"payloads": [{"metadata": {"<key>": "<base64>"}, "data": "<base64>"}]}: ${issue.path.join('.') || 'body'} ${issue.message}`,
          issue.path.join('.') || undefined,
        );
      }
      const payloads = parsed.data.payloads.map(fromJson);
      let result: Payload[];
      try {
        result = direction === 'encode' ? await deps.codec.encode(payloads) : await deps.codec.decode(payloads);
      } catch (err) {
        if (err instanceof PayloadEncryptionError) throw new ApiError(422, 'invalid_request_error', 'payload_not_decodable', err.message);
        throw err;
      }
      res.set('Cache-Control', 'no-store');
      res.json({ payloads: result.map(toJson) });
    };
  router.post('/decode', handler('decode'));
  router.post('/encode', handler('encode'));
  return router;
}
