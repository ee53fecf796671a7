/* eslint-disable no-control-regex -- the assertions look for control characters and escape sequences */
/**
 * The smaller defects of issue 12, each through the real `mcpflow` command: terminal escape codes
 * in tool output printed sanitised, out-of-range --max-steps / --approval-timeout refused, one
 * label on two --server flags refused, `discover` non-zero when every server failed, and
 * `progress` on a run whose input was refused says so.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActivities } from '../../activities';
import { plainText, terminalLine } from '../../src/cli/terminal-text';
import type { QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { runCli, scratchDir, type CliOptions } from '../cli/harness';
import { ESCAPES, startHostileServer, type HostileServer } from '../helpers/hostile-mcp-server';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker, type TestEnv } from '../helpers/temporal';

const stack = useOfflineStack();
let hostile: HostileServer;
before(async () => {
  hostile = await startHostileServer();
});
after(() => hostile?.close());

const cliEnv = (env: TestEnv, taskQueue: string): CliOptions => ({
  via: 'source',
  env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace, MCPFLOW_TASK_QUEUE: taskQueue },
});
const FAST_RETRY = { max_retries: 1, base_delay_ms: 100, max_delay_ms: 200, rate_limit_base_delay_ms: 200 };

describe('CLI hardening', () => {
  it('sanitises terminal escape sequences: tables lose them all, lines keep only colours', () => {
    assert.equal(plainText(`${ESCAPES}visible`).includes('\u001b'), false);
    assert.doesNotMatch(plainText(`${ESCAPES}visible`), /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    assert.match(plainText(`${ESCAPES}visible`), /visible$/);
    assert.equal(plainText('line one\n\tline two'), 'line one\n\tline two');
    assert.equal(terminalLine('\u001b[36mhead\u001b[39m'), '\u001b[36mhead\u001b[39m');
    assert.doesNotMatch(terminalLine(`x${ESCAPES}`), /\u001b\]|\u001b\[2J|\u001b\[H|\u0007|\u009b/);
  });

  it('tool output with escape codes is printed sanitised by `history`', async () => {
    const taskQueue = uniqueTaskQueue('cli-escapes');
    await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, async (env) => {
      const input: QueryInput = {
        query: 'Show me escapes',
        servers: [{ label: 'hostile', url: hostile.url, require_approval: 'never' }],
        retry: FAST_RETRY,
        metadata: { mcpflow_script: JSON.stringify({ calls: [{ server: 'hostile', tool: 'escape' }], answer: `done ${ESCAPES.slice(0, 20)}` }) },
      };
      const handle = await env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('cli-escapes'), args: [input] });
      assert.equal((await handle.result()).tool_calls[0]?.output?.includes('\u001b]0;pwned'), true, 'the raw output is in the result');
      const shown = await runCli(['history', handle.workflowId], cliEnv(env, taskQueue));
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /click/, 'the text around the sequences is shown');
      assert.doesNotMatch(shown.stdout, /\u001b\]|\u001b\[2J|\u001b\[H|\u0007|\u009b/, 'no escape sequence but colours reaches the terminal');
    });
  });

  it('refuses --max-steps 51, an absurd --approval-timeout and one label on two --server flags with exit 2', async () => {
    const options: CliOptions = { via: 'source', env: { TEMPORAL_ADDRESS: '127.0.0.1:9' } };
    const server = ['--server', 'weather=http://127.0.0.1:9/mcp'];
    for (const [args, message] of [
      [['query', 'hi', '--max-steps', '51', ...server], /--max-steps.*"51" is more than 50 model turns/],
      [['query', 'hi', '--approval-timeout', '400d', ...server], /--approval-timeout.*longer than 365 days/],
      [['query', 'hi', '--approval-timeout', '99999999999999999999d', ...server], /--approval-timeout.*too long/],
      [['query', 'hi', '--server', 'w=http://127.0.0.1:9/a', '--server', 'w=http://127.0.0.1:9/b'], /the label "w" is given twice/],
    ] as const) {
      const run = await runCli([...args], options);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
  });

  it('`discover` exits 1 when every server failed', async () => {
    const taskQueue = uniqueTaskQueue('cli-discover');
    const dir = scratchDir();
    const config = path.join(dir, 'mcpflow.config.json');
    writeFileSync(config, JSON.stringify({ defaults: { mode: 'direct', retry: FAST_RETRY } }));
    await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, async (env) => {
      const run = await runCli(
        ['discover', '--config', config, '--server', 'down=http://127.0.0.1:9/mcp', '--server', 'gone=http://127.0.0.1:9/other'],
        cliEnv(env, taskQueue),
      );
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /every server failed to list its tools \(down, gone\)/);
      const one = await runCli(
        ['discover', '--config', config, '--server', 'down=http://127.0.0.1:9/mcp', '--server', `weather=${stack.demo.servers.weather.url}`],
        cliEnv(env, taskQueue),
      );
      assert.equal(one.code, 0, `one server answered: ${one.stderr}`);
    });
  });

  it('`progress` on a run whose input was refused names the refusal', async () => {
    const taskQueue = uniqueTaskQueue('cli-progress');
    await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, async (env) => {
      const handle = await env.client.workflow.start(runQuery, {
        taskQueue,
        workflowId: uniqueWorkflowId('cli-rejected'),
        args: [{ query: '', servers: [] } as never],
      });
      await handle.result().catch(() => undefined);
      const run = await runCli(['progress', handle.workflowId], cliEnv(env, taskQueue));
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`workflow ${handle.workflowId} failed before it could answer 'progress': invalid runQuery input: .*servers`));
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    });
  });
});
