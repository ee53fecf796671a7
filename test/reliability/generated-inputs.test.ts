/**
 * Generated malformed inputs from a seeded generator (the same ones on every run): config files,
 * CLI arguments, and hostile Responses API responses. Config and CLI: exit 2 and a message that
 * names the field or flag. Responses: every run ends with a classified error (or an answer),
 * with no workflow task failure and the worker still serving. Rows of docs/reliability.md.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { createActivities } from '../../activities';
import { MCP_ERROR_TYPES } from '../../src/core/errors';
import type { QueryResult } from '../../src/core/records';
import type { QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { pathToFileURL } from 'node:url';
import { runCli, scratchDir, TSX_LOADER } from '../cli/harness';
import { HOSTILE_RESPONSES, startHostileResponsesServer, type HostileResponsesServer } from '../helpers/hostile-responses-server';
import { reliabilityRows } from '../helpers/reliability-report';
import { pick, seededRandom, taskFailures } from '../helpers/scenario';
import { childResult } from '../helpers/sessions';
import { useOfflineStack } from '../helpers/stack';
import { REPO_ROOT, uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';

const stack = useOfflineStack();
const rows = reliabilityRows(70, 'generated-inputs');
let hostile: HostileResponsesServer;
before(async () => {
  hostile = await startHostileResponsesServer();
});
after(async () => {
  await hostile?.close();
  rows.flush();
});

/** A command line's outcome, from test/helpers/cli-many-main.ts. */
interface CliOutcome {
  code: number | 'hung';
  stdout: string;
  stderr: string;
}

/** Runs every command line in one child process (same program and exit codes as bin/mcpflow). */
function runMany(argvs: string[][], cwd: string): CliOutcome[] {
  const dir = scratchDir();
  const casesFile = path.join(dir, 'cases.json');
  const resultsFile = path.join(dir, 'results.json');
  writeFileSync(casesFile, JSON.stringify(argvs.map((argv) => ({ argv }))));
  const run = spawnSync(
    process.execPath,
    ['--import', pathToFileURL(TSX_LOADER).href, path.join(REPO_ROOT, 'test', 'helpers', 'cli-many-main.ts'), casesFile, resultsFile],
    {
      cwd,
      // Nothing reaches a real server: a command that passed validation would meet a closed port.
      env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:9', TEMPORAL_CONFIG_FILE: '/nonexistent/mcpflow-test.toml', MCPFLOW_TASK_QUEUE: 'generated' },
      encoding: 'utf8',
      timeout: 5 * 60_000,
    },
  );
  assert.equal(run.status, 0, `the runner failed:\n${run.stderr}`);
  return JSON.parse(readFileSync(resultsFile, 'utf8')) as CliOutcome[];
}

/** No stack trace, no JavaScript error names, no "[object Object]": a message for a person. */
function isClean(text: string): boolean {
  return !/\n\s+at |TypeError|ReferenceError|is not a function|\[object Object\]/.test(text);
}

/** A run's error says what failed: a library's own words ("Cannot read properties") only after "the reply could not be read". */
function isClearRunError(text: string): boolean {
  return isClean(text) && (!/Cannot read prop/.test(text) || /the reply could not be read/.test(text));
}

// ---------------------------------------------------------------------------------------------
// Config files

interface ConfigCase {
  text: string;
  ext: 'json' | 'yaml';
  /** What the message must name: the field's path, or the problem. */
  names: string;
}

const VALID_SERVER = { label: 'weather', url: 'http://127.0.0.1:8801/mcp', require_approval: 'never' };

function validConfig(): Record<string, unknown> {
  return { servers: [{ ...VALID_SERVER }], defaults: { mode: 'hosted', retry: { max_retries: 3 } }, temporal: { address: '127.0.0.1:7233' } };
}

/** A setter of the field at `path` (every object on the way exists in validConfig()). */
function at(path: Array<string | number>) {
  return (config: Record<string, unknown>, value: unknown) => {
    let target = config as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
    target[path.at(-1)!] = value;
  };
}

