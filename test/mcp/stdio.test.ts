/**
 * stdio MCP servers in direct mode, on real components: the Temporal dev server, the emulator
 * over HTTP, and real programs the worker starts (`@modelcontextprotocol/server-memory`, and a
 * small server that exits in the middle of a call). Also the config and `--server` forms.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActivities, McpConnectionPool } from '../../activities';
import { parseServerSpec } from '../../src/config/server-spec';
import { hostedModeProblem, ServerConfigSchema, StdioServerConfigSchema, type ServerConfigInput } from '../../src/core/servers';
import { SCRIPT_METADATA_KEY } from '../../src/emulator';
import type { QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';

const MEMORY_BIN = require.resolve('@modelcontextprotocol/server-memory/dist/index.js');
const CRASHING_BIN = path.join(__dirname, 'fixtures', 'crashing-stdio-server.ts');
const TOKEN = 'stdio-token-7f3a9c21';
const retry = { max_retries: 1, base_delay_ms: 100, max_delay_ms: 200, rate_limit_base_delay_ms: 200 };

/** Processes this test process started whose command line mentions `marker`. */
function childProcesses(marker: string): number[] {
  const lines = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).split('\n');
  return lines.flatMap((line) => {
    const match = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    return match && Number(match[2]) === process.pid && match[3]!.includes(marker) ? [Number(match[1])] : [];
  });
}

