import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * Custom search attributes: how support staff find a payment in the Web UI and how the API lists
 * payments. Defined once here; the dev-server launcher registers exactly this list, so a key used in a
 * workflow can never be missing on the server.
 */
export const PaymentStatus = defineSearchAttributeKey('PaymentStatus', 'KEYWORD');
export const PaymentFlow = defineSearchAttributeKey('PaymentFlow', 'KEYWORD');
export const MerchantReference = defineSearchAttributeKey('MerchantReference', 'KEYWORD');
export const PingPaymentOrderId = defineSearchAttributeKey('PingPaymentOrderId', 'KEYWORD');
export const PingPaymentLinkId = defineSearchAttributeKey('PingPaymentLinkId', 'KEYWORD');
export const PingPaymentId = defineSearchAttributeKey('PingPaymentId', 'KEYWORD');
export const AmountMinor = defineSearchAttributeKey('AmountMinor', 'INT');
export const Currency = defineSearchAttributeKey('Currency', 'KEYWORD');
export const DueAt = defineSearchAttributeKey('DueAt', 'DATETIME');
/** Ping completed the payment after we had ended it; support staff list these. */
export const LatePayment = defineSearchAttributeKey('LatePayment', 'BOOL');
/** pending, settled or failed; unset until the payment is paid. */
export const SettlementStatus = defineSearchAttributeKey('SettlementStatus', 'KEYWORD');
/** Our merchant id (`mer_…`), on a merchant's payments and on its own workflow; the Web UI lists one merchant's payments by it. */
export const MerchantId = defineSearchAttributeKey('MerchantId', 'KEYWORD');
/** Ping's id of a merchant, on its workflow: how Ping's status callback finds it. */
export const PingMerchantId = defineSearchAttributeKey('PingMerchantId', 'KEYWORD');
/*
 * The subscription's two are keyword lists of one value, not keywords: SQL visibility (the dev
 * server's SQLite, the cluster's PostgreSQL) takes at most 10 Keyword attributes, and the payments
 * use all ten. `SubscriptionId = 'sub_…'` matches a list holding it, so queries read the same.
 */
/** A subscription's id (`sub_…`), on its workflow and on each of its invoices' payments. */
export const SubscriptionId = defineSearchAttributeKey('SubscriptionId', 'KEYWORD_LIST');
/** active, past_due, paused, cancelled or ended: kept current by the subscription workflow, for lists. */
export const SubscriptionStatus = defineSearchAttributeKey('SubscriptionStatus', 'KEYWORD_LIST');

export const SEARCH_ATTRIBUTES = [
  PaymentStatus,
  PaymentFlow,
  MerchantReference,
  PingPaymentOrderId,
  PingPaymentLinkId,
  PingPaymentId,
  AmountMinor,
  Currency,
  DueAt,
  LatePayment,
  SettlementStatus,
  MerchantId,
  PingMerchantId,
  SubscriptionId,
  SubscriptionStatus,
] as const;
