import { randomUUID } from 'node:crypto';
import type { SandboxContext } from '../context';
import type { PaymentLink } from '../entities';
import { forbidden, PingError, unprocessable } from '../errors';
import { metadataKeys } from '../counters';
import { expiryInstant } from '../dueDates';
import { formatMoney } from '../format';
import type { PingApi } from '../http/pingApi';
import { expireDueLinks, setLinkStatus } from '../lifecycle';
import { isLinkProviderMethod } from '../providers';
import { newReference } from '../references';
import { parseOr422 } from '../schemas/common';
import { createInvoiceSchema, createPaymentLinkSchema, distributeSchema } from '../schemas/paymentLinks';
import { paymentLinkWire } from '../wire';
import { linkOr404 } from './lookups';

export const linkUrls = (ctx: SandboxContext, id: string) => ({
  checkout: `${ctx.publicUrl}/checkout/payment-links/${id}`,
  invoice: `${ctx.publicUrl}/documents/payment-links/${id}/invoice.pdf`,
  receipt: `${ctx.publicUrl}/documents/payment-links/${id}/receipt.pdf`,
});

const LINK = '/api/v1/payment_links/:payment_link_id';

function requireOpen(link: PaymentLink, action: string): void {
  if (link.status !== 'CREATED') throw forbidden('operation_forbidden', `Cannot ${action} a payment link that is ${link.status}`);
}

function smsText(link: PaymentLink): string {
  const amount = formatMoney(link.totalAmount, link.currency, link.locale);
  return link.locale === 'nb-NO'
    ? `Hei ${link.customer.first_name}! ${link.supplier.name} har sendt deg en betalingslenke på ${amount}: ${link.checkoutUrl}`
    : `Hej ${link.customer.first_name}! ${link.supplier.name} har skickat en betalningslänk på ${amount}: ${link.checkoutUrl}`;
}

