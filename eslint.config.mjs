// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

// ---------------------------------------------------------------------------------------------
// Layering (docs/ARCHITECTURE.md "Layout"), enforced with ESLint's own `no-restricted-imports`:
// the ESLint 9 we require (^9.39) understands TypeScript there (`allowTypeImports`, `import type`,
// `export type ... from`, `import x = require()`), and typescript-eslint deprecated its own
// `@typescript-eslint/no-restricted-imports` in 8.64 in favour of it.
//
//   workflows/   imports src/core/, workflows/, @temporalio/workflow, @temporalio/common, zod,
//                and only *types* from activities/
//   src/core/    imports @temporalio/common, zod, ajv, ajv-formats and itself; nothing above it
//   activities/  never imports src/emulator, src/demo-servers, src/cli, and only *types* from workflows/
//   src/cli/     imports only *types* from activities/ (the worker runtime is src/worker/runtime.ts)
//   src/emulator/ never imports src/demo-servers (both are reached over HTTP; shared pieces live in src/core/)
//
// Relative specifiers are matched with regexes anchored on one or more `../` followed by the
// layer's folder, so they hold at any depth (`../activities` from workflows/x.ts,
// `../../activities/responses` from workflows/query/x.ts, `../config` from src/core/x.ts) and
// never match an import inside the layer (`./errors`, `../messages`, `../../src/core/tools`).
// The one thing they cannot tell apart is a sub-folder of a layer named like another layer
// (workflows/query/activities/): do not create one. Dynamic import() and require() are not
// checked by this rule (workflow code uses neither).
//
// Each layer has one block: a later block's options for the same rule replace, not extend, an
// earlier one's. test/lint/layering.test.ts plants a violation of each rule and an allowed
// import of each kind.
// ---------------------------------------------------------------------------------------------