describe('stdio server config', () => {
  it('a config server is either HTTP (url) or stdio (command); every HTTP config stays valid', () => {
    const http = ServerConfigSchema.parse({ label: 'weather', url: 'http://127.0.0.1:8801/mcp', headers: { 'X-Key': { env: 'KEY' } } });
    assert.equal(http.url, 'http://127.0.0.1:8801/mcp');
    const stdio = ServerConfigSchema.parse({
      label: 'memory',
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-memory'],
      env: { MEMORY_FILE_PATH: '/tmp/m.jsonl', TOKEN: { env: 'MEMORY_TOKEN' } },
      cwd: '/tmp',
    });
    assert.deepEqual(stdio, {
      label: 'memory',
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-memory'],
      env: { MEMORY_FILE_PATH: '/tmp/m.jsonl', TOKEN: { env: 'MEMORY_TOKEN' } },
      cwd: '/tmp',
      require_approval: 'always',
    });
    assert.deepEqual(StdioServerConfigSchema.parse({ label: 'm', command: 'node' }).args, []);
  });

  it('mixed or incomplete configs are refused with a message that names the fix', () => {
    const problem = (input: unknown) => {
      const parsed = ServerConfigSchema.safeParse(input);
      assert.equal(parsed.success, false);
      return parsed.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    };
    // A bare label is a server of the worker's config (activities/server-registry.ts); a typo is still named.
    assert.match(problem({ label: 'x', uri: 'http://127.0.0.1:1/mcp' }), /uri/);
    assert.match(problem({ label: 'x', url: 'http://127.0.0.1:1/mcp', command: 'node' }), /either "url" or "command"|not both/);
    assert.match(problem({ label: 'x', command: 'node', headers: { A: { env: 'A' } } }), /headers: a stdio server takes no HTTP headers/);
    assert.match(problem({ label: 'x', command: 'node', env: { 'BAD NAME': 'v' } }), /environment variable name/);
    assert.match(problem({ label: 'x', command: '' }), /command: must be the program to run/);
  });

  it('--server label=stdio:<command> [args…] splits words like a shell, without one', () => {
    assert.deepEqual(parseServerSpec('memory=stdio:npx -y @modelcontextprotocol/server-memory'), {
      label: 'memory',
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-memory'],
      require_approval: 'always',
      inline: true,
    });
    const quoted = parseServerSpec(
      `files=stdio:node "/opt/my server/index.js" 'a,b' c\\ d --flag=x,approval=never,env=FILES_TOKEN|HOME_DIR,cwd=/srv,tools=read|list`,
    );
    assert.deepEqual(quoted, {
      label: 'files',
      command: 'node',
      args: ['/opt/my server/index.js', 'a,b', 'c d', '--flag=x'],
      require_approval: 'never',
      env: { FILES_TOKEN: { env: 'FILES_TOKEN' }, HOME_DIR: { env: 'HOME_DIR' } },
      cwd: '/srv',
      allowed_tools: ['read', 'list'],
      inline: true,
    });
    assert.throws(() => parseServerSpec('x=stdio:'), /needs a command/);
    assert.throws(() => parseServerSpec('x=stdio:node "unclosed'), /quote " is not closed/);
    assert.throws(() => parseServerSpec('x=stdio:node,auth=TOKEN'), /unknown option "auth"; use approval, env, cwd, tools/);
    // The HTTP form is unchanged.
    assert.deepEqual(parseServerSpec('w=http://127.0.0.1:8801/mcp,approval=never,auth=W_TOKEN'), {
      label: 'w',
      url: 'http://127.0.0.1:8801/mcp',
      require_approval: 'never',
      authorization: { env: 'W_TOKEN' },
      inline: true,
    });
  });

  it('hosted mode names the stdio servers it cannot reach and says to use direct mode', () => {
    const servers: ServerConfigInput[] = [
      { label: 'web', url: 'http://127.0.0.1:1/mcp' },
      { label: 'memory', command: 'node' },
    ];
    const problem = hostedModeProblem(servers.map((server) => ServerConfigSchema.parse(server)));
    assert.match(problem ?? '', /server "memory" is a stdio server.*--mode direct/);
    assert.equal(hostedModeProblem([ServerConfigSchema.parse(servers[0])]), undefined);
  });
});

describe('direct mode with stdio servers', () => {
  const stack = useOfflineStack();
  let dir: string;
  const logged: string[] = [];
  let pool: McpConnectionPool;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcpflow-stdio-'));
    pool = new McpConnectionPool(undefined, { log: (_level, message) => logged.push(message) });
  });
  after(async () => {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  });

  function run<T>(body: (query: (input: QueryInput) => ReturnType<typeof startAndWait>) => Promise<T>) {
    const taskQueue = uniqueTaskQueue('stdio');
    const env = { TEST_MEMORY_FILE: path.join(dir, 'memory.jsonl'), CRASHING_TOKEN: TOKEN };
    return withWorker(
      {
        taskQueue,
        activities: createActivities({ serverRegistry: { servers: [], allowInline: true }, openaiBaseURL: stack.emulator.url, env, mcpConnections: pool }),
      },
      (worker) => body((input) => startAndWait(worker.client, taskQueue, input)),
    );
  }

  /** The message a run that must fail fails with. */
  async function failure(outcome: Promise<unknown>): Promise<string> {
    const error = await outcome.then(
      () => assert.fail('the run should have failed'),
      (caught: unknown) => caught,
    );
    return error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
  }

  async function startAndWait(client: Parameters<Parameters<typeof withWorker>[1]>[0]['client'], taskQueue: string, input: QueryInput) {
    const handle = await client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('stdio'), args: [input] });
    return { handle, result: await handle.result() };
  }

  const memory = {
    label: 'memory',
    command: process.execPath,
    args: [MEMORY_BIN],
    env: { MEMORY_FILE_PATH: { env: 'TEST_MEMORY_FILE' } },
    require_approval: 'never' as const,
    inline: true as const,
  };
  const crashing = {
    label: 'crashing',
    command: process.execPath,
    args: ['--import', 'tsx', CRASHING_BIN],
    env: { CRASHING_TOKEN: { env: 'CRASHING_TOKEN' } },
    require_approval: 'never' as const,
    inline: true as const,
  };
  const scripted = (calls: unknown[], answer?: string) => ({ [SCRIPT_METADATA_KEY]: JSON.stringify({ calls, ...(answer ? { answer } : {}) }) });

  it('server-memory: one query creates an entity, a second one reads it back, from one process', async () => {
    await run(async (query) => {
      const created = await query({
        query: 'Remember that Ada Lovelace wrote the first program',
        mode: 'direct',
        servers: [memory],
        retry,
        metadata: scripted([
          {
            tool: 'memory__create_entities',
            arguments: { entities: [{ name: 'Ada Lovelace', entityType: 'person', observations: ['wrote the first program'] }] },
          },
        ]),
      });
      assert.equal(created.result.success, true, created.result.error ?? '');
      assert.deepEqual(
        created.result.tool_calls.map((call) => `${call.server}.${call.tool}:${call.status}`),
        ['memory.create_entities:completed'],
      );
      // server-memory declares an outputSchema: its structuredContent is kept, and it matches.
      assert.deepEqual(created.result.tool_calls[0]?.structured_content, {
        entities: [{ name: 'Ada Lovelace', entityType: 'person', observations: ['wrote the first program'] }],
      });
      assert.equal(created.result.tool_calls[0]?.structured_content_error, undefined);
      const [pid] = pool.stdioPids;
      assert.equal(typeof pid, 'number');
      assert.match(await readFile(path.join(dir, 'memory.jsonl'), 'utf8'), /Ada Lovelace/, 'the entity is on disk where the env reference points');

      const read = await query({
        query: 'What do you know about Ada Lovelace?',
        mode: 'direct',
        servers: [memory],
        retry,
        metadata: scripted([{ tool: 'memory__open_nodes', arguments: { names: ['Ada Lovelace'] } }]),
      });
      assert.equal(read.result.success, true, read.result.error ?? '');
      const [call] = read.result.tool_calls;
      assert.equal(call?.status, 'completed');
      assert.match(call?.output ?? '', /wrote the first program/);
      assert.match(read.result.text_response, /Ada Lovelace/);
      assert.deepEqual(pool.stdioPids, [pid], 'both queries used the same process');
      assert.equal(childProcesses(MEMORY_BIN).length, 1);
      // The reference was resolved on the worker: the path is nowhere in history.
      const history = JSON.stringify(await read.handle.fetchHistory());
      assert.ok(!history.includes(path.join(dir, 'memory.jsonl')), 'the resolved env value is not in history');
    });
  });

  it('a server that exits mid-call: a connection error, the pool starts it again, stderr reaches the log redacted', async () => {
    await run(async (query) => {
      const first = await query({
        query: 'Who are you?',
        mode: 'direct',
        servers: [crashing],
        retry,
        metadata: scripted([{ tool: 'crashing__whoami' }, { tool: 'crashing__shout' }], 'done'),
      });
      assert.equal(first.result.success, true, first.result.error ?? '');
      const pidBefore = Number(/pid (\d+)/.exec(first.result.tool_calls.find((call) => call.tool === 'whoami')?.output ?? '')?.[1]);
      assert.ok(pidBefore > 0);

      const crashed = await query({
        query: 'Crash please',
        mode: 'direct',
        servers: [crashing],
        retry: { ...retry, max_retries: 0 },
        metadata: scripted([{ tool: 'crashing__crash' }], 'it crashed'),
      });
      const [call] = crashed.result.tool_calls;
      assert.equal(call?.status, 'failed');
      assert.equal(call?.error_type, 'connection');

      const again = await query({
        query: 'Who are you now?',
        mode: 'direct',
        servers: [crashing],
        retry,
        metadata: scripted([{ tool: 'crashing__whoami' }], 'done'),
      });
      const pidAfter = Number(/pid (\d+)/.exec(again.result.tool_calls[0]?.output ?? '')?.[1]);
      assert.ok(pidAfter > 0 && pidAfter !== pidBefore, `a new process (${pidBefore} → ${pidAfter})`);
      assert.deepEqual(childProcesses(CRASHING_BIN), [pidAfter], 'the crashed process is gone, its successor runs');
    });
    assert.ok(
      logged.some((line) => line.includes('crashing server ready')),
      'stderr lines reach the log',
    );
    assert.ok(
      logged.some((line) => /token is \*\*\*/.test(line)),
      logged.join('\n'),
    );
    assert.ok(!logged.some((line) => line.includes(TOKEN)), 'the secret never reaches the log');
    assert.ok(
      logged.some((line) => /MCP server crashing \(stdio, process \d+\) stopped or broke/.test(line)),
      'the crash is logged, naming the server',
    );
  });

  it('nothing is left running once the worker closes its pool', async () => {
    assert.ok(childProcesses(CRASHING_BIN).length + childProcesses(MEMORY_BIN).length > 0, 'the earlier tests left idle processes in the pool');
    await pool.close();
    assert.deepEqual(childProcesses(CRASHING_BIN), []);
    assert.deepEqual(childProcesses(MEMORY_BIN), []);
    assert.deepEqual(pool.stdioPids, []);
  });

  it('a program that cannot start is a clear, non-retried failure naming the server', async () => {
    await run(async (query) => {
      const missing = { label: 'ghost', command: path.join(dir, 'no-such-program'), require_approval: 'never' as const, inline: true as const };
      const message = await failure(query({ query: 'Anything?', mode: 'direct', servers: [missing], retry }));
      assert.match(message, /invalid_arguments.*server ghost: cannot start ".*no-such-program" \(ENOENT\): check "command"/);
    });
  });

  it('hosted mode refuses a stdio server, naming it and direct mode', async () => {
    await run(async (query) => {
      const message = await failure(query({ query: 'Remember me', mode: 'hosted', servers: [memory], retry }));
      assert.match(message, /invalid_arguments.*server "memory" is a stdio server.*--mode direct/);
    });
  });
});