/** Payment Links API (docs/ping-contract.md §5). Reads first expire any link whose due date has passed. */
export function paymentLinkRoutes(ctx: SandboxContext, api: PingApi): void {
  // Liveness answers with or without a tenant_id (docs/ping-contract.md §1.3).
  api.getWithoutTenant('/api/v1/ping', () => ({ status: 200, text: 'pong' }));

  api.post('/api/v1/payment_links', ({ tenant, body }) => {
    const input = parseOr422(createPaymentLinkSchema, body);
    if (input.payment_provider_methods.length === 0) {
      throw forbidden('operation_forbidden', 'payment_provider_methods must name at least one provider and method');
    }
    const unsupported = input.payment_provider_methods.findIndex((m) => !isLinkProviderMethod(m.provider, m.method));
    if (unsupported >= 0) {
      const m = input.payment_provider_methods[unsupported]!;
      throw unprocessable('unsupported_provider_method', `${m.provider}/${m.method} is not offered by payment links`, `payment_provider_methods[${unsupported}]`);
    }
    // [PY]: an unknown order is a 403 here (it is a body field, not the resource being addressed).
    const order = tenant.orders.get(input.payment_order_id.toLowerCase());
    if (!order) throw forbidden('payment_order_not_found', `PaymentOrder ${input.payment_order_id} was not found`);
    if (input.currency !== order.currency) {
      throw unprocessable('currency_mismatch', `currency must equal the PaymentOrder's currency ${order.currency}`, 'currency');
    }
    if (order.status !== 'OPEN') throw forbidden('payment_order_closed', 'Cannot create a PaymentLink for a PaymentOrder that has been closed');
    const sum = input.items.reduce((total, i) => total + i.price * i.quantity, 0);
    if (sum !== input.total_amount) {
      throw new PingError(403, {
        error: 'total_amount_mismatch',
        description: `total_amount ${input.total_amount} does not equal the sum of price × quantity (${sum})`,
        property: 'total_amount',
      });
    }
    // Only a link whose items are all free gets this far with nothing to pay.
    if (input.total_amount < 1) throw unprocessable('invalid_value', 'total_amount must be at least 1', 'total_amount');
    let expiresAt: number | null = null;
    if (input.due_date) {
      const instant = expiryInstant(input.due_date);
      if (instant === undefined) throw unprocessable('invalid_value', 'due_date must be a date (YYYY-MM-DD) or an ISO-8601 date-time', 'due_date');
      if (instant <= ctx.clock.now()) throw unprocessable('invalid_value', 'due_date must not be in the past', 'due_date');
      expiresAt = instant;
    }

    const id = randomUUID();
    const now = ctx.clock.iso();
    const link: PaymentLink = {
      id,
      tenantId: tenant.tenantId,
      orderId: order.id,
      paymentId: null,
      status: 'CREATED',
      smsStatus: 'NOT_CREATED',
      distributedByEmail: false,
      invoice: null,
      currency: input.currency,
      totalAmount: input.total_amount,
      items: input.items,
      customer: input.customer,
      supplier: input.supplier,
      locale: input.locale,
      dueDate: input.due_date,
      expiresAt,
      // A tenant with its own checkout sets checkout_url; otherwise the sandbox's hosted page.
      checkoutUrl: input.checkout_url ?? linkUrls(ctx, id).checkout,
      checkoutSuccessUrl: input.checkout_success_url,
      checkoutCancelUrl: input.checkout_cancel_url,
      deliveryAddress: input.delivery_address,
      invoiceAddress: input.invoice_address,
      logoImageLink: input.logo_image_link,
      callbackUrl: input.payment_link_status_callback_url,
      providerMethods: input.payment_provider_methods,
      metadata: input.metadata,
      createdAt: now,
      completedAt: null,
      statusChangedAt: now,
    };
    tenant.links.set(id, link);
    const keys = metadataKeys(input.metadata);
    if (input.customer.reference) keys.push(`customer.reference=${input.customer.reference}`);
    ctx.counters.created('payment_links', keys);
    return { status: 200, json: { id, checkout_url: link.checkoutUrl } };
  });

  api.get('/api/v1/payment_links', ({ tenant }) => {
    expireDueLinks(ctx, tenant);
    return { status: 200, json: [...tenant.links.values()].map(paymentLinkWire) };
  });

  api.get(LINK, ({ tenant, params }) => {
    expireDueLinks(ctx, tenant);
    return { status: 200, json: paymentLinkWire(linkOr404(tenant, params.payment_link_id)) };
  });

  api.put(`${LINK}/cancel`, ({ tenant, params }) => {
    expireDueLinks(ctx, tenant);
    const link = linkOr404(tenant, params.payment_link_id);
    if (link.status === 'CANCELLED') throw forbidden('already_cancelled', 'The payment link is already cancelled');
    requireOpen(link, 'cancel');
    setLinkStatus(ctx, link, 'CANCELLED');
    return { status: 204 };
  });

  api.put(`${LINK}/distribute`, ({ tenant, params, body }) => {
    expireDueLinks(ctx, tenant);
    const link = linkOr404(tenant, params.payment_link_id);
    const input = parseOr422(distributeSchema, body);
    requireOpen(link, 'distribute');
    const phone = input.customer_phone ?? link.customer.phone;
    const email = input.customer_email ?? link.customer.email;
    if (input.methods.includes('sms') && !phone) throw unprocessable('null_value', 'customer_phone is required to send an SMS', 'customer_phone');
    if (input.methods.includes('email') && !email) throw unprocessable('null_value', 'customer_email is required to send an e-mail', 'customer_email');

    const base = { tenant_id: tenant.tenantId, payment_link_id: link.id, checkout_url: link.checkoutUrl, sent_at: ctx.clock.iso() };
    if (input.methods.includes('sms') && phone) {
      ctx.outbox.add({ ...base, channel: 'sms', to: phone, subject: null, body: smsText(link) });
      ctx.counters.outbox('sms');
      link.smsStatus = 'PENDING';
      // The operator reports delivery a moment later.
      ctx.timers.after(ctx.providerDelayMs, () => {
        if (link.smsStatus === 'PENDING') link.smsStatus = 'DELIVERD';
      });
    }
    if (input.methods.includes('email') && email) {
      const subject = link.locale === 'nb-NO' ? `Betalingslenke fra ${link.supplier.name}` : `Betalningslänk från ${link.supplier.name}`;
      ctx.outbox.add({ ...base, channel: 'email', to: email, subject, body: smsText(link) });
      ctx.counters.outbox('email');
      link.distributedByEmail = true;
    }
    return { status: 204 };
  });

  api.put(`${LINK}/invoice`, ({ tenant, params, body }) => {
    expireDueLinks(ctx, tenant);
    const link = linkOr404(tenant, params.payment_link_id);
    const input = parseOr422(createInvoiceSchema, body);
    if (link.invoice) throw forbidden('invoice_already_exists', 'An invoice has already been created for this payment link');
    requireOpen(link, 'invoice');
    // OCR is Bankgirot's (SEK) reference, KID Norway's (NOK); neither is offered for other currencies.
    const expected = link.currency === 'SEK' ? 'OCR' : link.currency === 'NOK' ? 'KID' : undefined;
    if (input.reference_type !== expected) {
      throw unprocessable('invalid_value', `reference_type ${input.reference_type} is not offered for ${link.currency}`, 'reference_type');
    }
    link.invoice = {
      referenceType: input.reference_type,
      reference: newReference(input.reference_type),
      documentName: input.document_name,
      createdAt: ctx.clock.iso(),
    };
    return { status: 204 };
  });

  api.get(`${LINK}/invoice`, ({ tenant, params }) => {
    const link = linkOr404(tenant, params.payment_link_id);
    if (!link.invoice) throw forbidden('invoice_not_created', 'No invoice has been created for this payment link');
    return {
      status: 200,
      json: { url: linkUrls(ctx, link.id).invoice, reference_type: link.invoice.referenceType, reference: link.invoice.reference },
    };
  });

  api.get(`${LINK}/receipt`, ({ tenant, params }) => {
    expireDueLinks(ctx, tenant);
    const link = linkOr404(tenant, params.payment_link_id);
    if (link.status !== 'COMPLETED') throw forbidden('payment_link_not_paid', 'The payment link has not been paid');
    return { status: 200, json: { url: linkUrls(ctx, link.id).receipt } };
  });
}
