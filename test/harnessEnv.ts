/** What the global setup hands to every test file (through the environment, which jest workers inherit). */
export interface HarnessEnv {
  temporalAddress: string;
  temporalUiUrl: string;
  namespace: string;
  /** The codec endpoint the dev server's Web UI decodes payloads through (test keys, TEST_API_KEY). */
  codecUrl: string;
}

const VARIABLE = 'PING_ORCHESTRATOR_TEST_HARNESS';

export function publishHarnessEnv(env: HarnessEnv): void {
  process.env[VARIABLE] = JSON.stringify(env);
}

export function harnessEnv(): HarnessEnv {
  const raw = process.env[VARIABLE];
  if (!raw) throw new Error('The jest global setup did not run: start tests with `npm test` or `npx jest`');
  return JSON.parse(raw) as HarnessEnv;
}
