/**
 * What a status fetched from Ping means for us; each flow maps its Ping statuses to one. `pingHistory`
 * is Ping's own status history where Ping keeps one (payments); without it (links) the statuses we
 * observe make up the history.
 */
export type Outcome = { pingStatus: string; pingHistory?: Array<{ status: string; at: string }> } & (
  | { kind: 'pending' }
  | { kind: 'paid'; pingPaymentId?: string | null }
  | { kind: 'expired' | 'cancelled' | 'failed' }
);

/** Ping's ids of one payment, as the resource and the search attributes keep them. */
export interface PingIds {
  orderId?: string;
  linkId?: string;
  pingPaymentId?: string;
}
