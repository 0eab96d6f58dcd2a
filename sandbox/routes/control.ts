import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { allocationsOf } from '../allocations';
import type { SandboxContext } from '../context';
import { orderStatusCounts, type CountersView } from '../counters';
import { PAYMENT_STATUSES, SMS_STATUSES, type Merchant, type MerchantStatus, type Payment, type PaymentLink } from '../entities';
import { PingError } from '../errors';
import { faultsSchema, mergeFaults } from '../faults';
import { isGuid } from '../http/guid';
import { expireAllDueLinks, expireDueLinks, failLinkAttempt, payLink, sendLinkCallback, sendPaymentCallback, setLinkStatus, setPaymentStatus } from '../lifecycle';
import { approveAllDueMerchants, approveDueMerchants, decideMerchantStatus, sendMerchantCallback } from '../merchants';
import { allocationWire, merchantWire, paymentLinkWire, paymentOrderExtendedWire, paymentWire } from '../wire';

/**
 * The sandbox's own API, under `/_sandbox` (clearly not Ping's): drive links and payments without a
 * browser, inject faults, read what happened. No tenant header: ids are unique across tenants.
 * Errors are flat `{error, description}`; a state that forbids the action is a 409.
 */

class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const customerPatch = z
  .object({ first_name: z.string(), last_name: z.string(), email: z.string(), phone: z.string() })
  .partial()
  .optional();

const payLinkSchema = z
  .object({
    provider: z.string().optional(),
    method: z.string().optional(),
    customer: customerPatch,
    /** Pays a CANCELLED or EXPIRED link too: the bank had sent the money before (sandbox/lifecycle.ts). */
    late: z.boolean().default(false),
  })
  .default({ late: false });

const failLinkSchema = z
  .object({
    status: z.enum(['DECLINED', 'ABORTED', 'CRASHED', 'EXPIRED']).default('DECLINED'),
    provider: z.string().optional(),
    method: z.string().optional(),
  })
  .default({ status: 'DECLINED' });

const paymentStatusSchema = z.object({
  status: z.enum(PAYMENT_STATUSES),
  /** For deposits: funds that arrived with this change (minor units); the running total is kept. */
  funds: z.object({ received: z.number().int() }).optional(),
});

const failRefundSchema = z
  .strictObject({
    status: z.number().int().min(400).max(599).default(403),
    error: z.string().min(1).default('refund_declined'),
    times: z.number().int().min(1).default(1),
  })
  .default({ status: 403, error: 'refund_declined', times: 1 });

const smsStatusSchema = z.object({ sms_status: z.enum(SMS_STATUSES) });
const clockSchema = z.object({ advance_ms: z.number().int().min(0) });

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new ControlError(422, 'invalid_request', result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  return result.data;
}

type Handler = (req: Request) => unknown;

