import { loadDevServerTuning } from '../../common/config/devServer';
import { loadConfig, SANDBOX_TENANT_ID } from '../../common/config/processConfig';
import { ConfigError } from '../../common/config/values';
import { devServerTuningArgs } from '../../scripts/devServer';
import { workerTuningOptions } from '../../worker/createWorker';

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
    [{ PING_TENANT_ID: 'not-a-uuid' }, /PING_TENANT_ID must be a Ping id \(8-4-4-4-12 hex digits\)/],
    [{ SMTP_URL: 'http://mail' }, /SMTP_URL must be an smtp:\/\/ URL/],
    [{ API_KEYS: 'short' }, /API_KEYS entries must be at least 16 characters/],
    [{ TEMPORAL_DEV_SQLITE_PRAGMAS: 'journal_mode' }, /^Invalid configuration: TEMPORAL_DEV_SQLITE_PRAGMAS must be comma-separated name=value SQLite pragmas.*"journal_mode" is not one/],
    [{ TEMPORAL_DEV_SQLITE_PRAGMAS: 'journal_mode=wal;synchronous=off' }, /TEMPORAL_DEV_SQLITE_PRAGMAS must be comma-separated/],
    [{ TEMPORAL_DEV_DYNAMIC_CONFIG: 'matching.numTaskqueueReadPartitions=one' }, /TEMPORAL_DEV_DYNAMIC_CONFIG must be comma-separated key=value .*JSON.*"matching.numTaskqueueReadPartitions=one" is not one/],
    [{ TEMPORAL_DEV_DYNAMIC_CONFIG: '=1' }, /TEMPORAL_DEV_DYNAMIC_CONFIG must be comma-separated/],
    [{ WORKER_MAX_CACHED_WORKFLOWS: 'lots' }, /^Invalid configuration: WORKER_MAX_CACHED_WORKFLOWS must be a whole number \(got "lots"\)$/],
    [{ WORKER_MAX_CACHED_WORKFLOWS: '1' }, /WORKER_MAX_CACHED_WORKFLOWS must be at least 2/],
    [{ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' }, /WORKER_MAX_CONCURRENT_WORKFLOW_TASKS must be at least 2/],
    [{ WORKER_MAX_CONCURRENT_ACTIVITIES: '0' }, /WORKER_MAX_CONCURRENT_ACTIVITIES must be at least 1/],
    [{ WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '2.5' }, /WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES must be a whole number/],
    [{ WORKER_WORKFLOW_TASK_POLLERS: '' }, /WORKER_WORKFLOW_TASK_POLLERS must be at least 2/],
    [{ WORKER_ACTIVITY_TASK_POLLERS: '-3' }, /WORKER_ACTIVITY_TASK_POLLERS must be at least 1/],
    [{ WORKER_MAX_CACHED_WORKFLOWS: '20', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '40' }, /WORKER_MAX_CONCURRENT_WORKFLOW_TASKS \(40\) must not exceed WORKER_MAX_CACHED_WORKFLOWS \(20\)/],
    [{ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '4', WORKER_WORKFLOW_TASK_POLLERS: '8' }, /WORKER_WORKFLOW_TASK_POLLERS \(8\) must not exceed WORKER_MAX_CONCURRENT_WORKFLOW_TASKS \(4\)/],
    [{ WORKER_ACTIVITY_TASK_POLLERS: '101' }, /WORKER_ACTIVITY_TASK_POLLERS \(101\) must not exceed WORKER_MAX_CONCURRENT_ACTIVITIES \(100\)/],
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

describe('dev server tuning (TEMPORAL_DEV_*)', () => {
  const DEFAULTS = {
    sqlitePragmas: { journal_mode: 'wal', synchronous: 'normal' },
    dynamicConfig: {
      'matching.numTaskqueueReadPartitions': '1',
      'matching.numTaskqueueWritePartitions': '1',
      'system.forceSearchAttributesCacheRefreshOnRead': 'false',
      'system.enableActivityEagerExecution': 'true',
    },
  };

  it('defaults to WAL with synchronous=NORMAL, one task-queue partition, cached search attributes and eager activities', () => {
    expect(loadConfig({}).temporal.devServer).toEqual(DEFAULTS);
    expect(loadDevServerTuning({})).toEqual(DEFAULTS);
  });

  it('parses comma-separated entries, trimmed; empty means none; a later entry wins', () => {
    const tuning = loadDevServerTuning({
      TEMPORAL_DEV_SQLITE_PRAGMAS: ' journal_mode = wal , synchronous=off,, synchronous=full ',
      TEMPORAL_DEV_DYNAMIC_CONFIG: 'limit.maxIDLength=255,frontend.namespaceRPS="x",history.cacheMaxSize=-1.5',
    });
    expect(tuning.sqlitePragmas).toEqual({ journal_mode: 'wal', synchronous: 'full' });
    expect(tuning.dynamicConfig).toEqual({ 'limit.maxIDLength': '255', 'frontend.namespaceRPS': '"x"', 'history.cacheMaxSize': '-1.5' });
    expect(loadConfig({ TEMPORAL_DEV_SQLITE_PRAGMAS: '', TEMPORAL_DEV_DYNAMIC_CONFIG: '  ' }).temporal.devServer).toEqual({ sqlitePragmas: {}, dynamicConfig: {} });
    // An own property, whatever its name.
    expect(Object.getPrototypeOf(loadDevServerTuning({ TEMPORAL_DEV_SQLITE_PRAGMAS: '__proto__=x' }).sqlitePragmas)).toBe(Object.prototype);
  });

  it('reads only its own two variables', () => {
    expect(() => loadDevServerTuning({ API_PORT: 'abc' })).not.toThrow();
    expect(() => loadDevServerTuning({ TEMPORAL_DEV_DYNAMIC_CONFIG: 'a=b' })).toThrow(ConfigError);
    expect(() => loadDevServerTuning({ TEMPORAL_DEV_DYNAMIC_CONFIG: 'a=b' })).toThrow(/TEMPORAL_DEV_DYNAMIC_CONFIG/);
  });

  it('becomes one CLI flag per entry, the pragmas only with a database file', () => {
    const tuning = { sqlitePragmas: { journal_mode: 'wal' }, dynamicConfig: { 'system.enableActivityEagerExecution': 'true' } };
    expect(devServerTuningArgs(tuning, true)).toEqual([
      '--sqlite-pragma',
      'journal_mode=wal',
      '--dynamic-config-value',
      'system.enableActivityEagerExecution=true',
    ]);
    expect(devServerTuningArgs(tuning, false)).toEqual(['--dynamic-config-value', 'system.enableActivityEagerExecution=true']);
    expect(devServerTuningArgs({ sqlitePragmas: {}, dynamicConfig: {} }, true)).toEqual([]);
  });
});

describe('worker tuning (WORKER_*)', () => {
  it("defaults to a cache of 1000 and the SDK's own concurrency defaults", () => {
    expect(loadConfig({}).worker.tuning).toEqual({
      maxCachedWorkflows: 1000,
      maxConcurrentWorkflowTaskExecutions: 40,
      maxConcurrentActivityTaskExecutions: 100,
      maxConcurrentLocalActivityExecutions: 100,
      workflowTaskPollers: 10,
      activityTaskPollers: 10,
    });
  });

  it('parses each variable; unset pollers follow the SDK: min(10, the slots they poll for)', () => {
    const env = {
      WORKER_MAX_CACHED_WORKFLOWS: ' 500 ',
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '8',
      WORKER_MAX_CONCURRENT_ACTIVITIES: '6',
      WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '30',
    };
    expect(loadConfig(env).worker.tuning).toEqual({
      maxCachedWorkflows: 500,
      maxConcurrentWorkflowTaskExecutions: 8,
      maxConcurrentActivityTaskExecutions: 6,
      maxConcurrentLocalActivityExecutions: 30,
      workflowTaskPollers: 8,
      activityTaskPollers: 6,
    });
    expect(loadConfig({ ...env, WORKER_WORKFLOW_TASK_POLLERS: '4', WORKER_ACTIVITY_TASK_POLLERS: '2' }).worker.tuning).toMatchObject({ workflowTaskPollers: 4, activityTaskPollers: 2 });
  });

  it("hands the SDK poller behaviours, not the maxConcurrent*Polls options SDK 1.24 ignores", () => {
    const options = workerTuningOptions(loadConfig({ WORKER_WORKFLOW_TASK_POLLERS: '6', WORKER_ACTIVITY_TASK_POLLERS: '3' }).worker.tuning);
    expect(options).toEqual({
      maxCachedWorkflows: 1000,
      maxConcurrentWorkflowTaskExecutions: 40,
      maxConcurrentActivityTaskExecutions: 100,
      maxConcurrentLocalActivityExecutions: 100,
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 6 },
      activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 3 },
    });
  });
});
