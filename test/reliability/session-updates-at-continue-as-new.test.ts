/**
 * 100 updates at a time to one session while it continues as new again and again (a 50-event
 * threshold): every one succeeds at the client, which retries what the closing run refused or
 * the server aborted, on the latest run. Real components: the dev server, a worker, the emulator,
 * a demo MCP server, the typed client.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createActivities } from '../../activities';
import { McpflowClient } from '../../src/client';
import { mcpSession } from '../../workflows/session';
import { HISTORY_FIXTURES, HISTORY_INDEX, readHistoryIndex } from '../helpers/histories';
import { reliabilityRows } from '../helpers/reliability-report';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { ensureTemporalCli } from '../../src/devserver/cli-path';

const stack = useOfflineStack();
const CONCURRENT = 100;
const CONTINUE_AS_NEW_WANTED = 5;
const rows = reliabilityRows(91, 'session-updates');

describe('session updates at continue-as-new', () => {
  after(() => rows.flush());

  it(`${CONCURRENT} updates at a time across ${CONTINUE_AS_NEW_WANTED} continue-as-new: none fails at the client`, async () => {
    const taskQueue = uniqueTaskQueue('session-can');
    const activities = createActivities({ openaiBaseURL: stack.emulator.url, env: {}, temporalClient: stack.env.client });
    await withWorker({ taskQueue, activities }, async (env) => {
      const client = new McpflowClient(env.client, env.connection, { address: env.address, namespace: env.namespace }, taskQueue);
      const sessionId = uniqueWorkflowId('session-can');
      await client.sessions.startOrGet(sessionId, {
        servers: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }],
        continue_as_new_after_events: 50,
      });
      const session = env.client.workflow.getHandle<typeof mcpSession>(sessionId);
      try {
        await client.sessions.refresh(sessionId, true);
        const runs = new Set([(await session.describe()).runId]);
        const failures: string[] = [];
        let sent = 0;
        for (let wave = 0; wave < 10 && runs.size <= CONTINUE_AS_NEW_WANTED; wave++) {
          const outcomes = await Promise.allSettled(
            Array.from({ length: CONCURRENT }, (_, i) => {
              // Every kind of update: queries (in flight until their child starts), cached refreshes, standing approvals.
              if (i % 5 === 0) return client.sessions.startQuery(sessionId, { query: `What's the weather in city ${wave}-${i}?` });
              return i % 2 ? client.sessions.refresh(sessionId, false) : client.sessions.trust(sessionId, 'weather', 'get_current_weather');
            }),
          );
          sent += outcomes.length;
          for (const outcome of outcomes) if (outcome.status === 'rejected') failures.push(describeFailure(outcome.reason));
          runs.add((await session.describe()).runId);
        }
        assert.ok(runs.size > CONTINUE_AS_NEW_WANTED, `the session continued as new ${runs.size - 1} times`);
        assert.deepEqual(failures.slice(0, 8), [], `${failures.length} of ${sent} updates failed at the client`);
        // Workflow-task failures (UnhandledCommand: updates arriving as a task continues as new) over every run.
        let taskFailures = 0;
        for (const runId of runs) {
          const events = (await env.client.workflow.getHandle(sessionId, runId).fetchHistory()).events ?? [];
          taskFailures += events.filter((event) => event.workflowTaskFailedEventAttributes).length;
        }
        // Not asserted: the rest follow children's signals and ends, which no workflow code can hold back.
        console.log(`session-can: ${sent} updates, ${runs.size - 1} continue-as-new, ${taskFailures} workflow-task failures`);
        const progress = await client.sessions.progress(sessionId);
        assert.deepEqual(progress.servers, ['weather']);
        assert.ok(progress.tools_cached > 0, 'the catalog was carried');
        rows.push({
          scenario: `security: ${CONCURRENT} updates at a time to one session (queries, refreshes, standing approvals) across ${runs.size - 1} continue-as-new`,
          runs: sent,
          completed: sent - failures.length,
          lost: failures.length,
          duplicated: 'none',
          expected: `yes: 0 failures at the client (30 and 51 of 500 before the fix); ${taskFailures} workflow-task failures (children's signals during continue-as-new)`,
        });
      } finally {
        await session.terminate('test finished').catch(() => undefined);
      }
    });
  });

  it('one client, one update after another, across continue-as-new: the fixture of a drained run', async () => {
    const taskQueue = uniqueTaskQueue('session-drain');
    const activities = createActivities({ openaiBaseURL: stack.emulator.url, env: {}, temporalClient: stack.env.client });
    await withWorker({ taskQueue, activities }, async (env) => {
      const client = new McpflowClient(env.client, env.connection, { address: env.address, namespace: env.namespace }, taskQueue);
      const sessionId = uniqueWorkflowId('session');
      await client.sessions.startOrGet(sessionId, {
        servers: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }],
        continue_as_new_after_events: 50,
      });
      const session = env.client.workflow.getHandle<typeof mcpSession>(sessionId);
      try {
        await client.sessions.refresh(sessionId, true);
        const firstRun = (await session.describe()).runId;
        for (let i = 0; i < 200 && (await session.describe()).runId === firstRun; i++) {
          await client.sessions.trust(sessionId, 'weather', 'get_current_weather');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.notEqual((await session.describe()).runId, firstRun, 'the session continued as new');
        assert.deepEqual(
          (await client.sessions.progress(sessionId)).standing_approvals.map((approval) => approval.tool),
          ['get_current_weather'],
        );
        await saveRunHistoryFixture(env.address, env.namespace, sessionId, firstRun!, 'session-drain-accepts-work');
      } finally {
        await session.terminate('test finished').catch(() => undefined);
      }
    });
  });
});

/** The error and its causes, one line (gRPC codes included): what a failure was, when one happens. */
function describeFailure(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    parts.push(`${current.name}${code !== undefined ? `(${String(code)})` : ''}: ${current.message.slice(0, 160)}`);
  }
  return parts.join(' <- ') || String(error);
}

/** saveHistoryFixture for one run of a workflow that continued as new (that helper saves the latest run). */
async function saveRunHistoryFixture(address: string, namespace: string, workflowId: string, runId: string, name: string): Promise<void> {
  if (process.env.MCPFLOW_RECORD_HISTORIES !== '1') return;
  const json = execFileSync(
    await ensureTemporalCli(),
    ['workflow', 'show', '--output', 'json', '--address', address, '--namespace', namespace, '--workflow-id', workflowId, '--run-id', runId],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  writeFileSync(path.join(HISTORY_FIXTURES, `${name}.json`), json);
  // Added at its place, the other entries left as they are.
  const index = readHistoryIndex();
  if (!index[`${name}.json`]) {
    const entries = Object.entries({ ...index, [`${name}.json`]: workflowId });
    writeFileSync(HISTORY_INDEX, `{\n${entries.map(([file, id]) => ` ${JSON.stringify(file)}: ${JSON.stringify(id)}`).join(',\n')}\n}\n`);
  }
}
