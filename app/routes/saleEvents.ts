import { setTimeout as sleep } from 'node:timers/promises';
import { Router } from 'express';
import type { Logger } from '../../common/logger';
import type { PaymentResource } from '../../domain/payment';
import { ApiUnavailable } from '../apiClient';
import { apiOf, requireSignIn, signedIn } from '../context';
import { saleState } from '../saleState';
import type { SessionStore } from '../sessions';
import { readPayment } from './sale';

export interface SaleEventsOptions {
  /** How often the payment is read through the API while the screen is open; default 500 ms. */
  pollMs?: number;
  /** A comment line this often keeps proxies from closing a quiet stream; default 15 s. */
  heartbeatMs?: number;
  /** A stream ends after this long (the browser's EventSource then reconnects); default 10 min. */
  maxStreamMs?: number;
}

/**
 * Reads still waiting for their answer, at most: a read of a payment is a workflow query, and one
 * now and then waits a second or two for the worker while the next, sent half a second later,
 * answers at once. So reads start on the clock and do not wait for each other; the answer of the
 * newest read started wins, and a slow one never holds the screen back.
 */
const MAX_READS_IN_FLIGHT = 4;

/**
 * `GET /app/sales/:id/events`: server-sent events for the sale screen. The app reads the payment
 * through the API every `pollMs` (the browser holds one connection and sends nothing), pushes a
 * `status` event whenever what the screen shows changes (app/saleState.ts), a comment as a heartbeat,
 * and ends the stream once nothing more will change by itself. The first event is the state at once.
 */
export function saleEventRoutes({
  sessions,
  logger,
  pollMs = 500,
  heartbeatMs = 15_000,
  maxStreamMs = 600_000,
}: SaleEventsOptions & { sessions: SessionStore; logger: Logger }): Router {
  const router = Router();
  router.get('/sales/:id/events', requireSignIn, async (req, res) => {
    const id = String(req.params.id);
    const context = signedIn(res);
    // Another merchant's payment, or none: the app's 404 before any stream begins.
    const first: PaymentResource = await readPayment(req, res, id);
    const api = apiOf(req, res);
    const stop = new AbortController();
    res.on('close', () => stop.abort());
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    res.write('retry: 2000\n\n');

    let lastSent = '';
    let lastWrite = Date.now();
    const show = (payment: PaymentResource) => {
      if (stop.signal.aborted) return;
      const state = saleState(payment, context.t);
      const data = JSON.stringify(state);
      if (data !== lastSent) {
        res.write(`event: status\ndata: ${data}\n\n`);
        lastSent = data;
        lastWrite = Date.now();
      }
      if (state.final) stop.abort();
    };

    let started = 0;
    let applied = 0;
    let inFlight = 0;
    const read = async (n: number) => {
      inFlight += 1;
      try {
        const answer = await api.get<PaymentResource>(`/v1/payments/${encodeURIComponent(id)}`);
        if (answer.ok) {
          if (n > applied) {
            applied = n;
            show(answer.body);
          }
        } else if (answer.status === 401 || answer.status === 404) stop.abort();
        // Anything else (a 429, a 503) is passing: the next read asks again.
      } catch (err) {
        if (!(err instanceof ApiUnavailable)) {
          logger.error({ err }, 'payee app: reading a sale for its event stream failed');
          stop.abort();
        }
      } finally {
        inFlight -= 1;
      }
    };

    show(first);
    const opened = Date.now();
    while (!stop.signal.aborted) {
      try {
        await sleep(pollMs, undefined, { signal: stop.signal });
      } catch {
        break; // the browser went away, or the sale is final
      }
      // Signed out meanwhile, or open too long: end (the browser reconnects, and a signed-out one gets the sign-in redirect).
      if (!sessions.peek(context.sessionId) || Date.now() - opened > maxStreamMs) break;
      if (inFlight < MAX_READS_IN_FLIGHT) void read((started += 1));
      if (Date.now() - lastWrite >= heartbeatMs) {
        res.write(': heartbeat\n\n');
        lastWrite = Date.now();
      }
    }
    stop.abort();
    res.end();
  });
  return router;
}
