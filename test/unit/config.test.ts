import { ConfigError, loadConfig, SANDBOX_TENANT_ID } from '../../common/config';

describe('loadConfig', () => {
  it('runs on defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config.temporal).toMatchObject({ address: '127.0.0.1:7233', external: false, namespace: 'default', taskQueue: 'payments' });
    expect(config.api).toMatchObject({ port: 3000, keys: [], publicBaseUrl: 'http://localhost:3000' });
    expect(config.ping).toEqual({
      paymentsApiUrl: 'http://localhost:4010/payments/',
      paymentLinksApiUrl: 'http://localhost:4010/payment_links/',
      tenantId: SANDBOX_TENANT_ID,
      apiSecret: undefined,
    });
    expect(config.sandbox).toEqual({ port: 4010, publicUrl: 'http://localhost:4010' });
  });

  it('uses a given cluster and derives the defaults that depend on ports', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233', API_PORT: '8080', SANDBOX_PORT: '5000', API_KEYS: ' key-aaaaaaaaaaaaaaaa , key-bbbbbbbbbbbbbbbb ' });
    expect(config.temporal).toMatchObject({ address: 'temporal:7233', external: true });
    expect(config.api.publicBaseUrl).toBe('http://localhost:8080');
    expect(config.api.keys).toEqual(['key-aaaaaaaaaaaaaaaa', 'key-bbbbbbbbbbbbbbbb']);
    expect(config.ping.paymentsApiUrl).toBe('http://localhost:5000/payments/');
  });

  it('adds the trailing slash Ping base URLs need', () => {
    const config = loadConfig({
      PING_PAYMENTS_API_URL: 'https://sandbox.pingpayments.com/payments',
      PING_PAYMENT_LINKS_API_URL: 'https://sandbox.pingpayments.com/payment_links/',
      PING_TENANT_ID: '9c4b0fd6-0d0b-4d1a-8a6e-0e6f3b3f4d3e',
      PING_API_SECRET: 'secret',
    });
    expect(config.ping.paymentsApiUrl).toBe('https://sandbox.pingpayments.com/payments/');
    expect(config.ping.paymentLinksApiUrl).toBe('https://sandbox.pingpayments.com/payment_links/');
  });

  it.each([
    [{ API_PORT: 'abc' }, /^Invalid configuration: API_PORT must be a port number \(got "abc"\)$/],
    [{ API_PORT: '70000' }, /API_PORT must be between 1 and 65535/],
    [{ TEMPORAL_DEV_PORT: '1.5' }, /TEMPORAL_DEV_PORT must be an integer/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of trace, debug, info/],
    [{ PUBLIC_BASE_URL: 'ftp://example.com' }, /PUBLIC_BASE_URL must be an http\(s\) URL/],
    [{ PING_TENANT_ID: 'not-a-uuid' }, /PING_TENANT_ID must be a UUID/],
    [{ SMTP_URL: 'http://mail' }, /SMTP_URL must be an smtp:\/\/ URL/],
    [{ API_KEYS: 'short' }, /API_KEYS entries must be at least 16 characters/],
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('names every bad variable at once, on one line', () => {
    const error = (() => {
      try {
        loadConfig({ API_PORT: 'x', SANDBOX_PORT: '0' });
      } catch (err) {
        return err as Error;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.message).toContain('API_PORT');
    expect(error.message).toContain('SANDBOX_PORT');
    expect(error.message).not.toContain('\n');
  });

  it('never echoes a secret back in the error', () => {
    expect(() => loadConfig({ WEBHOOK_SECRET: 'tooshort' })).toThrow(/^Invalid configuration: WEBHOOK_SECRET must be at least 16 characters$/);
  });

  it('requires Ping credentials when pointed at Ping itself', () => {
    expect(() => loadConfig({ PING_PAYMENTS_API_URL: 'https://sandbox.pingpayments.com/payments/' })).toThrow(
      /PING_TENANT_ID and PING_API_SECRET are required/,
    );
  });
});
