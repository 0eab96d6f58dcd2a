/**
 * The Message-ID is derived from the payment, not generated: when the SMTP server accepted the mail but
 * its reply was lost (a timeout after DATA), the activity fails and Temporal sends it again. The second
 * copy then carries the same Message-ID, so mail clients and support staff see it as the same receipt.
 * Characters outside [A-Za-z0-9_-] are written as their UTF-8 bytes, `=XX` each (as quoted-printable
 * does), so any payment id gives a valid id, and distinct payment ids distinct ones.
 */
export function receiptMessageId(paymentId: string): string {
  return `<receipt.${safeToken(paymentId)}@ping-orchestrator>`;
}

export function safeToken(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/gu, (c) =>
    [...Buffer.from(c, 'utf8')].map((byte) => `=${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

/**
 * The refund e-mail's counterpart of `receiptMessageId`: fixed per payment (a payment is refunded in
 * full, once: docs/ping-contract.md §8.13), and never equal to its receipt's, which is another mail.
 */
export function refundMessageId(paymentId: string): string {
  return `<refund.${safeToken(paymentId)}@ping-orchestrator>`;
}
