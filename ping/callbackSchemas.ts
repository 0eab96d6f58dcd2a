import { z } from 'zod';
import { openEnum, paymentLinkStatuses, paymentStatuses, pingId, timestamp } from './commonSchemas';
import { merchantStatuses } from './merchantsSchemas';

/**
 * Bodies Ping POSTs to our webhooks (docs/ping-contract.md §4). A callback is a trigger, never the
 * truth: the workflow re-fetches the link or payment before acting. So these schemas are lenient where
 * strictness could only make us reject (and Ping retry or drop) a genuine callback, and each normalises
 * its body to camelCase fields that do not depend on which spelling Ping used.
 */

/**
 * Documented by Ping: `{"payment_link_id", "status", "occured_at"}` with `occured_at` spelled with one
 * "r". The corrected spelling is accepted too. The status is open: an unknown value still identifies
 * the link, and the re-fetch decides what it means.
 */
export const paymentLinkStatusCallbackSchema = z
  .looseObject({
    payment_link_id: pingId,
    status: openEnum(paymentLinkStatuses),
    occured_at: timestamp.optional(),
    occurred_at: timestamp.optional(),
  })
  .transform((body) => ({
    paymentLinkId: body.payment_link_id,
    status: body.status,
    occurredAt: body.occured_at ?? body.occurred_at,
  }));

/**
 * UNKNOWN shape (docs/ping-contract.md §4, §9): neither the SDK nor the docs show a payment status
 * callback. Accepted variants: `{payment_id, payment_order_id?, status, occurred_at | occured_at, ...}`,
 * mirroring a status_history entry plus ids (the best guess of §4), and `{id, status}`, mirroring the
 * Payment resource. Every field is optional because our webhook URL already names the payment
 * (`/webhooks/ping/payments/:id`): a body we cannot read must still wake the workflow, which re-fetches.
 * Ids that are present must be Guids, since a malformed one would point the workflow at nothing.
 */
export const paymentStatusCallbackSchema = z
  .looseObject({
    payment_id: pingId.optional(),
    id: pingId.optional(),
    payment_order_id: pingId.optional(),
    status: openEnum(paymentStatuses).optional(),
    occurred_at: timestamp.optional(),
    occured_at: timestamp.optional(),
  })
  .transform((body) => ({
    paymentId: body.payment_id ?? body.id,
    paymentOrderId: body.payment_order_id,
    status: body.status,
    occurredAt: body.occurred_at ?? body.occured_at,
  }));

/**
 * UNKNOWN shape (docs/ping-contract.md §4, §9): Ping names `merchant_status_callback_url` on the
 * tenant but shows no body. Our reading is `{merchant_id, status, occurred_at}`, shaped like the
 * payment callback, with `{id, status}` and either spelling of the time accepted too. Everything is
 * optional: the URL is the tenant's, not a merchant's, so a body without an id still says "some
 * merchant changed", and the receiver reads the merchants it cares about from Ping.
 */
export const merchantStatusCallbackSchema = z
  .looseObject({
    merchant_id: pingId.optional(),
    id: pingId.optional(),
    status: openEnum(merchantStatuses).optional(),
    occurred_at: timestamp.optional(),
    occured_at: timestamp.optional(),
  })
  .transform((body) => ({
    merchantId: body.merchant_id ?? body.id,
    status: body.status,
    occurredAt: body.occurred_at ?? body.occured_at,
  }));

export type PaymentLinkStatusCallback = z.output<typeof paymentLinkStatusCallbackSchema>;
export type PaymentStatusCallback = z.output<typeof paymentStatusCallbackSchema>;
export type MerchantStatusCallback = z.output<typeof merchantStatusCallbackSchema>;