/** Escapes a literal for use in a RegExp source. */
const re = (/** @type {string} */ text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** A relative specifier that climbs out with `../` (one or more) and then enters `folder`. */
const up = (/** @type {string} */ folder) => `^(?:\\.\\./)+${folder}(?:/|$)`;

/**
 * What Temporal's workflow sandbox cannot have (applies to workflows/ and to src/core/, which
 * workflows bundle): no I/O, no network clients, no activity/client/worker SDK.
 * @param {string} who the layer, for the messages
 * @param {string} temporal the @temporalio packages the layer may use, for the messages
 */
function sandboxBans(who, temporal) {
  const builtin = `Node built-ins are not allowed in ${who}: it runs in Temporal's deterministic workflow sandbox. Do I/O in an activity.`;
  return {
    paths: [
      ...nodeBuiltins.flatMap((name) => [
        { name, message: builtin },
        { name: `node:${name}`, message: builtin },
      ]),
      { name: 'openai', message: 'Call the Responses API from an activity (activities/responses.ts).' },
      { name: '@temporalio/activity', message: `${who} may use only ${temporal}: @temporalio/activity is for activities/.` },
      {
        name: '@temporalio/client',
        message: `${who} may use only ${temporal}: start or signal workflows with @temporalio/workflow (executeChild, getExternalWorkflowHandle) in workflow code, or from an activity.`,
      },
      { name: '@temporalio/worker', message: `${who} may use only ${temporal}: the worker lives in src/worker/.` },
    ],
    patterns: [
      // Every MCP SDK package: 2.x's @modelcontextprotocol/client, /server, /core (and /node, /express), 1.x's /sdk.
      {
        group: ['openai/*', '@modelcontextprotocol/*'],
        message: `Network clients belong in activities, not in ${who} (openai, the MCP SDK: @modelcontextprotocol/client, /server, /core, 1.x's /sdk).`,
      },
      // Any other node: module (the listed ones are reported above, once).
      { regex: `^node:(?!(?:${nodeBuiltins.map(re).join('|')})$)`, message: `Node built-ins are not allowed in ${who}: do I/O in an activity.` },
    ],
  };
}

/** Bare specifiers that sandboxBans already reports (left out of the allowlists so nothing is reported twice). */
const sandboxBanned = [
  `(?:${[...nodeBuiltins, 'openai', '@temporalio/activity', '@temporalio/client', '@temporalio/worker'].map(re).join('|')})$`,
  'openai/',
  '@modelcontextprotocol/',
  'node:',
];

/**
 * Every bare (package) specifier except `allowed` packages (and their sub-paths) and what
 * sandboxBans or `alsoBanned` already report.
 * @param {string[]} allowed
 * @param {string[]} [alsoBanned] exact specifiers reported by a more specific entry
 */
function packagesOtherThan(allowed, alsoBanned = []) {
  const skip = [...sandboxBanned, ...alsoBanned.map((name) => `${re(name)}$`)];
  return `^(?![./])(?!(?:${allowed.map(re).join('|')})(?:/|$))(?!${skip.map((s) => `(?:${s})`).join('|')})`;
}

/**
 * @param {Record<string, unknown>} options
 * @returns {import('eslint').Linter.RuleEntry}
 */
const error = (options) => ['error', options];

/** Project folders nothing in a layer may import: tests, scripts, the CLI shim, build output. */
const notCode = up('(?:test|scripts|bin|dist|node_modules)');

const workflowsRule = (() => {
  const sandbox = sandboxBans('workflows/', '@temporalio/workflow and @temporalio/common');
  const allowed = ['@temporalio/workflow', '@temporalio/common', 'zod'];
  return error({
    paths: sandbox.paths,
    patterns: [
      ...sandbox.patterns,
      {
        regex: up('activities'),
        allowTypeImports: true,
        message:
          "workflows/ may import only types from activities/ (`import type { Activities } from '../activities'`) and call activities through proxyActivities<Activities>(): activity code does I/O and must not be bundled into the workflow sandbox.",
      },
      {
        regex: up('src/config'),
        message:
          'src/config reads files and the environment: let the CLI or client load the config and pass plain values (validated with src/core/ schemas) in the workflow input; shared constants go in src/core/defaults.ts.',
      },
      {
        regex: up('src/cli'),
        message: 'The CLI sits above workflows: move what both need into src/core/ (or workflows/messages.ts for workflow definitions the CLI uses).',
      },
      {
        regex: up('src/client'),
        message:
          'src/client drives workflows from outside: inside a workflow use @temporalio/workflow (executeChild, getExternalWorkflowHandle, ...); share definitions through workflows/messages.ts.',
      },
      {
        regex: up('src/worker'),
        message: 'The worker bundles workflows/, not the other way round: put shared constants in src/core/ (e.g. src/core/defaults.ts).',
      },
      {
        regex: up('src/(?:emulator|demo-servers)'),
        message: 'The emulator and the demo servers are reached only over HTTP, by activities: never import them into workflow code.',
      },
      {
        regex: up('src/devserver'),
        message: 'Dev-server tooling (finding and spawning the Temporal CLI) is for the CLI and tests, never for workflow code.',
      },
      {
        regex: '^(?:\\.\\./)+src/(?!(?:core|config|cli|client|worker|emulator|demo-servers|devserver)(?:/|$))',
        message: 'From src/, workflows/ may import only src/core/: move the pure code it needs into src/core/.',
      },
      { regex: notCode, message: 'Workflow code must not import tests, scripts or build output.' },
      {
        regex: packagesOtherThan(allowed),
        message: `workflows/ may import only ${allowed.join(', ')} (plus src/core/, workflows/ and types from activities/): everything else is bundled into Temporal's deterministic sandbox. Do the work in an activity, or add a pure, I/O-free package to the allowlist in eslint.config.mjs.`,
      },
    ],
  });
})();

const coreRule = (() => {
  const sandbox = sandboxBans('src/core', '@temporalio/common');
  const allowed = ['@temporalio/common', 'zod', 'ajv', 'ajv-formats'];
  const bottom = 'src/core is the bottom layer (imported by workflows, activities, the client and the CLI)';
  return error({
    paths: [
      ...sandbox.paths,
      {
        name: '@temporalio/workflow',
        message:
          'src/core also runs outside workflows (activities, client, CLI), where @temporalio/workflow APIs throw: put workflow-only code in workflows/ and use @temporalio/common (types, ApplicationFailure, search attribute keys) here.',
      },
    ],
    patterns: [
      ...sandbox.patterns,
      // From src/core/x.ts the other src/ folders are `../config`, `../cli`, ...; `../../src/config` is caught too.
      {
        regex: up('(?:src/)?workflows'),
        message: `${bottom}: it must not import workflows/, types neither. Move the schema, type or constant down into src/core/ and let workflows/ import it from there.`,
      },
      {
        regex: up('(?:src/)?activities'),
        message: `${bottom}: it must not import activities/, types neither. Move the type or helper down into src/core/ and let activities/ import it from there.`,
      },
      {
        regex: up('(?:src/)?(?:config|cli|client|worker)'),
        message: `${bottom}: it must not import src/config, src/cli, src/client or src/worker, types neither. Move the shared piece down into src/core/ (constants: src/core/defaults.ts) or take it as a parameter.`,
      },
      {
        regex: up('(?:src/)?(?:emulator|demo-servers|devserver)'),
        message: `${bottom}: it must not import the emulator, the demo servers or the dev server tooling, types neither. Move the shared piece down into src/core/.`,
      },
      { regex: notCode, message: 'src/core must not import tests, scripts or build output.' },
      {
        regex: packagesOtherThan(allowed, ['@temporalio/workflow']),
        message: `src/core may import only ${allowed.join(', ')}: it is pure, bundled into workflows and shared by every layer. Do I/O in activities/, or add a pure, I/O-free package to the allowlist in eslint.config.mjs.`,
      },
    ],
  });
})();

const activitiesRule = error({
  patterns: [
    {
      regex: up('src/emulator'),
      message:
        'Activities reach the Responses API only through the openai client: point it at the emulator with OPENAI_BASE_URL or ActivityDeps.openaiBaseURL, never import the emulator.',
    },
    {
      regex: up('src/demo-servers'),
      message: 'Activities reach MCP servers only over HTTP (MCP SDK); the demo servers are started by the CLI or tests, never imported by activities.',
    },
    {
      regex: up('src/cli'),
      message: 'The CLI sits above activities: move the shared code into src/core/, or pass it in through ActivityDeps (activities/index.ts).',
    },
    {
      regex: up('workflows'),
      allowTypeImports: true,
      message:
        'Activities may import only types from workflows/: move the pure code both need into src/core/ (e.g. src/core/line-outcome.ts), and name update/signal definitions by their string name.',
    },
  ],
});

const cliRule = error({
  patterns: [
    {
      regex: up('activities'),
      allowTypeImports: true,
      message: 'The CLI may import only types from activities/: the worker (src/worker/) runs activities, the CLI starts the worker.',
    },
  ],
});

const emulatorRule = error({
  patterns: [
    {
      regex: up('(?:src/)?demo-servers'),
      message:
        'The emulator must not import the demo servers (it reaches them over HTTP): take what it needs as an EmulatorOptions field (e.g. `today`), or share a pure piece through src/core/.',
    },
  ],
});

/** Error classes extend McpflowError, so that callers can tell mcpflow's errors from the libraries'. */
const errorBaseRule = [
  {
    selector: "ClassDeclaration[superClass.name='Error'], ClassExpression[superClass.name='Error']",
    message: "extend McpflowError (src/core/mcpflow-error.ts), not Error: mcpflow's errors share one base",
  },
];
/** Activities raise failures through mcpflowFailure (src/core/failures.ts) or activities/errors.ts, whose `type` is an MCPErrorType. */
const activityFailureRule = [
  {
    selector:
      "CallExpression[callee.object.name='ApplicationFailure'][callee.property.name=/^(create|retryable|nonRetryable|fromError)$/], NewExpression[callee.name='ApplicationFailure']",
    message: 'build the failure with mcpflowFailure (src/core/failures.ts) or activities/errors.ts: its type must be an MCPErrorType of the error table',
  },
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
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }],
        },
      ],
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
    // Workflow code runs in Temporal's deterministic sandbox: no I/O, no network clients, no layer above it.
    files: ['workflows/**/*.{ts,mts,cts}'],
    rules: { 'no-restricted-imports': workflowsRule },
  },
  {
    // Pure code shared by every layer and bundled into workflows.
    files: ['src/core/**/*.{ts,mts,cts}'],
    rules: { 'no-restricted-imports': coreRule },
  },
  {
    // Activities do the I/O, against real endpoints: test and demo infrastructure stays outside.
    files: ['activities/**/*.{ts,mts,cts}'],
    rules: { 'no-restricted-imports': activitiesRule },
  },
  {
    // The CLI starts the worker (src/worker/runtime.ts); only the worker runs activities.
    files: ['src/cli/**/*.{ts,mts,cts}'],
    rules: { 'no-restricted-imports': cliRule },
  },
  {
    // The emulator and the demo servers are separate services: they meet over HTTP only.
    files: ['src/emulator/**/*.{ts,mts,cts}'],
    rules: { 'no-restricted-imports': emulatorRule },
  },
  {
    // One base for mcpflow's errors (src/core/mcpflow-error.ts), one builder of its failures (src/core/failures.ts).
    files: ['activities/**/*.{ts,mts,cts}', 'workflows/**/*.{ts,mts,cts}', 'src/**/*.{ts,mts,cts}'],
    ignores: ['src/core/mcpflow-error.ts'],
    rules: { 'no-restricted-syntax': ['error', ...errorBaseRule] },
  },
  {
    files: ['activities/**/*.{ts,mts,cts}'],
    rules: { 'no-restricted-syntax': ['error', ...errorBaseRule, ...activityFailureRule] },
  },
);
