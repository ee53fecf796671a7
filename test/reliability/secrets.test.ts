/**
 * A server that echoes the Authorization header it received (plain and base64, in an output and
 * in an error): the token is found nowhere — not in the workflow's history, not in its queries,
 * not in the worker's log output, not in what the CLI prints — in both modes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { historyQuery, progressQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { runCli } from '../cli/harness';
import { historyText } from '../helpers/histories';
import { startHostileServer, type HostileServer } from '../helpers/hostile-mcp-server';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';

const TOKEN = 'tok-planted-7f3a9c2e51';
const FORMS = [TOKEN, Buffer.from(TOKEN).toString('base64'), Buffer.from(TOKEN).toString('base64').replace(/=+$/, '')];
const stack = useOfflineStack();
let hostile: HostileServer;
before(async () => {
  hostile = await startHostileServer();
});
after(() => hostile?.close());

function assertClean(text: string, where: string) {
  for (const form of FORMS) assert.ok(!text.includes(form), `${where} contains the token (${form})`);
}

/** Everything the worker's logger writes while `fn` runs. */
async function captureLogs<T>(fn: () => Promise<T>): Promise<{ value: T; logs: string }> {
  const lines: string[] = [];
  const logger = Runtime.instance().logger;
  const original = logger.log.bind(logger);
  (logger as DefaultLogger).log = (level, message, meta) => {
    lines.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
    return original(level, message, meta);
  };
  try {
    return { value: await fn(), logs: lines.join('\n') };
  } finally {
    (logger as DefaultLogger).log = original;
  }
}

const script = (mode: 'hosted' | 'direct') =>
  JSON.stringify({
    calls:
      mode === 'hosted'
        ? [
            { server: 'hostile', tool: 'echo_auth' },
            { server: 'hostile', tool: 'fail_auth' },
          ]
        : [{ tool: 'hostile__echo_auth' }, { tool: 'hostile__fail_auth' }],
  });

describe('secrets echoed by a server', () => {
  for (const mode of ['hosted', 'direct'] as const) {
    it(`${mode}: the token is nowhere in history, queries or logs`, async () => {
      const taskQueue = uniqueTaskQueue('secrets');
      const env = { HOSTILE_TOKEN: TOKEN };
      await withWorker(
        { taskQueue, activities: createActivities({ serverRegistry: { servers: [], allowInline: true }, openaiBaseURL: stack.emulator.url, env }) },
        async (testEnv) => {
          const input: QueryInput = {
            query: 'Echo my headers',
            mode,
            max_steps: 3,
            servers: [{ label: 'hostile', url: hostile.url, require_approval: 'never', authorization: { env: 'HOSTILE_TOKEN' }, inline: true }],
            retry: { max_retries: 1, base_delay_ms: 100, max_delay_ms: 200, rate_limit_base_delay_ms: 200 },
            metadata: { mcpflow_script: script(mode) },
          };
          const { value: handle, logs } = await captureLogs(async () => {
            const started = await testEnv.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId(`secrets-${mode}`), args: [input] });
            await started.result().catch(() => undefined);
            return started;
          });
          const history = await historyText(handle);
          assert.match(history, /you sent: Bearer \*\*\*/, 'the echo reached history, redacted');
          assertClean(history, 'history');
          assertClean(JSON.stringify(await handle.query(progressQuery)), 'progress');
          assertClean(JSON.stringify(await handle.query(historyQuery)), 'history query');
          assertClean(logs, 'worker logs');
          assert.ok(hostile.calls > 0);

          const shown = await runCli(['history', handle.workflowId, '--json'], {
            via: 'source',
            env: { TEMPORAL_ADDRESS: testEnv.address, TEMPORAL_NAMESPACE: testEnv.namespace, MCPFLOW_TASK_QUEUE: taskQueue },
          });
          assert.equal(shown.code, 0, shown.stderr);
          assert.match(shown.stdout, /echo_auth/);
          assertClean(shown.stdout + shown.stderr, 'CLI output');
        },
      );
    });
  }
});
