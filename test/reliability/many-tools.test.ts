/**
 * A server with 3,000 tools (600-byte descriptions: a listing of about 2.5 MB as JSON):
 * discovery in both modes and a query in both modes each complete within Temporal's payload
 * limits or fail with a clear error, never a terminated run or a workflow task failure loop.
 * A row of docs/reliability.md.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import { jsonBytes, PAYLOAD_LIMIT_BYTES } from '../../src/core/payload-size';
import { discoverTools } from '../../workflows/discovery';
import { runQuery } from '../../workflows/query';
import { startHostileServer, type HostileServer } from '../helpers/hostile-mcp-server';
import { reliabilityRows } from '../helpers/reliability-report';
import { FAST_RETRY, taskFailures } from '../helpers/scenario';
import { childResult } from '../helpers/sessions';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';

const stack = useOfflineStack();
const rows = reliabilityRows(60, 'many-tools');
const TOOLS = 3_000;
let big: HostileServer;
before(async () => {
  big = await startHostileServer({ extraTools: TOOLS });
});
after(async () => {
  await big?.close();
  rows.flush();
});

interface Outcome {
  name: string;
  ok: boolean;
  /** What the run said: its tool count, or its error. */
  said: string;
  clear: boolean;
  bytes: number;
  failures: number;
}

/** A clear refusal names the bytes and the limit (activities/result-budget.ts), not the server's bare "exceeds size limit". */
const CLEAR = /bytes as JSON\), more than the [\d.]+ MiB/;

/** "listToolsHosted returned 2.47 MiB, over the 1.94 MiB budget" out of the refusal, else the message's start. */
function brief(message: string): string {
  const match = /(\w+ returned [\d.]+ MiB) \(\d+ bytes as JSON\), more than the ([\d.]+ MiB)/.exec(message);
  return match ? `"${match[1]}", over the ${match[2]} budget` : message.slice(0, 120);
}

/** A run's end: its result (and its bytes), or the error it failed with; `said` gives the result's own error, if any. */
async function outcomeOf(
  name: string,
  handle: WorkflowHandle,
  read: () => Promise<unknown>,
  said: (result: unknown) => { text: string; error?: string },
): Promise<Outcome> {
  try {
    const result = await read();
    const { text, error } = said(result);
    return { name, ok: true, said: text, clear: error === undefined || CLEAR.test(error), bytes: jsonBytes(result), failures: await taskFailures(handle) };
  } catch (error) {
    const cause = error instanceof WorkflowFailedError ? error.cause : error;
    const message = cause instanceof Error ? cause.message : String(cause);
    // Clear: it names the size or the limit, not an SDK internal.
    return { name, ok: false, said: message.slice(0, 200), clear: CLEAR.test(message), bytes: 0, failures: await taskFailures(handle) };
  }
}

describe('reliability: 3,000-tool listings', () => {
  it(
    'discovery (hosted + direct) and a query (hosted + direct) on a 3,000-tool server: within byte budgets or a clear error',
    { timeout: 5 * 60_000 },
    async () => {
      const taskQueue = uniqueTaskQueue('many-tools');
      const outcomes: Outcome[] = [];
      await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, async (env) => {
        const server = { label: 'big', url: big.url, require_approval: 'never' as const };
        for (const mode of ['hosted', 'direct'] as const) {
          const handle = await env.client.workflow.start(discoverTools, {
            taskQueue,
            workflowId: uniqueWorkflowId(`many-discover-${mode}`),
            args: [{ servers: [server], mode, retry: FAST_RETRY }],
          });
          outcomes.push(
            await outcomeOf(
              `discovery (${mode})`,
              handle,
              () => handle.result(),
              (result) => {
                const listed = (result as Awaited<ReturnType<typeof discoverTools>>).servers[0];
                return listed?.error
                  ? {
                      text: `server marked "error" (${listed.error.type}, ${listed.attempts} attempt): ${brief(listed.error.message)}`,
                      error: listed.error.message,
                    }
                  : { text: `${listed?.tool_count ?? 0} tools` };
              },
            ),
          );
        }
        for (const mode of ['hosted', 'direct'] as const) {
          const calls =
            mode === 'hosted' ? [{ server: 'big', tool: 'bulk_1234', arguments: { value: 'hi' } }] : [{ tool: 'big__bulk_1234', arguments: { value: 'hi' } }];
          const handle = await env.client.workflow.start(runQuery, {
            taskQueue,
            workflowId: uniqueWorkflowId(`many-query-${mode}`),
            args: [
              { query: 'use tool 1234', mode, servers: [server], retry: FAST_RETRY, metadata: { mcpflow_script: JSON.stringify({ calls, answer: 'done' }) } },
            ],
          });
          outcomes.push(
            await outcomeOf(
              `query (${mode})`,
              handle,
              () => childResult(env.client, handle.workflowId),
              (result) => {
                const query = result as Awaited<ReturnType<typeof runQuery>>;
                return query.success
                  ? { text: `answered, ${query.tool_calls.length} call(s)` }
                  : { text: `failed (${query.error_type}, ${query.retries} retries): ${brief(query.error ?? '')}`, error: query.error ?? '' };
              },
            ),
          );
        }
      });
      const good = outcomes.filter((outcome) => outcome.bytes < PAYLOAD_LIMIT_BYTES && outcome.clear && outcome.failures === 0);
      rows.push({
        scenario: `a server with ${TOOLS.toLocaleString('en')} tools (600-byte descriptions): discovery hosted + direct, a query hosted + direct`,
        runs: outcomes.length,
        completed: good.length,
        lost: 0,
        duplicated: '0',
        expected: `${good.length === outcomes.length ? 'yes' : 'NO'}: ${outcomes.map((outcome) => `${outcome.name}: ${outcome.said}`).join('; ')}; ${outcomes.reduce((sum, outcome) => sum + outcome.failures, 0)} task failures`,
      });
      for (const outcome of outcomes) {
        assert.equal(outcome.failures, 0, `${outcome.name}: no task failure or termination`);
        assert.ok(outcome.bytes < PAYLOAD_LIMIT_BYTES, `${outcome.name}: ${outcome.bytes} bytes`);
        assert.ok(outcome.clear, `${outcome.name}: a clear error: ${outcome.said}`);
      }
    },
  );
});
