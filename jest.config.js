/** @type {import('jest').Config} */
module.exports = {
  // node, plus: logs the harness holds back are printed only for a failed test (test/helpers/heldLogs.ts).
  testEnvironment: '<rootDir>/test/helpers/heldLogsEnvironment.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  // One real Temporal dev server for the whole run; each test file starts its own worker and API.
  globalSetup: '<rootDir>/test/globalSetup.ts',
  globalTeardown: '<rootDir>/test/globalTeardown.ts',
  testTimeout: 60_000,
  // Two cores: more jest workers than that only makes the Temporal server and bundler fight.
  maxWorkers: 2,
  // Every test file loads its own copy of the SDK, express, zod... so a worker that has run a few
  // integration files is at about 600 MB, and V8 freeing that at exit can take longer than the 500 ms
  // jest waits ("A worker process has failed to exit gracefully", with no handle open). A worker past
  // this limit between two files is replaced; a worker holding an open handle still never exits.
  workerIdleMemoryLimit: '256MB',
};
