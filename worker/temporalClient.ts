import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { queryInterceptors } from '../common/workflowQueries';

export interface TemporalClientOptions {
  address: string;
  namespace: string;
  connectionOptions?: Omit<Parameters<typeof Connection.connect>[0], 'address'>;
  /** The worker's own: payloads it writes (a subscription's invoices) are sealed like every other. */
  dataConverter: DataConverter;
}

/**
 * The worker's client of Temporal, for what its activities ask of other workflows (a merchant's
 * signing version, a subscription's invoices). It connects on first use: a worker that never needs
 * it never opens it.
 */
export function lazyTemporalClient({ address, namespace, connectionOptions, dataConverter }: TemporalClientOptions) {
  let client: Promise<Client> | undefined;
  return {
    get: (): Promise<Client> => (client ??= Connection.connect({ address, ...connectionOptions }).then((connection) => new Client({ connection, namespace, dataConverter, interceptors: queryInterceptors(connection) }))),
    async close(): Promise<void> {
      if (client) await (await client).connection.close();
    },
  };
}
