import type { IncomingHttpHeaders } from 'node:http';

/**
 * What a callback signature check sees: the request's headers and its body exactly as received
 * (the bytes a signature would have been computed over, before JSON parsing).
 */
export interface SignedCallback {
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

/** Says whether a callback from Ping carries a valid signature. May be async (e.g. to fetch a key). */
export type PingSignatureVerifier = (callback: SignedCallback) => boolean | Promise<boolean>;

/**
 * The default accepts every callback: Ping's contract (docs/ping-contract.md §4, §9) describes no
 * callback signature scheme, so there is nothing to check yet. The callbacks are still guarded by the
 * per-payment URL token (common/webhookToken.ts), and their body never decides a status on its own
 * (the workflow fetches the status from Ping).
 *
 * When Ping's scheme is known, write a verifier here (e.g. an HMAC of `rawBody` under a shared secret
 * from config, compared with `timingSafeEqual` against a signature header, plus a timestamp check
 * against replays) and pass it as `verifySignature` to `webhookRoutes` in api/app.ts. A callback it
 * refuses is answered 401 `invalid_signature` and signals nothing.
 */
export const acceptUnsignedCallbacks: PingSignatureVerifier = () => true;
