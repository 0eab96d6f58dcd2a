import { readFileSync } from 'node:fs';
import { ConfigError } from './values';
import type { ParsedEnv } from './variables';

/** The part of `ConnectionOptions` / `NativeConnectionOptions` that secures the connection. */
export interface TemporalConnectionOptions {
  apiKey?: string;
  /** Undefined: plain gRPC (a local dev server or cluster). `{}`: TLS trusting the system's CAs. */
  tls?: {
    clientCertPair?: { crt: Buffer; key: Buffer };
    serverRootCACertificate?: Buffer;
    serverNameOverride?: string;
  };
}

function readConfigFile(name: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`Invalid configuration: ${name} cannot be read (${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** TEMPORAL_API_KEY and TEMPORAL_TLS_*: files are read here, so a wrong path fails at start-up. */
export function temporalConnectionOptions(e: ParsedEnv): TemporalConnectionOptions {
  if (Boolean(e.TEMPORAL_TLS_CERT) !== Boolean(e.TEMPORAL_TLS_KEY)) {
    throw new ConfigError('Invalid configuration: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (the mTLS client certificate and its key) go together');
  }
  const tlsDetails = e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_CA || e.TEMPORAL_TLS_SERVER_NAME;
  const tlsOn = e.TEMPORAL_TLS === 'true' || (e.TEMPORAL_TLS !== 'false' && Boolean(e.TEMPORAL_API_KEY || tlsDetails));
  if (!tlsOn) {
    if (tlsDetails) throw new ConfigError('Invalid configuration: TEMPORAL_TLS=false contradicts the TEMPORAL_TLS_* files given');
    return { apiKey: e.TEMPORAL_API_KEY };
  }
  return {
    apiKey: e.TEMPORAL_API_KEY,
    tls: {
      ...(e.TEMPORAL_TLS_CERT && e.TEMPORAL_TLS_KEY
        ? { clientCertPair: { crt: readConfigFile('TEMPORAL_TLS_CERT', e.TEMPORAL_TLS_CERT), key: readConfigFile('TEMPORAL_TLS_KEY', e.TEMPORAL_TLS_KEY) } }
        : {}),
      ...(e.TEMPORAL_TLS_CA ? { serverRootCACertificate: readConfigFile('TEMPORAL_TLS_CA', e.TEMPORAL_TLS_CA) } : {}),
      ...(e.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: e.TEMPORAL_TLS_SERVER_NAME } : {}),
    },
  };
}
