/**
 * The layering rules of eslint.config.mjs (`no-restricted-imports` per layer): a planted
 * violation of each rule must be reported with its message, and a planted allowed import of
 * each kind must pass.
 *
 * How the planted code is linted: `lintText(code, { filePath })` with a file path inside the
 * layer under test (workflows/__planted__.ts, workflows/query/__planted__.ts, ...), so the real
 * config's `files` globs pick the layer's rule, exactly as for the real files. Those files do not
 * exist, and typed linting (parserOptions.projectService) refuses a file that is not in the
 * TypeScript project ("was not found by the project service"). The alternatives are worse:
 * writing real temporary files into workflows/, src/core/ and activities/ races with anyone
 * running `tsc` or `eslint .` meanwhile (and the planted files are deliberately wrong), and
 * fixture files kept under test/lint/fixtures/ would be linted by a copy of the layer mapping,
 * not by the real one. So the planted paths, and only those, get typescript-eslint's
 * `disableTypeChecked` config (no project service, type-aware rules off): the import rules need no
 * type information, and every other setting is the repository's own config. No fixture files are
 * needed, so `npm run lint` has nothing extra to ignore.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';

const repoRoot = path.resolve(__dirname, '..', '..');
const RULE = 'no-restricted-imports';
const PLANTED = '__planted__.ts';

// ESLint is slow to start (config loading, parser): one instance for the whole file.
const eslint = new ESLint({
  cwd: repoRoot,
  overrideConfig: [{ ...(tseslint.configs.disableTypeChecked as Linter.Config), files: [`**/${PLANTED}`] }],
});

/** Lints `code` as if it were the file `dir/__planted__.ts`; returns this rule's messages. */
async function lintPlanted(dir: string, code: string): Promise<Linter.LintMessage[]> {
  const filePath = path.join(repoRoot, dir, PLANTED);
  const [result] = await eslint.lintText(code, { filePath });
  assert.ok(result, `no lint result for ${filePath}`);
  // A parse error or an ignored file would make every "allowed" case pass vacuously.
  assert.deepEqual(
    result.messages.filter((m) => m.fatal || m.ruleId === null),
    [],
    `${dir}/${PLANTED} was not linted`,
  );
  return result.messages.filter((m) => m.ruleId === RULE);
}

const valueImport = (spec: string) => `import { planted } from '${spec}';\nexport const used = planted;\n`;
const typeImport = (spec: string) => `import type { Planted } from '${spec}';\nexport type Used = Planted;\n`;
const inlineTypeImport = (spec: string) => `import { type Planted } from '${spec}';\nexport type Used = Planted;\n`;
const mixedImport = (spec: string) => `import { planted, type Planted } from '${spec}';\nexport const used: Planted = planted;\n`;
const valueReExport = (spec: string) => `export { planted } from '${spec}';\n`;
const typeReExport = (spec: string) => `export type { Planted } from '${spec}';\n`;
const starReExport = (spec: string) => `export * from '${spec}';\n`;

interface Violation {
  /** Folder of the planted file, relative to the repository. */
  dir: string;
  spec: string;
  code?: (spec: string) => string;
  /** A fragment of the rule's custom message. */
  says: string;
}

interface Allowed {
  dir: string;
  spec: string;
  code?: (spec: string) => string;
}

async function assertViolation({ dir, spec, code = valueImport, says }: Violation) {
  const messages = await lintPlanted(dir, code(spec));
  assert.equal(messages.length, 1, `${dir}: ${code(spec).split('\n')[0]} → ${JSON.stringify(messages.map((m) => m.message))}`);
  const [message] = messages;
  assert.ok(message);
  assert.equal(message.ruleId, RULE);
  assert.equal(message.severity, 2);
  assert.ok(message.message.startsWith(`'${spec}' import is restricted from being used`), message.message);
  assert.ok(message.message.includes(says), `expected "${says}" in: ${message.message}`);
}

async function assertAllowed({ dir, spec, code = valueImport }: Allowed) {
  const messages = await lintPlanted(dir, code(spec));
  assert.deepEqual(
    messages.map((m) => m.message),
    [],
    `${dir}: ${code(spec).split('\n')[0]}`,
  );
}

const label = (dir: string, spec: string, code?: (spec: string) => string) => `${dir}/: ${(code ?? valueImport)(spec).split('\n')[0]}`;

function violations(cases: Violation[]) {
  for (const c of cases) it(`rejects ${label(c.dir, c.spec, c.code)}`, () => assertViolation(c));
}

function allowed(cases: Allowed[]) {
  for (const c of cases) it(`allows ${label(c.dir, c.spec, c.code)}`, () => assertAllowed(c));
}

describe('layering: the rule is attached to every layer', () => {
  for (const file of [
    'workflows/index.ts',
    'workflows/query/index.ts',
    'src/core/errors.ts',
    'activities/index.ts',
    'src/cli/main.ts',
    'src/emulator/server.ts',
  ]) {
    it(`${file} is checked`, async () => {
      const config = (await eslint.calculateConfigForFile(path.join(repoRoot, file))) as Linter.Config;
      const entry = config.rules?.[RULE];
      assert.ok(Array.isArray(entry), `${RULE} not configured for ${file}`);
      assert.ok(entry[0] === 'error' || entry[0] === 2);
    });
  }

  it('files outside the layers (tests, the worker runtime) are not', async () => {
    for (const file of ['test/unit/errors.test.ts', 'src/worker/runtime.ts']) {
      const config = (await eslint.calculateConfigForFile(path.join(repoRoot, file))) as Linter.Config;
      assert.equal(config.rules?.[RULE], undefined, file);
    }
  });
});

describe('layering: workflows/', () => {
  const wf = 'workflows';
  const deep = 'workflows/query';
  const typesOnly = 'may import only types from activities/';

  describe('activities/: types only', () => {
    violations([
      { dir: wf, spec: '../activities', says: typesOnly },
      { dir: wf, spec: '../activities/responses', says: typesOnly },
      { dir: deep, spec: '../../activities', says: typesOnly },
      { dir: deep, spec: '../../activities/mcp', says: typesOnly },
      { dir: wf, spec: '../activities', code: mixedImport, says: typesOnly },
      { dir: wf, spec: '../activities', code: valueReExport, says: typesOnly },
      { dir: wf, spec: '../activities', code: starReExport, says: typesOnly },
    ]);
    allowed([
      { dir: wf, spec: '../activities', code: typeImport },
      { dir: wf, spec: '../activities', code: inlineTypeImport },
      { dir: wf, spec: '../activities', code: typeReExport },
      { dir: deep, spec: '../../activities/responses', code: typeImport },
    ]);
  });

  describe('the layers above: never, types neither', () => {
    violations([
      { dir: wf, spec: '../src/config', says: 'src/config reads files and the environment' },
      { dir: wf, spec: '../src/config/schema', code: typeImport, says: 'src/config reads files and the environment' },
      { dir: deep, spec: '../../src/config/load', says: 'src/config reads files and the environment' },
      { dir: wf, spec: '../src/cli/commands/query', says: 'The CLI sits above workflows' },
      { dir: deep, spec: '../../src/cli', code: typeImport, says: 'The CLI sits above workflows' },
      { dir: wf, spec: '../src/client', says: 'src/client drives workflows from outside' },
      { dir: wf, spec: '../src/client/client', code: typeImport, says: 'src/client drives workflows from outside' },
      { dir: wf, spec: '../src/worker/worker', says: 'The worker bundles workflows/' },
      { dir: wf, spec: '../src/emulator', says: 'reached only over HTTP, by activities' },
      { dir: deep, spec: '../../src/demo-servers/weather', says: 'reached only over HTTP, by activities' },
      { dir: wf, spec: '../src/devserver/server', says: 'Dev-server tooling' },
      { dir: wf, spec: '../src/not-yet-written', says: 'may import only src/core/' },
      { dir: wf, spec: '../test/helpers/stack', says: 'must not import tests, scripts or build output' },
      { dir: deep, spec: '../../scripts/run-tests.mjs', says: 'must not import tests, scripts or build output' },
    ]);
  });

  describe('packages: the sandbox bans and the allowlist', () => {
    violations([
      { dir: wf, spec: 'fs', says: 'Node built-ins are not allowed in workflows/' },
      { dir: wf, spec: 'node:crypto', says: 'Node built-ins are not allowed in workflows/' },
      { dir: wf, spec: 'node:sqlite', says: 'Node built-ins are not allowed in workflows/' },
      { dir: wf, spec: 'openai', says: 'Call the Responses API from an activity' },
      { dir: wf, spec: 'openai/resources/responses/responses', code: typeImport, says: 'Network clients belong in activities' },
      { dir: wf, spec: '@modelcontextprotocol/sdk/client/index.js', says: 'Network clients belong in activities' },
      { dir: wf, spec: '@modelcontextprotocol/client', says: 'Network clients belong in activities' },
      { dir: deep, spec: '@modelcontextprotocol/client/stdio', says: 'Network clients belong in activities' },
      { dir: wf, spec: '@modelcontextprotocol/server', says: 'Network clients belong in activities' },
      { dir: wf, spec: '@modelcontextprotocol/core', code: typeImport, says: 'Network clients belong in activities' },
      { dir: wf, spec: '@temporalio/activity', says: '@temporalio/activity is for activities/' },
      { dir: wf, spec: '@temporalio/client', says: 'may use only @temporalio/workflow and @temporalio/common' },
      { dir: wf, spec: '@temporalio/worker', says: 'the worker lives in src/worker/' },
      { dir: wf, spec: '@temporalio/testing', says: 'may import only @temporalio/workflow, @temporalio/common, zod' },
      { dir: wf, spec: 'yaml', says: 'may import only @temporalio/workflow, @temporalio/common, zod' },
      { dir: deep, spec: 'stream/web', says: 'may import only @temporalio/workflow, @temporalio/common, zod' },
    ]);
    allowed([
      { dir: wf, spec: '@temporalio/workflow' },
      { dir: wf, spec: '@temporalio/common' },
      { dir: wf, spec: '@temporalio/common', code: typeImport },
      { dir: wf, spec: 'zod' },
      { dir: wf, spec: 'zod', code: typeImport },
    ]);
  });

  describe('src/core/ and workflows/ itself', () => {
    allowed([
      { dir: wf, spec: '../src/core/tools' },
      { dir: wf, spec: '../src/core/schemas', code: typeImport },
      { dir: wf, spec: '../src/core/search-attributes', code: valueReExport },
      { dir: deep, spec: '../../src/core/records' },
      { dir: wf, spec: './messages' },
      { dir: wf, spec: './query' },
      { dir: deep, spec: '../messages' },
      { dir: deep, spec: './run-state' },
    ]);
  });
});

describe('layering: src/core/', () => {
  const core = 'src/core';

  describe('nothing of the project above it, types neither', () => {
    violations([
      { dir: core, spec: '../../workflows/messages', says: 'it must not import workflows/, types neither' },
      { dir: core, spec: '../../workflows/messages', code: typeImport, says: 'it must not import workflows/, types neither' },
      { dir: core, spec: '../../activities', says: 'it must not import activities/, types neither' },
      { dir: core, spec: '../../activities/errors', code: typeImport, says: 'it must not import activities/, types neither' },
      { dir: core, spec: '../config', says: 'must not import src/config, src/cli, src/client or src/worker' },
      { dir: core, spec: '../config/schema', code: typeImport, says: 'must not import src/config, src/cli, src/client or src/worker' },
      { dir: core, spec: '../../src/config', says: 'must not import src/config, src/cli, src/client or src/worker' },
      { dir: core, spec: '../cli/output', says: 'must not import src/config, src/cli, src/client or src/worker' },
      { dir: core, spec: '../client', code: typeImport, says: 'must not import src/config, src/cli, src/client or src/worker' },
      { dir: core, spec: '../worker/worker', says: 'must not import src/config, src/cli, src/client or src/worker' },
      { dir: core, spec: '../emulator/errors', says: 'must not import the emulator, the demo servers or the dev server tooling' },
      { dir: core, spec: '../demo-servers', code: typeImport, says: 'must not import the emulator, the demo servers or the dev server tooling' },
      { dir: core, spec: '../devserver/cli-path', says: 'must not import the emulator, the demo servers or the dev server tooling' },
      { dir: core, spec: '../../test/helpers/histories', says: 'src/core must not import tests, scripts or build output' },
    ]);
  });

  describe('packages: the sandbox bans and the allowlist', () => {
    violations([
      { dir: core, spec: 'node:path', says: 'Node built-ins are not allowed in src/core' },
      { dir: core, spec: 'util', says: 'Node built-ins are not allowed in src/core' },
      { dir: core, spec: 'openai', says: 'Call the Responses API from an activity' },
      { dir: core, spec: '@modelcontextprotocol/sdk/types.js', says: 'Network clients belong in activities, not in src/core' },
      { dir: core, spec: '@modelcontextprotocol/client', says: 'Network clients belong in activities, not in src/core' },
      { dir: core, spec: '@modelcontextprotocol/core', says: 'Network clients belong in activities, not in src/core' },
      { dir: core, spec: '@modelcontextprotocol/server', code: typeImport, says: 'Network clients belong in activities, not in src/core' },
      { dir: core, spec: '@temporalio/client', says: 'src/core may use only @temporalio/common' },
      { dir: core, spec: '@temporalio/workflow', says: 'where @temporalio/workflow APIs throw' },
      { dir: core, spec: 'yaml', says: 'src/core may import only @temporalio/common, zod, ajv, ajv-formats' },
    ]);
    allowed([
      { dir: core, spec: '@temporalio/common' },
      { dir: core, spec: '@temporalio/common', code: typeImport },
      { dir: core, spec: 'zod' },
      { dir: core, spec: 'ajv' },
      { dir: core, spec: 'ajv-formats' },
    ]);
  });

  describe('itself', () => {
    allowed([
      { dir: core, spec: './errors' },
      { dir: core, spec: './schemas', code: typeImport },
      { dir: core, spec: './config-like-name' },
      { dir: core, spec: '../core/retry' },
    ]);
  });
});

describe('layering: activities/', () => {
  const act = 'activities';

  violations([
    { dir: act, spec: '../src/emulator', says: 'Activities reach the Responses API only through the openai client' },
    { dir: act, spec: '../src/emulator/server', code: typeImport, says: 'Activities reach the Responses API only through the openai client' },
    { dir: act, spec: '../src/demo-servers/weather', says: 'Activities reach MCP servers only over HTTP' },
    { dir: act, spec: '../src/cli/output', says: 'The CLI sits above activities' },
    { dir: act, spec: '../src/cli', code: typeImport, says: 'The CLI sits above activities' },
    { dir: act, spec: '../workflows/batch/outcome', says: 'Activities may import only types from workflows/' },
    { dir: act, spec: '../workflows/messages', code: mixedImport, says: 'Activities may import only types from workflows/' },
    { dir: 'activities/mcp', spec: '../../workflows/messages', says: 'Activities may import only types from workflows/' },
  ]);
  allowed([
    { dir: act, spec: '../src/core/errors' },
    { dir: act, spec: '../workflows/messages', code: typeImport },
    { dir: 'activities/mcp', spec: '../../src/core/line-outcome' },
    { dir: act, spec: './secrets' },
    { dir: act, spec: 'openai' },
    { dir: act, spec: '@temporalio/activity' },
    { dir: act, spec: '@modelcontextprotocol/sdk/client/index.js' },
    { dir: act, spec: '@modelcontextprotocol/client' },
    { dir: act, spec: '@modelcontextprotocol/client/stdio' },
    { dir: act, spec: 'node:fs' },
  ]);
});

describe('layering: src/cli/', () => {
  const cli = 'src/cli';
  const says = 'The CLI may import only types from activities/';

  violations([
    { dir: cli, spec: '../../activities', says },
    { dir: 'src/cli/commands', spec: '../../../activities/mcp/connections', says },
    { dir: cli, spec: '../../activities', code: mixedImport, says },
  ]);
  allowed([
    { dir: cli, spec: '../../activities/server-registry', code: typeImport },
    { dir: cli, spec: '../client' },
  ]);

  it('exempts no file: the worker runtime lives in src/worker/', async () => {
    assert.equal((await lintPlanted(cli, valueImport('../../activities'))).length, 1);
    const config = (await new ESLint({ cwd: repoRoot }).calculateConfigForFile(path.join(repoRoot, 'src/cli/local-stack.ts'))) as Linter.Config;
    assert.ok(config.rules?.[RULE], 'the rule applies to every file of src/cli');
  });
});

describe('layering: src/emulator/', () => {
  const emu = 'src/emulator';
  const says = 'The emulator must not import the demo servers';

  violations([
    { dir: emu, spec: '../demo-servers/today', says },
    { dir: emu, spec: '../demo-servers', code: typeImport, says },
    { dir: 'src/emulator/spec', spec: '../../demo-servers/weather', says },
  ]);
  allowed([
    { dir: emu, spec: '../core/today' },
    { dir: emu, spec: './planner' },
  ]);
});
