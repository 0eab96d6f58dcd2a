// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

// Workflow code is replayed: it must not reach the outside world or anything that differs between
// runs. Types from anywhere are fine (`import type`), values only from the workflow SDK and workflows/.
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', 'coverage/**', 'bench-results/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Workflows declare state that handlers read before the main body assigns it.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['**/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflows are deterministic: no Node built-ins (use an activity).' })),
          patterns: [
            {
              regex: '^(?!@temporalio/(workflow|common)$)(?!\\.{1,2}/)',
              allowTypeImports: true,
              message: 'Workflows import values only from @temporalio/workflow, @temporalio/common and other workflow files; use `import type` for the rest.',
            },
            {
              regex: '^\\.{1,2}/(.*/)?(activities|api|worker|ping|sandbox|scripts|common)(/|$)',
              allowTypeImports: true,
              message: 'Workflows import only types from outside workflows/ (`import type`).',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use uuid4() from @temporalio/workflow or pass randomness in.' },
        // Date is allowed: in the workflow sandbox it is Temporal's workflow time, the same on every replay.
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No process access in workflows.' },
        { name: 'setInterval', message: 'Use sleep() or condition(fn, timeout).' },
        { name: 'fetch', message: 'No I/O in workflows: call an activity.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Program > VariableDeclaration[kind="let"], Program > ExportNamedDeclaration > VariableDeclaration[kind="let"]',
          message: 'No mutable module-level state in workflows: it leaks between workflow runs in the same isolate.',
        },
      ],
    },
  },
);