/** Field mutations: a path in the config, a bad value, and the path the message must name. */
const FIELD_MUTATIONS: Array<{ set: (config: Record<string, unknown>, value: unknown) => void; values: unknown[]; names: string }> = [
  {
    set: at(['servers', 0, 'url']),
    values: ['not a url', 'file:///etc/passwd', 'http://169.254.169.254/latest', 'gopher://x/', 42, '', null, 'javascript:alert(1)'],
    names: 'servers[0].url',
  },
  { set: at(['servers', 0, 'label']), values: ['', 'has space', 'x'.repeat(65), 7, 'ünïcode', null], names: 'servers[0].label' },
  { set: at(['servers', 0, 'require_approval']), values: ['sometimes', 7, true, ['x']], names: 'servers[0].require_approval' },
  {
    set: at(['servers', 0, 'headers']),
    values: [{ 'x-key': 'plain-secret' }, { 'x-key': { env: '1BAD' } }, 'header', { 'x-key': { env: 'A', other: 1 } }],
    names: 'servers[0].headers',
  },
  { set: at(['servers', 0, 'authorization']), values: ['Bearer sk-123', { env: '' }, 5], names: 'servers[0].authorization' },
  { set: at(['servers', 0, 'description']), values: ['d'.repeat(1001), 12], names: 'servers[0].description' },
  { set: at(['defaults', 'mode']), values: ['fast', '', 3, null], names: 'defaults.mode' },
  { set: at(['defaults', 'retry', 'max_retries']), values: [-1, 'three', 1.5, 1e12], names: 'defaults.retry.max_retries' },
  { set: at(['defaults', 'retry', 'base_delay_ms']), values: [-5, 'x', null], names: 'defaults.retry.base_delay_ms' },
  { set: at(['defaults', 'cache_ttl_ms']), values: [-1, 'forever', 2.5], names: 'defaults.cache_ttl_ms' },
  { set: at(['defaults', 'approval_timeout_ms']), values: [0, -10, 'soon'], names: 'defaults.approval_timeout_ms' },
  { set: at(['defaults', 'task_queue']), values: ['', 9], names: 'defaults.task_queue' },
  { set: at(['defaults', 'conversation']), values: ['chatty', 1], names: 'defaults.conversation' },
  { set: at(['defaults', 'model']), values: ['', 4], names: 'defaults.model' },
  { set: at(['defaults', 'allow_private_networks']), values: ['sometimes', 2], names: 'defaults.allow_private_networks' },
  { set: at(['temporal', 'address']), values: ['nohost', 'a b:1', 'host:port', 7233], names: 'temporal.address' },
  { set: at(['temporal', 'ui_url']), values: ['ftp://x', 'not a url'], names: 'temporal.ui_url' },
  { set: at(['temporal', 'namespace']), values: ['', 1], names: 'temporal.namespace' },
  { set: at(['servers']), values: ['weather', { label: 'x' }, 3], names: 'servers' },
  { set: at(['defaults']), values: ['hosted', [1]], names: 'defaults' },
  { set: at(['servers', 0, 'urll']), values: ['http://x/'], names: 'urll' },
  { set: at(['defaults', 'retries']), values: [3], names: 'retries' },
  { set: at(['serverz']), values: [[]], names: 'serverz' },
  { set: (c, v) => (c.servers as unknown[]).push({ ...VALID_SERVER, url: v }), values: ['http://127.0.0.1:8802/mcp'], names: 'servers' },
];

function generateConfigCases(count: number): ConfigCase[] {
  const next = seededRandom(2026);
  const cases: ConfigCase[] = [];
  // Every field mutation once in each format, then random ones.
  const all = FIELD_MUTATIONS.flatMap((mutation) => mutation.values.map((value) => ({ mutation, value })));
  for (let i = 0; cases.length < count - 12; i++) {
    const { mutation, value } = i < all.length ? all[i]! : pick(next, all);
    const config = validConfig();
    mutation.set(config, structuredClone(value));
    const ext = i % 2 ? 'yaml' : 'json';
    cases.push({ text: ext === 'json' ? JSON.stringify(config, null, 2) : YAML.stringify(config), ext, names: mutation.names });
  }
  // Files that do not parse, or parse to the wrong kind of document.
  const valid = JSON.stringify(validConfig());
  for (let i = 0; i < 4; i++) cases.push({ text: valid.slice(0, 5 + Math.floor(next() * (valid.length - 10))), ext: 'json', names: 'is not valid JSON' });
  cases.push({ text: '[1, 2, 3]', ext: 'json', names: '(top level)' });
  cases.push({ text: '"servers"', ext: 'json', names: '(top level)' });
  cases.push({ text: '42', ext: 'yaml', names: '(top level)' });
  cases.push({ text: 'servers: [unclosed', ext: 'yaml', names: 'is not valid YAML' });
  cases.push({
    text: 'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n',
    ext: 'yaml',
    names: 'YAML',
  });
  cases.push({ text: '\u0000\u0001\u0002', ext: 'json', names: 'is not valid JSON' });
  cases.push({ text: 'servers:\n  - label: weather\n\turl: x', ext: 'yaml', names: 'is not valid YAML' });
  cases.push({ text: '{"servers": [], "servers": 5}', ext: 'json', names: 'servers' });
  return cases;
}

