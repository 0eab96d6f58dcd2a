import type { JsonObject, OrderItem } from './entities';

/**
 * How one payment's money is shared out when its order is split. Ping's split trees are not in the
 * contract (docs/ping-contract.md §2.3: `split_parameters` is free-form, e.g. `{"tenant_fee": 2000}`),
 * so the sandbox models the one rule it names and nothing else.
 */

export interface Share {
  recipientType: 'merchant' | 'tenant';
  merchantId: string | null;
  amount: number;
  metadata: JsonObject;
}

/**
 * `tenant_fee` counts only as a whole, non-negative number of minor units ([INFER]); any other value
 * (a string, a fraction, a negative number) is ignored rather than guessed at, so no split can take
 * more than it was told to.
 */
export function tenantFeeOf(splitParameters: JsonObject): number {
  const fee = splitParameters.tenant_fee;
  return typeof fee === 'number' && Number.isInteger(fee) && fee > 0 ? fee : 0;
}

interface MerchantShare {
  merchantId: string;
  amount: number;
  metadata: JsonObject;
}

/** One share per distinct merchant, in the order the merchants first appear among the items. */
function merchantShares(items: OrderItem[]): MerchantShare[] {
  const byMerchant = new Map<string, MerchantShare>();
  for (const item of items) {
    // Items routed to a liquidity account (docs/ping-contract.md §2.4) are not a recipient's share
    // and are not allocated by the sandbox.
    if (!item.merchant_id) continue;
    const share = byMerchant.get(item.merchant_id) ?? { merchantId: item.merchant_id, amount: 0, metadata: {} };
    share.amount += item.amount;
    // Item metadata comes back on allocations [CL 1.6.0]; a merchant's later items win on a clash.
    share.metadata = { ...share.metadata, ...item.metadata };
    byMerchant.set(item.merchant_id, share);
  }
  return [...byMerchant.values()];
}

/**
 * [INFER] The fee is taken from the merchants in proportion to their shares (largest remainder, so
 * the parts add up to the fee exactly), and is capped at their total: no share ever goes negative
 * and the tenant never gets more than the payment brought in. An allocation of nothing moves no
 * money and is left out.
 */
export function splitPayment(items: OrderItem[], splitParameters: JsonObject): Share[] {
  const merchants = merchantShares(items);
  const total = merchants.reduce((sum, m) => sum + m.amount, 0);
  const fee = Math.min(tenantFeeOf(splitParameters), total);

  // Integer arithmetic: fee × amount / total as a quotient and a remainder, exactly.
  const parts = merchants.map((m, index) => {
    const scaled = fee * m.amount;
    const remainder = total === 0 ? 0 : scaled % total;
    return { index, part: total === 0 ? 0 : (scaled - remainder) / total, remainder };
  });
  let left = fee - parts.reduce((sum, p) => sum + p.part, 0);
  for (const p of [...parts].sort((a, b) => b.remainder - a.remainder || a.index - b.index)) {
    if (left === 0) break;
    p.part += 1;
    left -= 1;
  }

  const shares: Share[] = merchants.map((m, i) => ({
    recipientType: 'merchant',
    merchantId: m.merchantId,
    amount: m.amount - parts[i]!.part,
    metadata: m.metadata,
  }));
  if (fee > 0) shares.push({ recipientType: 'tenant', merchantId: null, amount: fee, metadata: {} });
  return shares.filter((s) => s.amount > 0);
}
