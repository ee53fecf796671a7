/**
 * @modelcontextprotocol/server-everything over its three transports behind a direct-mode query
 * (real dev server, emulator, worker): Streamable HTTP, the legacy HTTP+SSE one (reached by the
 * SDK's documented fallback from the same kind of URL) and stdio answer the same query the same way.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createActivities, McpConnectionPool } from '../../activities';
import type { ServerConfigInput } from '../../src/core/servers';
import { SCRIPT_METADATA_KEY } from '../../src/emulator';
import { runQuery } from '../../workflows/query';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';

const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
const retry = { max_retries: 1, base_delay_ms: 100, max_delay_ms: 200, rate_limit_base_delay_ms: 200 };

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
}

async function startEverything(mode: 'streamableHttp' | 'sse'): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, [EVERYTHING, mode], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server-everything ${mode} did not start: ${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/(listening|running) on port/i.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server-everything ${mode} exited with ${code}: ${output}`));
    });
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, port, output: () => output };
}

async function stop(started: Started | undefined) {
  if (!started || started.child.exitCode !== null) return;
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  await exited;
}

describe('server-everything over Streamable HTTP, HTTP+SSE and stdio', () => {
  const stack = useOfflineStack();
  let http: Started;
  let sse: Started;
  const pool = new McpConnectionPool(undefined, { log: () => undefined });

  before(async () => {
    [http, sse] = await Promise.all([startEverything('streamableHttp'), startEverything('sse')]);
  });
  after(async () => {
    await pool.close();
    await Promise.all([stop(http), stop(sse)]);
  });

  it('the same direct query answers the same way over each transport', async () => {
    const servers: Record<string, ServerConfigInput> = {
      streamable: { label: 'everything', url: `http://127.0.0.1:${http.port}/mcp`, require_approval: 'never' },
      // The URL a 2024-11-05 client is given: the Streamable HTTP POST is refused (404), the SSE GET works.
      sse: { label: 'everything', url: `http://127.0.0.1:${sse.port}/sse`, require_approval: 'never' },
      stdio: { label: 'everything', command: process.execPath, args: [EVERYTHING, 'stdio'], require_approval: 'never', inline: true as const },
    };
    const taskQueue = uniqueTaskQueue('everything');
    const answers: Record<string, unknown> = {};
    await withWorker(
      {
        taskQueue,
        activities: createActivities({ serverRegistry: { servers: [], allowInline: true }, openaiBaseURL: stack.emulator.url, env: {}, mcpConnections: pool }),
      },
      async (env) => {
        for (const [kind, server] of Object.entries(servers)) {
          const result = await env.client.workflow.execute(runQuery, {
            taskQueue,
            workflowId: uniqueWorkflowId(`everything-${kind}`),
            args: [
              {
                query: 'Echo hello from mcpflow',
                mode: 'direct',
                servers: [server],
                retry,
                metadata: { [SCRIPT_METADATA_KEY]: JSON.stringify({ calls: [{ tool: 'everything__echo', arguments: { message: 'hello from mcpflow' } }] }) },
              },
            ],
          });
          assert.equal(result.success, true, `${kind}: ${result.error}`);
          answers[kind] = {
            text: result.text_response,
            calls: result.tool_calls.map((call) => ({ tool: call.tool, status: call.status, output: call.output })),
          };
        }
      },
    );
    assert.deepEqual(answers.streamable, {
      text: (answers.streamable as { text: string }).text,
      calls: [{ tool: 'echo', status: 'completed', output: 'Echo: hello from mcpflow' }],
    });
    assert.match((answers.streamable as { text: string }).text, /hello from mcpflow/);
    assert.deepEqual(answers.sse, answers.streamable);
    assert.deepEqual(answers.stdio, answers.streamable);
    assert.match(sse.output(), /Client Connected/, 'the SSE server saw an SSE session');
  });
});
