// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers',
  'tls', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.mcpflow/**', 'test/fixtures/**', 'test/.tmp/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs', 'bin/*.cjs', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }],
      }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no I/O, no network clients.
    files: ['workflows/**/*.ts', 'src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          ...nodeBuiltins.flatMap((name) => [
            { name, message: 'Node built-ins are not allowed in workflow code: do I/O in an activity.' },
            { name: `node:${name}`, message: 'Node built-ins are not allowed in workflow code: do I/O in an activity.' },
          ]),
          { name: 'openai', message: 'Call the Responses API from an activity (activities/responses.ts).' },
          { name: '@temporalio/activity', message: 'Workflow code may only use @temporalio/workflow.' },
          { name: '@temporalio/client', message: 'Workflow code may only use @temporalio/workflow.' },
          { name: '@temporalio/worker', message: 'Workflow code may only use @temporalio/workflow.' },
        ],
        patterns: [
          { group: ['openai/*', '@modelcontextprotocol/*'], message: 'Network clients belong in activities, not workflow code.' },
          { group: ['node:*'], message: 'Node built-ins are not allowed in workflow code.' },
        ],
      }],
    },
  },
);
