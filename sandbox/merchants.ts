import { randomUUID } from 'node:crypto';
import type { SandboxContext } from './context';
import type { JsonObject, Merchant, MerchantStatus } from './entities';
import type { TenantState } from './store';

/**
 * A merchant's onboarding (docs/ping-contract.md §2.6, §7). At Ping a new merchant is CREATED and a
 * KYC decision moves it on; in Ping's sandbox that decision comes from Mimic. Here a new merchant is
 * approved by itself after `merchantApprovalDelayMs`, unless a decision (Mimic's PUT or the control
 * API) comes first, so a flow that waits for APPROVED works without anyone driving it, and a test
 * can still hold a merchant back or deny it.
 */

export const DEFAULT_MERCHANT_APPROVAL_DELAY_MS = 300;
/** The longest delay a Node timer keeps (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

export interface NewMerchant {
  name: string;
  email: string | null;
  phoneNumber: string | null;
  organization: JsonObject | null;
  person: JsonObject | null;
}

export function createMerchantRecord(ctx: SandboxContext, tenant: TenantState, input: NewMerchant): Merchant {
  // One reading of the clock, so approves_at is exactly the delay after created_at.
  const nowMs = ctx.clock.now();
  const now = new Date(nowMs).toISOString();
  const delay = ctx.merchantApprovalDelayMs;
  const merchant: Merchant = {
    id: randomUUID(),
    tenantId: tenant.tenantId,
    ...input,
    status: 'CREATED',
    createdAt: now,
    statusChangedAt: now,
    approvesAt: delay === null ? null : nowMs + delay,
  };
  tenant.merchants.set(merchant.id, merchant);
  if (delay !== null) {
    ctx.timers.after(delay, () => {
      // A reset forgets the merchant; a decision in the meantime has cleared approvesAt.
      if (ctx.store.findMerchant(merchant.id) === merchant && merchant.approvesAt !== null) approveAutomatically(ctx, merchant);
    });
  }
  return merchant;
}

function approveAutomatically(ctx: SandboxContext, merchant: Merchant): void {
  merchant.approvesAt = null;
  setMerchantStatus(ctx, merchant, 'APPROVED');
}

/**
 * Approvals that are due by sandbox time. The timer does this in real time; this catches a clock
 * moved forward through the control API, and reads just as the timer is due, as due dates are
 * checked on every read (sandbox/lifecycle.ts).
 */
export function approveDueMerchants(ctx: SandboxContext, tenant: TenantState): void {
  const now = ctx.clock.now();
  for (const merchant of tenant.merchants.values()) {
    if (merchant.approvesAt !== null && merchant.approvesAt <= now) approveAutomatically(ctx, merchant);
  }
}

export function approveAllDueMerchants(ctx: SandboxContext): void {
  for (const tenant of ctx.store.allTenants()) approveDueMerchants(ctx, tenant);
}

/**
 * A decision from Mimic or the control API. It ends the automatic approval even when the status
 * stays the same, so setting CREATED holds a new merchant back for good.
 */
export function decideMerchantStatus(ctx: SandboxContext, merchant: Merchant, status: MerchantStatus): boolean {
  merchant.approvesAt = null;
  return setMerchantStatus(ctx, merchant, status);
}

/** Moves a merchant to `status` and sends the tenant's merchant callback; nothing happens when it is already there. */
function setMerchantStatus(ctx: SandboxContext, merchant: Merchant, status: MerchantStatus): boolean {
  if (merchant.status === status) return false;
  merchant.status = status;
  merchant.statusChangedAt = ctx.clock.iso();
  sendMerchantCallback(ctx, merchant);
  return true;
}

/**
 * POSTs to the tenant's `merchant_status_callback_url` as it is set now (PUT api/v1/tenant); false
 * when none is set. Ping documents no body for this callback (docs/ping-contract.md §4): this one is
 * our inference, shaped like the payment callback, `{merchant_id, status, occurred_at}`. Our service
 * takes it only as a trigger and reads the merchant from Ping.
 */
export function sendMerchantCallback(ctx: SandboxContext, merchant: Merchant): boolean {
  const url = ctx.store.tenant(merchant.tenantId).settings.merchant_status_callback_url;
  if (!url) return false;
  ctx.callbacks.enqueue({
    kind: 'merchant',
    tenantId: merchant.tenantId,
    resourceId: merchant.id,
    url,
    body: { merchant_id: merchant.id, status: merchant.status, occurred_at: merchant.statusChangedAt },
  });
  return true;
}

/**
 * `SANDBOX_MERCHANT_APPROVAL_MS` for `npm run sandbox`: unset or empty keeps the default, a whole
 * number of milliseconds sets the delay, and `off` (or any negative number) turns automatic approval
 * off. Undefined means the default; null means never.
 */
export function merchantApprovalDelayFromEnv(raw: string | undefined): number | null | undefined {
  const value = raw?.trim() ?? '';
  if (value === '') return undefined;
  if (value.toLowerCase() === 'off') return null;
  if (!/^-?\d+$/.test(value)) {
    throw new Error(`SANDBOX_MERCHANT_APPROVAL_MS must be a whole number of milliseconds, or off (got ${JSON.stringify(raw)})`);
  }
  const ms = Number(value);
  if (ms < 0) return null;
  // Node fires a longer timeout at once (with a warning) instead of never.
  if (ms > MAX_TIMER_MS) throw new Error(`SANDBOX_MERCHANT_APPROVAL_MS must be at most ${MAX_TIMER_MS} ms, or off (got ${JSON.stringify(raw)})`);
  return ms;
}
