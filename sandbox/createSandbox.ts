import express, { type ErrorRequestHandler, type Express } from 'express';
import { createLogger } from '../common/logger';
import { CallbackDispatcher, DEFAULT_CALLBACK_RETRY } from './callbacks';
import { Clock } from './clock';
import type { SandboxContext, SandboxOptions } from './context';
import { Counters } from './counters';
import { FaultPlan } from './faults';
import { pingApi, pingApiFallbacks } from './http/pingApi';
import { expireAllDueLinks } from './lifecycle';
import { DEFAULT_MERCHANT_APPROVAL_DELAY_MS, MAX_TIMER_MS } from './merchants';
import { Outbox } from './outbox';
import { RefundFailures } from './refundFailures';
import { allocationRoutes } from './routes/allocations';
import { bankCheckoutRoutes } from './routes/bankCheckout';
import { controlRoutes } from './routes/control';
import { disbursementRoutes } from './routes/disbursements';
import { documentRoutes } from './routes/documents';
import { linkCheckoutRoutes } from './routes/linkCheckout';
import { mimicRoutes } from './routes/mimic';
import { paymentLinkRoutes } from './routes/paymentLinks';
import { paymentOrderRoutes } from './routes/paymentOrders';
import { paymentRoutes } from './routes/payments';
import { paymentsMiscRoutes } from './routes/paymentsMisc';
import { Store } from './store';
import { Timers } from './timers';

export type { SandboxOptions } from './context';

function approvalDelay(option: number | null | undefined): number | null {
  if (option === undefined) return DEFAULT_MERCHANT_APPROVAL_DELAY_MS;
  if (option === null || option < 0) return null;
  if (!Number.isFinite(option) || option > MAX_TIMER_MS) throw new TypeError(`createSandbox: merchantApprovalDelayMs must be at most ${MAX_TIMER_MS}`);
  return option;
}

export interface Sandbox {
  app: Express;
  /** The live state and its instruments, for in-process tests and tools. */
  context: SandboxContext;
  /** Forgets everything (state, counters, outbox, callbacks, faults, clock offset), like `POST /_sandbox/reset`. */
  reset(): void;
  /** Stops the expiry sweep, every pending timer and callback retry, and in-flight callbacks. */
  close(): Promise<void>;
}

/**
 * A Ping Payments emulator (docs/ping-contract.md): the Payments API under `/payments/`, the
 * Payment Links API under `/payment_links/`, Mimic's disbursement and merchant triggers under `/mimic/`, hosted
 * checkout and bank pages under `/checkout/`, PDFs under `/documents/`, and the control API under
 * `/_sandbox/`.
 */
export function createSandbox(options: SandboxOptions): Sandbox {
  const logger = options.logger ?? createLogger({ name: 'sandbox', level: 'info', format: 'auto' });
  const random = options.random ?? Math.random;
  const clock = new Clock(options.now);
  const timers = new Timers();
  const counters = new Counters();
  const faults = new FaultPlan(random);
  const callbacks = new CallbackDispatcher({
    faults,
    counters,
    timers,
    clock,
    logger,
    retry: { ...DEFAULT_CALLBACK_RETRY, ...options.callbackRetry },
  });
  const ctx: SandboxContext = {
    publicUrl: options.publicUrl.replace(/\/+$/, ''),
    apiSecret: options.apiSecret,
    linksErrorShape: options.linksErrorShape ?? 'flat',
    providerDelayMs: options.providerDelayMs ?? 300,
    refundDelayMs: options.refundDelayMs ?? 200,
    merchantApprovalDelayMs: approvalDelay(options.merchantApprovalDelayMs),
    store: new Store(),
    clock,
    timers,
    callbacks,
    counters,
    faults,
    outbox: new Outbox(),
    refundFailures: new RefundFailures(),
    random,
    logger,
  };

  const reset = (): void => {
    timers.clear();
    callbacks.reset();
    ctx.store.reset();
    counters.reset();
    ctx.outbox.reset();
    ctx.refundFailures.reset();
    faults.reset();
    clock.reset();
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    const started = Date.now();
    res.on('finish', () => logger.debug({ method: req.method, url: req.originalUrl, status: res.statusCode, ms: Date.now() - started }, 'sandbox request'));
    next();
  });

  app.get('/', (_req, res) => {
    res.json({
      name: 'Ping Payments sandbox',
      payments_api: `${ctx.publicUrl}/payments/`,
      payment_links_api: `${ctx.publicUrl}/payment_links/`,
      mimic_api: `${ctx.publicUrl}/mimic/`,
      control_api: `${ctx.publicUrl}/_sandbox/`,
    });
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  const paymentsShape = () => 'errors' as const;
  const payments = pingApi(ctx, '/payments', paymentsShape);
  paymentOrderRoutes(ctx, payments);
  paymentRoutes(ctx, payments);
  paymentsMiscRoutes(ctx, payments);
  allocationRoutes(payments);
  disbursementRoutes(payments);
  const paymentsFallbacks = pingApiFallbacks(ctx, paymentsShape);
  payments.router.use(paymentsFallbacks.notFound);
  payments.router.use(paymentsFallbacks.onError);
  app.use('/payments', payments.router);

  const linksShape = () => ctx.linksErrorShape;
  const links = pingApi(ctx, '/payment_links', linksShape);
  paymentLinkRoutes(ctx, links);
  const linksFallbacks = pingApiFallbacks(ctx, linksShape);
  links.router.use(linksFallbacks.notFound);
  links.router.use(linksFallbacks.onError);
  app.use('/payment_links', links.router);

  // Mimic lives on a host of its own at Ping (docs/ping-contract.md §1.1); here it is a path prefix.
  const mimicShape = () => 'errors' as const;
  const mimic = pingApi(ctx, '/mimic', mimicShape);
  mimicRoutes(ctx, mimic);
  const mimicFallbacks = pingApiFallbacks(ctx, mimicShape);
  mimic.router.use(mimicFallbacks.notFound);
  mimic.router.use(mimicFallbacks.onError);
  app.use('/mimic', mimic.router);

  app.use('/_sandbox', controlRoutes(ctx, reset));
  app.use(linkCheckoutRoutes(ctx));
  app.use(bankCheckoutRoutes(ctx));
  app.use(documentRoutes(ctx));

  app.use((req, res) => {
    res.status(404).json({ error: 'route_not_found', description: `No route for ${req.method} ${req.originalUrl}` });
  });
  const onError: ErrorRequestHandler = (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const type = (err as { type?: unknown }).type;
    if (type === 'entity.parse.failed') {
      res.status(400).json({ error: 'invalid_json', description: 'The request body is not valid JSON' });
      return;
    }
    logger.error({ err, url: req.originalUrl }, 'sandbox request failed');
    res.status(500).json({ error: 'internal_error', description: 'The sandbox failed; see its log' });
  };
  app.use(onError);

  // Links also expire on every read; the sweep sends the EXPIRED callback even when nobody reads.
  const sweep = setInterval(() => expireAllDueLinks(ctx), options.expirySweepMs ?? 1000);
  sweep.unref();

  let closing: Promise<void> | undefined;
  return {
    app,
    context: ctx,
    reset,
    close() {
      closing ??= (async () => {
        clearInterval(sweep);
        timers.clear();
        await callbacks.close();
      })();
      return closing;
    },
  };
}