// ---------------------------------------------------------------------------------------------
// CLI arguments

interface ArgCase {
  argv: string[];
  names: string;
}

const SERVER = ['--server', 'weather=http://127.0.0.1:9/mcp,approval=never'];

/** Bad values per flag or argument, and what the message must name. */
const ARG_TEMPLATES: Array<{ build: (value: string) => string[]; values: string[]; names: string }> = [
  { build: (v) => ['query', 'hi', '--max-steps', v, ...SERVER], values: ['0', '51', '-1', 'x', '1.5', '', '1e3', '9999999999999999999'], names: '--max-steps' },
  {
    build: (v) => ['query', 'hi', '--approval-timeout', v, ...SERVER],
    values: ['400d', 'soon', '-1s', '0s', '1y', '10 parsecs', '99999999999999999999d', ''],
    names: '--approval-timeout',
  },
  { build: (v) => ['query', 'hi', '--mode', v, ...SERVER], values: ['fast', '', 'HOSTED', 'direct,hosted'], names: '--mode' },
  { build: (v) => ['query', 'hi', '--conversation', v, ...SERVER], values: ['chatty', ''], names: '--conversation' },
  {
    build: (v) => ['query', 'hi', '--server', v],
    values: [
      'noequals,cwd=/tmp',
      'no equals',
      '=http://127.0.0.1:9/mcp',
      'w=',
      'w=ftp://x/',
      'w=file:///etc/passwd',
      'w=http://169.254.169.254/',
      'w=http://[fd00:ec2::254]/',
      'w=http://0.0.0.0/',
      'w=http://127.0.0.1:9/mcp,approval=sometimes',
      'w=http://127.0.0.1:9/mcp,bogus=1',
      'has space=http://127.0.0.1:9/mcp',
      'w=not a url',
      'w=javascript:alert(1)',
      'w=gopher://x/',
    ],
    names: '--server',
  },
  {
    build: (v) => ['query', 'hi', '--server', `${v}=http://127.0.0.1:9/a`, '--server', `${v}=http://127.0.0.1:9/b`],
    values: ['w', 'weather'],
    names: 'given twice',
  },
  { build: (v) => ['worker', '--shutdown-grace-time', v], values: ['xyz', '-5s', ''], names: '--shutdown-grace-time' },
  { build: (v) => ['worker', '--metrics-port', v], values: ['70000', '-1', 'http', '0x'], names: '--metrics-port' },
  { build: (v) => ['worker', '--allow-private-networks', v], values: ['sometimes', 'yes please'], names: '--allow-private-networks' },
  { build: (v) => ['emulator', '--port', v], values: ['99999', 'abc', '-3'], names: '--port' },
  { build: (v) => ['--address', v, 'list'], values: ['nohost', 'a b:1', ':7233', 'host:port'], names: '--address' },
  { build: (v) => ['query', 'hi', ...SERVER, v], values: ['--bogus', '--max-step', '-z', '--serverr'], names: 'unknown option' },
  { build: (v) => [v], values: ['frobnicate', 'quer', 'approvee', 'Query'], names: 'unknown command' },
  { build: (v) => [v], values: ['progress', 'history', 'cancel'], names: 'missing required argument' },
  { build: (v) => [v], values: ['approve', 'deny'], names: 'workflow id' },
  { build: (v) => ['schedule', 'create', '--session', 'session-x', ...v.split(' ')], values: ['--every never', '--every -1m', '--every 0s'], names: '--every' },
  { build: (v) => ['schedule', 'create', '--session', 'session-x', '--every', '1h', '--cron', v], values: ['0 * * * *'], names: '--cron' },
  { build: (v) => ['history', 'wf-1', '--status', v], values: ['exploded', ''], names: '--status' },
  { build: (v) => ['batch', 'run', v, ...SERVER], values: ['/nonexistent/file.jsonl'], names: '/nonexistent/file.jsonl' },
  { build: (v) => ['batch', 'run', v, ...SERVER], values: ['/etc'], names: '/etc' },
  { build: (v) => ['query', 'hi', '--config', v], values: ['/nonexistent/mcpflow.config.json'], names: '/nonexistent/mcpflow.config.json' },
];

