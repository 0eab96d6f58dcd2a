import { randomUUID } from 'node:crypto';
import { sandboxBankAccount } from './bankAccounts';
import type { SandboxContext } from './context';
import type { Allocation, Payment, PaymentOrder } from './entities';
import { hasRefund } from './refunds';
import { splitPayment } from './split';
import type { TenantState } from './store';

/** The name the sandbox's tenant goes by (also what `GET api/v1/tenant` answers). */
export const SANDBOX_TENANT_NAME = 'Sandbox tenant';

/**
 * Only money that stays is allocated: a COMPLETED payment without a refund, pending or done. A
 * refunded payment's money went back to the payer, so no merchant may be paid it (docs/ping-contract.md §2.7, [INFER]).
 */
function allocatable(payment: Payment): boolean {
  return payment.status === 'COMPLETED' && !hasRefund(payment);
}

function recipientName(tenant: TenantState, merchantId: string | null): string {
  if (merchantId === null) return SANDBOX_TENANT_NAME;
  // Order items may name a merchant the sandbox never created (sandbox/README.md).
  return tenant.merchants.get(merchantId)?.name ?? `Merchant ${merchantId.slice(0, 8)}`;
}

/** Makes and stores the order's allocations, once, when it is split (docs/ping-contract.md §2.3, §2.7). */
export function allocateOrder(ctx: SandboxContext, tenant: TenantState, order: PaymentOrder): Allocation[] {
  const now = ctx.clock.iso();
  const made: Allocation[] = [];
  for (const paymentId of order.paymentIds) {
    const payment = tenant.payments.get(paymentId);
    if (!payment || !allocatable(payment)) continue;
    for (const share of splitPayment(payment.orderItems, order.splitParameters)) {
      const allocation: Allocation = {
        id: randomUUID(),
        tenantId: tenant.tenantId,
        orderId: order.id,
        paymentId: payment.id,
        allocatedAt: now,
        amount: share.amount,
        currency: payment.currency,
        recipientType: share.recipientType,
        merchantId: share.merchantId,
        orderItemMerchantId: share.merchantId,
        recipientName: recipientName(tenant, share.merchantId),
        recipientBankAccount: sandboxBankAccount(share.merchantId ?? tenant.tenantId, payment.currency),
        label: share.recipientType === 'tenant' ? 'tenant_fee' : 'merchant_share',
        // What the payout's bank transfer would carry: the payment it came from, short enough for a bank.
        reference: payment.id.replace(/-/g, '').slice(0, 16).toUpperCase(),
        metadata: share.metadata,
        settledAt: null,
        disbursedAt: null,
        disbursementId: null,
      };
      tenant.allocations.set(allocation.id, allocation);
      made.push(allocation);
    }
  }
  return made;
}

export function allocationsOf(tenant: TenantState, orderId: string): Allocation[] {
  return [...tenant.allocations.values()].filter((a) => a.orderId === orderId);
}

/** Allocations exist only once an order is split (docs/ping-contract.md §2.3). */
export function isSplit(order: PaymentOrder): boolean {
  return order.status === 'SPLIT' || order.status === 'SETTLED';
}