export function controlRoutes(ctx: SandboxContext, resetAll: () => void): Router {
  const router = express.Router();
  router.use(express.json({ limit: '100kb', strict: false }));

  const handle =
    (fn: Handler, status = 200) =>
    (req: Request, res: Response): void => {
      try {
        const body = fn(req);
        res.status(status).json(body);
      } catch (err) {
        if (err instanceof ControlError) {
          res.status(err.status).json({ error: err.code, description: err.message });
        } else if (err instanceof PingError) {
          const first = err.details[0]!;
          res.status(err.status === 403 ? 409 : err.status).json({ error: first.error, description: first.description });
        } else {
          throw err;
        }
      }
    };

  const linkOr404 = (req: Request): PaymentLink => {
    const link = ctx.store.findLink(String(req.params.id).toLowerCase());
    if (!link) throw new ControlError(404, 'not_found', `No payment link ${String(req.params.id)}`);
    expireDueLinks(ctx, ctx.store.tenant(link.tenantId));
    return link;
  };
  const paymentOr404 = (req: Request): Payment => {
    const payment = ctx.store.findPayment(String(req.params.id).toLowerCase());
    if (!payment) throw new ControlError(404, 'not_found', `No payment ${String(req.params.id)}`);
    return payment;
  };
  const methodOf = (link: PaymentLink, provider?: string, method?: string) => {
    const chosen = provider && method ? { provider, method } : link.providerMethods[0];
    if (!chosen) throw new ControlError(409, 'no_provider_method', 'The payment link offers no provider method');
    return { provider: chosen.provider, method: chosen.method };
  };
  const merchantOr404 = (req: Request): Merchant => {
    const id = String(req.params.id);
    // Ping's own answer to a path id that is no Guid (docs/ping-contract.md §0), kept here so a typo reads as one.
    if (!isGuid(id)) throw new ControlError(422, 'invalid_request', `id must be a Guid (8-4-4-4-12 hex digits), got ${JSON.stringify(id)}`);
    const merchant = ctx.store.findMerchant(id.toLowerCase());
    if (!merchant) throw new ControlError(404, 'not_found', `No merchant ${id}`);
    approveDueMerchants(ctx, ctx.store.tenant(merchant.tenantId));
    return merchant;
  };
  const merchantView = (m: Merchant) => ({
    ...merchantWire(m),
    tenant_id: m.tenantId,
    created_at: m.createdAt,
    status_changed_at: m.statusChangedAt,
    approves_at: m.approvesAt === null ? null : new Date(m.approvesAt).toISOString(),
  });
  const linkView = (link: PaymentLink) => ({ ...paymentLinkWire(link), expires_at: link.expiresAt ? new Date(link.expiresAt).toISOString() : null });

  router.get(
    '/',
    handle(() => ({
      description: 'Ping Payments sandbox control API',
      endpoints: [
        'GET  /_sandbox/payment-links/:id',
        'POST /_sandbox/payment-links/:id/pay        {"provider"?, "method"?, "customer"?: {first_name,last_name,email,phone}, "late"?: bool}',
        'POST /_sandbox/payment-links/:id/fail       {"status"?: "DECLINED"|"ABORTED"|"CRASHED"|"EXPIRED"}',
        'POST /_sandbox/payment-links/:id/expire',
        'POST /_sandbox/payment-links/:id/cancel',
        'POST /_sandbox/payment-links/:id/sms-status {"sms_status": "DELIVERD"|"FAILED"|...}',
        'POST /_sandbox/payment-links/:id/resend-callback',
        'GET  /_sandbox/payments/:id',
        'POST /_sandbox/payments/:id/status          {"status": "COMPLETED"|..., "funds"?: {"received": int}}',
        'POST /_sandbox/payments/:id/resend-callback',
        'POST /_sandbox/payments/:id/fail-refund     {"status"?: 4xx|5xx, "error"?: string, "times"?: int}',
        'GET  /_sandbox/payment-orders/:id',
        'GET  /_sandbox/merchants/:id',
        'POST /_sandbox/merchants/:id/approve',
        'POST /_sandbox/merchants/:id/deny',
        'POST /_sandbox/merchants/:id/pending',
        'POST /_sandbox/merchants/:id/resend-callback',
        'GET  /_sandbox/counters',
        'GET  /_sandbox/outbox?payment_link_id=&channel=',
        'GET  /_sandbox/callbacks?resource_id=&kind=',
        'GET|PUT|PATCH /_sandbox/faults',
        'GET  /_sandbox/clock, POST /_sandbox/clock {"advance_ms": int}',
        'POST /_sandbox/reset',
      ],
    })),
  );

  router.get('/payment-links/:id', handle((req) => linkView(linkOr404(req))));

  router.post(
    '/payment-links/:id/pay',
    handle((req) => {
      const link = linkOr404(req);
      const input = parse(payLinkSchema, req.body ?? undefined);
      const payment = payLink(ctx, link, { ...methodOf(link, input.provider, input.method), customer: input.customer, late: input.late });
      return { payment_link: linkView(link), payment: paymentWire(payment) };
    }),
  );

  router.post(
    '/payment-links/:id/fail',
    handle((req) => {
      const link = linkOr404(req);
      const input = parse(failLinkSchema, req.body ?? undefined);
      const payment = failLinkAttempt(ctx, link, methodOf(link, input.provider, input.method), input.status);
      return { payment_link: linkView(link), payment: paymentWire(payment) };
    }),
  );

  const moveLink = (status: 'EXPIRED' | 'CANCELLED') =>
    handle((req) => {
      const link = linkOr404(req);
      if (link.status !== 'CREATED') throw new ControlError(409, 'invalid_state', `The payment link is ${link.status}`);
      setLinkStatus(ctx, link, status);
      return linkView(link);
    });
  router.post('/payment-links/:id/expire', moveLink('EXPIRED'));
  router.post('/payment-links/:id/cancel', moveLink('CANCELLED'));

  router.post(
    '/payment-links/:id/sms-status',
    handle((req) => {
      const link = linkOr404(req);
      link.smsStatus = parse(smsStatusSchema, req.body).sms_status;
      return linkView(link);
    }),
  );

  router.post(
    '/payment-links/:id/resend-callback',
    handle((req) => {
      const link = linkOr404(req);
      if (!link.callbackUrl) throw new ControlError(409, 'no_callback_url', 'The payment link has no payment_link_status_callback_url');
      sendLinkCallback(ctx, link);
      return { sent: true };
    }),
  );

  router.get('/payments/:id', handle((req) => paymentWire(paymentOr404(req))));

  router.post(
    '/payments/:id/status',
    handle((req) => {
      const payment = paymentOr404(req);
      const input = parse(paymentStatusSchema, req.body);
      const before = [...payment.statusHistory].reverse().find((h) => h.funds)?.funds?.received_total ?? 0;
      const funds = input.funds ? { received: input.funds.received, received_total: before + input.funds.received } : null;
      const changed = setPaymentStatus(ctx, payment, input.status, { funds, providerData: { sandbox: 'set through the control API' } });
      return { changed, payment: paymentWire(payment) };
    }),
  );

  router.post(
    '/payments/:id/resend-callback',
    handle((req) => {
      const payment = paymentOr404(req);
      if (!payment.statusCallbackUrl) throw new ControlError(409, 'no_callback_url', 'The payment has no status_callback_url');
      sendPaymentCallback(ctx, payment);
      return { sent: true };
    }),
  );

  router.post(
    '/payments/:id/fail-refund',
    handle((req) => {
      const payment = paymentOr404(req);
      ctx.refundFailures.arm(payment.id, parse(failRefundSchema, req.body ?? undefined));
      return { payment_id: payment.id, remaining: ctx.refundFailures.remaining(payment.id) };
    }),
  );

  router.get(
    '/payment-orders/:id',
    handle((req) => {
      const order = ctx.store.findOrder(String(req.params.id).toLowerCase());
      if (!order) throw new ControlError(404, 'not_found', `No payment order ${String(req.params.id)}`);
      const tenant = ctx.store.tenant(order.tenantId);
      const payments = order.paymentIds.map((id) => tenant.payments.get(id)).filter((p) => p !== undefined);
      return {
        ...paymentOrderExtendedWire(order, payments),
        tenant_id: order.tenantId,
        disbursed_at: order.disbursedAt,
        allocations: allocationsOf(tenant, order.id).map(allocationWire),
      };
    }),
  );

  router.get('/merchants/:id', handle((req) => merchantView(merchantOr404(req))));

  // A decision, as Mimic's PUT makes one: it ends the automatic approval, and a change sends the callback.
  const decideMerchant = (status: MerchantStatus) =>
    handle((req) => {
      const merchant = merchantOr404(req);
      const changed = decideMerchantStatus(ctx, merchant, status);
      return { changed, merchant: merchantView(merchant) };
    });
  router.post('/merchants/:id/approve', decideMerchant('APPROVED'));
  router.post('/merchants/:id/deny', decideMerchant('DENIED'));
  router.post('/merchants/:id/pending', decideMerchant('PENDING'));

  router.post(
    '/merchants/:id/resend-callback',
    handle((req) => {
      const merchant = merchantOr404(req);
      if (!sendMerchantCallback(ctx, merchant)) throw new ControlError(409, 'no_callback_url', "The merchant's tenant has no merchant_status_callback_url");
      return { sent: true };
    }),
  );

  router.get(
    '/counters',
    handle((): CountersView => ({ ...ctx.counters.snapshot(), payment_orders_by_status: orderStatusCounts(ctx.store) })),
  );

  router.get(
    '/outbox',
    handle((req) =>
      ctx.outbox.list({
        payment_link_id: typeof req.query.payment_link_id === 'string' ? req.query.payment_link_id : undefined,
        channel: typeof req.query.channel === 'string' ? req.query.channel : undefined,
      }),
    ),
  );

  router.get(
    '/callbacks',
    handle((req) =>
      ctx.callbacks.log({
        resource_id: typeof req.query.resource_id === 'string' ? req.query.resource_id : undefined,
        kind: typeof req.query.kind === 'string' ? req.query.kind : undefined,
      }),
    ),
  );

  router.get('/faults', handle(() => ctx.faults.get()));
  router.put(
    '/faults',
    handle((req) => {
      ctx.faults.set(parse(faultsSchema, req.body ?? {}));
      return ctx.faults.get();
    }),
  );
  router.patch(
    '/faults',
    handle((req) => {
      const patch: unknown = req.body ?? {};
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new ControlError(422, 'invalid_request', 'body must be an object');
      ctx.faults.set(parse(faultsSchema, mergeFaults(ctx.faults.get(), patch as Record<string, unknown>)));
      return ctx.faults.get();
    }),
  );

  const clockView = () => ({ now: ctx.clock.iso(), offset_ms: ctx.clock.offset() });
  router.get('/clock', handle(clockView));
  router.post(
    '/clock',
    handle((req) => {
      ctx.clock.advance(parse(clockSchema, req.body).advance_ms);
      expireAllDueLinks(ctx);
      approveAllDueMerchants(ctx);
      return clockView();
    }),
  );

  router.post(
    '/reset',
    handle(() => {
      resetAll();
      return { reset: true };
    }),
  );

  router.use((req, res) => {
    res.status(404).json({ error: 'route_not_found', description: `No route for ${req.method} ${req.originalUrl}` });
  });
  return router;
}
