import type { Logger } from '../common/logger';
import { tenantWebhookToken } from '../common/webhookToken';
import type { PingClient } from '../ping';

/**
 * Where Ping sends the tenant's own callbacks: a merchant's status, and a top-up of the credit
 * account. Ping keeps them on the tenant (`PUT api/v1/tenant`), not per merchant, so the worker sets
 * them at every start, from PUBLIC_BASE_URL and a token per purpose (common/webhookToken.ts) that
 * the API checks on `/webhooks/ping/merchants/:token` and `/webhooks/ping/credit-top-ups/:token`.
 */
export interface TenantCallbackUrls {
  merchant_status_callback_url: string;
  credit_account_top_up_callback_url: string;
}

export interface TenantRegistrationDeps {
  ping: PingClient;
  publicBaseUrl: string;
  webhookSecret: string;
}

export function tenantCallbackUrls(publicBaseUrl: string, webhookSecret: string): TenantCallbackUrls {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return {
    merchant_status_callback_url: `${base}/webhooks/ping/merchants/${tenantWebhookToken(webhookSecret, 'merchant-status')}`,
    credit_account_top_up_callback_url: `${base}/webhooks/ping/credit-top-ups/${tenantWebhookToken(webhookSecret, 'credit-top-up')}`,
  };
}

/**
 * Sets the tenant's callback URLs unless Ping has them already. The PUT replaces all three URLs, so
 * the disbursement URL (not ours to choose) is read first and sent back as it was.
 */
export async function registerTenant({ ping, publicBaseUrl, webhookSecret }: TenantRegistrationDeps, signal?: AbortSignal): Promise<'unchanged' | 'updated'> {
  const urls = tenantCallbackUrls(publicBaseUrl, webhookSecret);
  const tenant = await ping.getTenant({ signal });
  if (tenant.merchant_status_callback_url === urls.merchant_status_callback_url && tenant.credit_account_top_up_callback_url === urls.credit_account_top_up_callback_url) {
    return 'unchanged';
  }
  await ping.updateTenant({ ...urls, disbursement_callback_url: tenant.disbursement_callback_url || null }, { signal });
  return 'updated';
}

export interface TenantRegistration {
  /** Settles once the URLs are registered, or once stopped. Never rejects. */
  readonly done: Promise<void>;
  stop(): void;
}

/**
 * The registration, kept trying in the background until it succeeds: a Ping that is down or
 * misconfigured at the worker's start costs the merchants' callbacks for a while (their workflows
 * poll until a merchant is decided, so nothing is lost but time), never the payments, which is why
 * it must not stop the worker from starting.
 */
export function registerTenantInBackground(
  deps: TenantRegistrationDeps & { logger: Logger; initialDelayMs?: number; maxDelayMs?: number },
): TenantRegistration {
  const { logger, initialDelayMs = 1_000, maxDelayMs = 5 * 60_000 } = deps;
  const aborter = new AbortController();
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      // A worker shutting down does not wait for the next try.
      timer = setTimeout(resolve, ms).unref();
    });

  const done = (async () => {
    let delay = initialDelayMs;
    for (let attempt = 1; !aborter.signal.aborted; attempt++) {
      try {
        const outcome = await registerTenant(deps, aborter.signal);
        logger.info({ outcome, attempt }, 'Ping tenant callback URLs registered');
        return;
      } catch (err) {
        if (aborter.signal.aborted) return;
        logger.warn({ err: err instanceof Error ? err.message : String(err), attempt, retryInMs: delay }, 'could not register the Ping tenant callback URLs; trying again');
      }
      await pause(delay);
      delay = Math.min(delay * 2, maxDelayMs);
    }
  })();

  return {
    done,
    stop() {
      aborter.abort();
      clearTimeout(timer);
      wake?.();
    },
  };
}
