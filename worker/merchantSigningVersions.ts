import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { merchantWorkflowId } from '../domain/merchant';
import { merchantQuery } from '../domain/merchantMessages';

export interface SigningVersionsOptions {
  address: string;
  namespace: string;
  connectionOptions?: Omit<Parameters<typeof Connection.connect>[0], 'address'>;
  dataConverter: DataConverter;
  /** How long a version read is trusted: a rotation reaches deliveries within this. */
  ttlMs?: number;
}

/**
 * The signing-secret version of a merchant, read from its workflow (a query: nothing is written)
 * and kept a few seconds, so a burst of deliveries asks once. The client connects on first use: a
 * worker that only ever delivers platform events never opens it.
 */
export function merchantSigningVersions({ address, namespace, connectionOptions, dataConverter, ttlMs = 2_000 }: SigningVersionsOptions) {
  let client: Promise<Client> | undefined;
  const known = new Map<string, { version: number; at: number }>();
  const connect = () => (client ??= Connection.connect({ address, ...connectionOptions }).then((connection) => new Client({ connection, namespace, dataConverter })));
  return {
    async versionOf(merchantId: string): Promise<number> {
      const cached = known.get(merchantId);
      if (cached && Date.now() - cached.at < ttlMs) return cached.version;
      const merchant = await (await connect()).workflow.getHandle(merchantWorkflowId(merchantId)).query(merchantQuery);
      known.set(merchantId, { version: merchant.signing_secret_version, at: Date.now() });
      return merchant.signing_secret_version;
    },
    async close(): Promise<void> {
      if (client) await (await client).connection.close();
    },
  };
}