function generateArgCases(count: number): ArgCase[] {
  const next = seededRandom(1312);
  const all = ARG_TEMPLATES.flatMap((template) => template.values.map((value) => ({ argv: template.build(value), names: template.names })));
  const cases = [...all];
  while (cases.length < count) cases.push(pick(next, all));
  return cases.slice(0, Math.max(count, all.length));
}

describe('reliability: generated malformed config files and CLI arguments', () => {
  it('≥100 malformed config files: exit 2, one message naming the field, no stack trace', () => {
    const dir = scratchDir();
    mkdirSync(dir, { recursive: true });
    const cases = generateConfigCases(110);
    const argvs = cases.map((each, i) => {
      const file = path.join(dir, `config-${i}.${each.ext}`);
      writeFileSync(file, each.text);
      return ['query', 'hi', '--no-wait', '--config', file];
    });
    const outcomes = runMany(argvs, dir);
    const bad = cases.flatMap((each, i) => {
      const outcome = outcomes[i]!;
      const ok = outcome.code === 2 && outcome.stderr.includes(each.names) && isClean(outcome.stderr);
      return ok ? [] : [`#${i} (${each.names}) → ${outcome.code}: ${outcome.stderr.slice(0, 300)}`];
    });
    // A sample through the real binary: same exit code and message as in-process.
    const sample = [0, 37, 101].map((i) => ({
      i,
      run: spawnSync(process.execPath, ['--import', pathToFileURL(TSX_LOADER).href, path.join(REPO_ROOT, 'src', 'cli', 'main.ts'), ...argvs[i]!], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:9' },
      }),
    }));
    const sampleAgrees = sample.every(({ i, run }) => run.status === outcomes[i]!.code && run.stderr === outcomes[i]!.stderr);
    rows.push({
      scenario: `generated malformed config files (seeded): ${cases.length} (bad values for every field in JSON and YAML, unknown keys, truncated JSON, wrong document types, a YAML alias bomb)`,
      runs: cases.length,
      completed: cases.length - bad.length,
      lost: 0,
      duplicated: '0',
      expected:
        bad.length === 0 && sampleAgrees
          ? 'yes: exit 2 and a one-line-per-field message naming the field, no stack trace (3 checked through the real binary too)'
          : `NO: ${bad.length} wrong`,
    });
    assert.deepEqual(bad, []);
    assert.ok(sampleAgrees, JSON.stringify(sample.map(({ i, run }) => [i, run.status, run.stderr, outcomes[i]])));
  });

  it('≥100 malformed command lines: exit 2, a message naming the flag, no stack trace', async () => {
    const dir = scratchDir();
    const cases = generateArgCases(110);
    const outcomes = runMany(
      cases.map((each) => each.argv),
      dir,
    );
    const bad = cases.flatMap((each, i) => {
      const outcome = outcomes[i]!;
      const ok = outcome.code === 2 && outcome.stderr.toLowerCase().includes(each.names.toLowerCase()) && isClean(outcome.stderr);
      return ok ? [] : [`${JSON.stringify(each.argv)} (${each.names}) → ${outcome.code}: ${outcome.stderr.slice(0, 300)}`];
    });
    const sample = await Promise.all(
      [3, 50, 90].map(async (i) => ({ i, run: await runCli(cases[i]!.argv, { via: 'source', env: { TEMPORAL_ADDRESS: '127.0.0.1:9' } }) })),
    );
    const sampleAgrees = sample.every(({ i, run }) => run.code === outcomes[i]!.code);
    rows.push({
      scenario: `generated malformed CLI arguments (seeded): ${cases.length} (out-of-range and unparsable numbers and durations, bad --server specs and URLs, unknown options and commands, missing arguments, missing files)`,
      runs: cases.length,
      completed: cases.length - bad.length,
      lost: 0,
      duplicated: '0',
      expected:
        bad.length === 0 && sampleAgrees
          ? 'yes: exit 2 and a message naming the flag or argument, no stack trace (3 checked through the real binary too)'
          : `NO: ${bad.length} wrong`,
    });
    assert.deepEqual(bad, []);
    assert.ok(sampleAgrees, JSON.stringify(sample.map(({ i, run }) => [i, run.code, run.stderr, outcomes[i]])));
  });
});

