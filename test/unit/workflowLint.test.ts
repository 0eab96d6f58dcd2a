import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * The lint rules that keep workflows deterministic, run on sample code as if it lived in workflows/.
 * ESLint loads its flat config with a real dynamic import, which jest's module sandbox cannot do, so
 * the linter runs in a child Node process. Type-aware rules are off there: the samples are not files
 * the TypeScript project knows.
 */
const LINT_SCRIPT = `
const { ESLint } = require('eslint');
const { code, filePath } = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const eslint = new ESLint({
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false, project: null } },
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
  },
});
eslint.lintText(code, { filePath }).then(([r]) => process.stdout.write(JSON.stringify(r.messages.map((m) => m.ruleId + '@' + m.line))));
`;

async function ruleIds(code: string, filePath = 'workflows/sample.ts'): Promise<string[]> {
  const out = execFileSync(process.execPath, ['-e', LINT_SCRIPT], {
    cwd: path.resolve(__dirname, '../..'),
    input: JSON.stringify({ code, filePath }),
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}

describe('workflow lint rules', () => {
  it('rejects Node built-ins, non-workflow packages and values from outside workflows/', async () => {
    const ids = await ruleIds(
      [
        "import fs from 'node:fs';",
        "import { createHash } from 'crypto';",
        "import { Connection } from '@temporalio/client';",
        "import { loadConfig } from '../common/config';",
        'export const used = [fs, createHash, Connection, loadConfig];',
      ].join('\n'),
    );
    for (const line of [1, 2, 3, 4]) expect(ids).toContain(`@typescript-eslint/no-restricted-imports@${line}`);
  });

  it('allows the workflow SDK, workflow files and type-only imports from anywhere', async () => {
    const ids = await ruleIds(
      [
        "import { sleep } from '@temporalio/workflow';",
        "import { defineSearchAttributeKey } from '@temporalio/common';",
        "import { PaymentStatus } from './searchAttributes';",
        "import type { Client } from '@temporalio/client';",
        "import type { Config } from '../common/config';",
        'export async function ok(c?: Client, k?: Config): Promise<unknown[]> {',
        '  await sleep(1);',
        '  return [defineSearchAttributeKey, PaymentStatus, c, k];',
        '}',
      ].join('\n'),
    );
    expect(ids).toEqual([]);
  });

  it('rejects randomness, process, setInterval, fetch and module-level let', async () => {
    const ids = await ruleIds(
      [
        'let counter = 0;',
        'export function bad(): number {',
        '  setInterval(() => counter++, 1);',
        '  void fetch("http://x");',
        '  return Math.random() + Date.now() + process.pid;',
        '}',
      ].join('\n'),
    );
    expect(ids).toEqual(
      expect.arrayContaining([
        'no-restricted-syntax@1',
        'no-restricted-globals@3',
        'no-restricted-globals@4',
        'no-restricted-properties@5',
        'no-restricted-globals@5',
      ]),
    );
    // Math.random only: Date inside a workflow is Temporal's deterministic workflow time.
    expect(ids.filter((id) => id === 'no-restricted-properties@5')).toHaveLength(1);
  });

  it('lets workflows import values from domain/, the contract they share with the API and activities', async () => {
    const code = "import { paymentQuery } from '../domain/messages';\nexport const used = [paymentQuery];";
    expect(await ruleIds(code)).toEqual([]);
  });

  it('holds domain/ to the workflow rules, importing only the SDK, itself and types from ping/', async () => {
    const ids = await ruleIds(
      [
        "import { paymentLinkRoutes } from '../api/routes/paymentLinks';",
        "import { createPingClient } from '../ping';",
        "import type { Method } from '../ping/commonSchemas';",
        "import { defineQuery } from '@temporalio/workflow';",
        "import { PAYMENT_STATES } from './payment';",
        'let mutable = 0;',
        'export const used = [paymentLinkRoutes, createPingClient, defineQuery, PAYMENT_STATES, mutable, Math.random()];',
        'export type M = Method;',
      ].join('\n'),
      'domain/sample.ts',
    );
    expect(ids).toEqual(
      expect.arrayContaining(['@typescript-eslint/no-restricted-imports@1', '@typescript-eslint/no-restricted-imports@2', 'no-restricted-syntax@6', 'no-restricted-properties@7']),
    );
    for (const line of [3, 4, 5]) expect(ids).not.toContain(`@typescript-eslint/no-restricted-imports@${line}`);
  });

  it('keeps activities and scripts out of workflows/: what they share comes from domain/', async () => {
    const code = (from: string) => `import type { PaymentResource } from '${from}';\nexport type P = PaymentResource;`;
    expect(await ruleIds(code('../workflows/runPayment'), 'activities/sample.ts')).toEqual(['@typescript-eslint/no-restricted-imports@1']);
    expect(await ruleIds(code('../workflows/runPayment'), 'scripts/sample.ts')).toEqual(['@typescript-eslint/no-restricted-imports@1']);
    expect(await ruleIds(code('../domain/payment'), 'activities/sample.ts')).toEqual([]);
  });

  it('leaves the same code alone outside workflows/', async () => {
    expect(await ruleIds("import fs from 'node:fs';\nexport const n = Math.random() + fs.constants.F_OK;", 'activities/sample.ts')).toEqual([]);
  });
});
