/**
 * `deny --all` with no filter on a terminal lists what it would answer and asks first; "n"
 * answers nothing. The terminal is a real pseudo-terminal (util-linux `script`); the run waiting
 * for approval is a real direct-mode query against the demo weather server.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { createActivities } from '../../activities';
import { progressQuery } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { BIN, childEnv, ensureBuilt, scratchDir } from './harness';

const stack = useOfflineStack();
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

/** Runs `mcpflow args` on a pseudo-terminal, typing `answer` once the question shows. */
function onTerminal(args: string[], env: Record<string, string>, answer: string): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, BIN, ...args].map((part) => `'${part.replace(/'/g, "'\\''")}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: scratchDir(), env: childEnv(env) });
  let output = '';
  let typed = false;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (!typed && /\[y\/N\]/.test(output)) {
      typed = true;
      child.stdin.write(`${answer}\r`);
    }
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no answer within 60 s:\n${output}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      setImmediate(() => resolve({ code, output }));
    });
  });
}

describe('approve/deny --all on a terminal', () => {
  it(
    'lists the requests of the whole namespace and asks; "n" answers nothing',
    { skip: hasScript ? false : 'no util-linux `script` here for a pseudo-terminal' },
    async () => {
      ensureBuilt();
      const taskQueue = uniqueTaskQueue('approvals-confirm');
      await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, async (env) => {
        const handle = await env.client.workflow.start(runQuery, {
          taskQueue,
          workflowId: uniqueWorkflowId('approvals-confirm'),
          args: [
            {
              query: "What's the weather in London?",
              mode: 'direct',
              servers: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'always' }],
            },
          ],
        });
        try {
          const deadline = Date.now() + 30_000;
          while ((await handle.query(progressQuery)).pending_approvals.length === 0) {
            assert.ok(Date.now() < deadline, 'the run asks for approval in time');
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          const cliEnv = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace };
          // Visibility is eventually consistent: ask until the run is among those listed.
          let run = await onTerminal(['deny', '--all'], cliEnv, 'n');
          for (let tries = 0; !run.output.includes(handle.workflowId) && tries < 20; tries++) run = await onTerminal(['deny', '--all'], cliEnv, 'n');
          assert.match(run.output, new RegExp(handle.workflowId), 'the request is listed before the question');
          assert.match(run.output, /Deny these \d+ request\(s\) in \d+ run\(s\) of namespace \S+\? \[y\/N\]/);
          assert.match(run.output, /Nothing answered\./);
          assert.equal(run.code, 1);
          assert.equal((await handle.query(progressQuery)).pending_approvals.length, 1, 'the request still waits');
        } finally {
          await handle.terminate('test finished').catch(() => undefined);
        }
      });
    },
  );
});