// ---------------------------------------------------------------------------------------------
// Hostile Responses API responses

describe('reliability: hostile Responses API responses', () => {
  it(
    `${HOSTILE_RESPONSES.length} hostile responses (hosted + direct): each run ends with a classified error or an answer, no task failure, the worker still serves`,
    { timeout: 5 * 60_000 },
    async () => {
      const taskQueue = uniqueTaskQueue('hostile-api');
      const retry = { max_retries: 1, base_delay_ms: 100, max_delay_ms: 200, rate_limit_base_delay_ms: 200 };
      const outcomes: Array<{ name: string; result: QueryResult; failures: number }> = [];
      let stillServes = false;
      await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: hostile.url, env: {} }) }, async (env) => {
        const handles = await Promise.all(
          HOSTILE_RESPONSES.map((each, i) => {
            const input: QueryInput = {
              query: `hostile ${i}`,
              mode: i % 2 ? 'direct' : 'hosted',
              stream: each.name.startsWith('SSE') || i % 3 === 0,
              servers: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }],
              retry,
              call_timeout_ms: 10_000,
              metadata: { hostile: String(i) },
            };
            return env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId(`hostile-api-${i}`), args: [input] });
          }),
        );
        for (const [i, handle] of handles.entries()) {
          outcomes.push({ name: HOSTILE_RESPONSES[i]!.name, result: await childResult(env.client, handle.workflowId), failures: await taskFailures(handle) });
        }
      });
      // The same kind of worker, pointed at the emulator, still answers (nothing in the process broke).
      await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, async (env) => {
        const result = await env.client.workflow.execute(runQuery, {
          taskQueue,
          workflowId: uniqueWorkflowId('hostile-api-after'),
          args: [
            { query: "What's the weather in London?", servers: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }], retry },
          ],
        });
        stillServes = result.success;
      });
      const classified = outcomes.filter(
        ({ result, failures }) =>
          failures === 0 &&
          (result.success || (result.error_type !== null && MCP_ERROR_TYPES.includes(result.error_type) && !!result.error && isClearRunError(result.error))),
      );
      const answered = outcomes.filter(({ result }) => result.success).length;
      const byType: Record<string, number> = {};
      for (const { result } of outcomes) if (!result.success) byType[result.error_type ?? 'none'] = (byType[result.error_type ?? 'none'] ?? 0) + 1;
      rows.push({
        scenario: `hostile Responses API responses (a local server): ${outcomes.length} runs, hosted + direct, JSON and SSE (truncated JSON, wrong shapes, 4 MB bodies, broken SSE, odd status codes, dropped connections)`,
        runs: outcomes.length,
        completed: classified.length,
        lost: 0,
        duplicated: '0',
        expected:
          classified.length === outcomes.length && stillServes
            ? `yes: ${outcomes.length - answered} failed with a classified error (${Object.entries(byType)
                .map(([type, count]) => `${type} ${count}`)
                .join(', ')}), ${answered} answered; 0 task failures; the worker still serves`
            : `NO: ${outcomes.length - classified.length} unclassified or task failures`,
      });
      const wrong = outcomes
        .filter((outcome) => !classified.includes(outcome))
        .map(({ name, result, failures }) => `${name}: ${failures} task failures; ${result.error_type}: ${result.error?.slice(0, 200)}`);
      assert.deepEqual(wrong, []);
      assert.ok(stillServes, 'the worker still answers a normal query');
    },
  );
});
