import type { Client } from '@temporalio/client';
import { merchantWorkflowId } from '../domain/merchant';
import { merchantQuery } from '../domain/merchantMessages';

export interface SigningVersionsOptions {
  /** The worker's client (worker/temporalClient.ts). */
  client: () => Promise<Client>;
  /** How long a version read is trusted: a rotation reaches deliveries within this. */
  ttlMs?: number;
}

/**
 * The signing-secret version of a merchant, read from its workflow (a query: nothing is written)
 * and kept a few seconds, so a burst of deliveries asks once.
 */
export function merchantSigningVersions({ client, ttlMs = 2_000 }: SigningVersionsOptions) {
  const known = new Map<string, { version: number; at: number }>();
  return {
    async versionOf(merchantId: string): Promise<number> {
      const cached = known.get(merchantId);
      if (cached && Date.now() - cached.at < ttlMs) return cached.version;
      const merchant = await (await client()).workflow.getHandle(merchantWorkflowId(merchantId)).query(merchantQuery);
      known.set(merchantId, { version: merchant.signing_secret_version, at: Date.now() });
      return merchant.signing_secret_version;
    },
  };
}
