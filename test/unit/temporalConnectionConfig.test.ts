import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../common/config/processConfig';

/** TEMPORAL_API_KEY and TEMPORAL_TLS_*: how the worker and API reach Temporal Cloud or a TLS cluster. */
describe('Temporal connection security from the environment', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tls-config-'));
    for (const name of ['client.pem', 'client.key', 'ca.pem']) writeFileSync(path.join(dir, name), `contents of ${name}`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string) => path.join(dir, name);

  it('is plain gRPC by default (dev server, local cluster)', () => {
    expect(loadConfig({}).temporal.connectionOptions).toEqual({ apiKey: undefined });
  });

  it('turns TLS on with an API key (Temporal Cloud)', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'payments.a1b2c', TEMPORAL_API_KEY: 'key-123' });
    expect(config.temporal.connectionOptions).toEqual({ apiKey: 'key-123', tls: {} });
    expect(config.temporal.namespace).toBe('payments.a1b2c');
  });

  it('reads the mTLS client pair, CA and server name from files', () => {
    const { tls } = loadConfig({
      TEMPORAL_TLS_CERT: file('client.pem'),
      TEMPORAL_TLS_KEY: file('client.key'),
      TEMPORAL_TLS_CA: file('ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    }).temporal.connectionOptions;
    expect(tls?.clientCertPair?.crt.toString()).toBe('contents of client.pem');
    expect(tls?.clientCertPair?.key.toString()).toBe('contents of client.key');
    expect(tls?.serverRootCACertificate?.toString()).toBe('contents of ca.pem');
    expect(tls?.serverNameOverride).toBe('temporal.internal');
  });

  it('TEMPORAL_TLS=true alone is TLS trusting the system CAs', () => {
    expect(loadConfig({ TEMPORAL_TLS: 'true' }).temporal.connectionOptions).toEqual({ apiKey: undefined, tls: {} });
  });

  it('refuses half a client pair, an unreadable file, and a bad flag', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CERT: file('client.pem') })).toThrow(/TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY .* go together/);
    expect(() => loadConfig({ TEMPORAL_TLS_CERT: file('missing.pem'), TEMPORAL_TLS_KEY: file('client.key') })).toThrow(/TEMPORAL_TLS_CERT cannot be read .*ENOENT/);
    expect(() => loadConfig({ TEMPORAL_TLS: 'yes' })).toThrow(/TEMPORAL_TLS must be one of true, false/);
    expect(() => loadConfig({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: file('ca.pem') })).toThrow(/contradicts/);
  });
});
