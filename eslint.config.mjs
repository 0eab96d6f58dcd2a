// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

// Workflow code is replayed: it must not reach the outside world or anything that differs between
// runs. Types from anywhere are fine (`import type`), values only from the workflow SDK, workflows/ and
// domain/ (the contract the API, activities and workflows share).
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
// The project's workflows and the tests' stand-in workflows (bundled like them); not test/workflows/,
// whose tests of the workflows run in Node.
const WORKFLOW_FILES = ['workflows/**/*.ts', 'test/fixtures/workflows/**/*.ts', 'test/fixtures/nondeterministic/**/*.ts'];

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
    files: WORKFLOW_FILES,
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
    },
  },
  {
    // The domain module is the contract every part shares and the workflow bundle includes, so it
    // follows the workflow rules and imports nothing of ours but types of Ping's wire format.
    files: ['domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'The domain module is bundled into workflows: no Node built-ins.' })),
          patterns: [
            {
              regex: '^(?!@temporalio/(workflow|common)$)(?!\\./)(?!\\.\\./ping/)',
              message: 'domain/ imports only @temporalio/workflow, @temporalio/common, other domain files and types from ping/.',
            },
            { regex: '^\\.\\./ping/', allowTypeImports: true, message: 'domain/ imports only types from ping/ (`import type`).' },
          ],
        },
      ],
    },
  },
  {
    // Activities and scripts share the domain module with workflows; they never reach into workflow code.
    files: ['activities/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^\\.{1,2}/(.*/)?workflows(/|$)', message: 'Import what you share with workflows from domain/, not from workflows/.' }] },
      ],
    },
  },
  {
    // Determinism for everything the workflow bundle holds.
    files: [...WORKFLOW_FILES, 'domain/**/*.ts'],
    rules: {
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
