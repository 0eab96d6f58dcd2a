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
] as const;
