/** runQuery in background mode (workflows/query/background.ts): the listing fallback of a first turn, and `on` refused without storage. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { readQueryFailedDetails } from '../../src/core/failures';
import { catalogQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { FAST_RETRY } from '../helpers/scenario';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';

const stack = useOfflineStack();

function withQueryWorker<T>(body: (start: (input: QueryInput) => Promise<WorkflowHandle<typeof runQuery>>) => Promise<T>): Promise<T> {
  const taskQueue = uniqueTaskQueue('background');
  return withWorker(
    { taskQueue, activities: createActivities({ serverRegistry: { servers: [], allowInline: true }, openaiBaseURL: stack.emulator.url, env: {} }) },
    async (env) => body((input) => env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('background'), args: [input] })),
  );
}

async function activityNames(handle: WorkflowHandle): Promise<string[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.flatMap((event) =>
    event.activityTaskScheduledEventAttributes?.activityType?.name ? [event.activityTaskScheduledEventAttributes.activityType.name] : [],
  );
}

describe('runQuery in background mode', () => {
  it('a first turn that cannot list a server: each server is listed on its own, and the query goes on without it', async () => {
    const { weather, calendar } = stack.demo.servers;
    calendar.setFaults({ unavailableForMs: 60_000 });
    try {
      await withQueryWorker(async (start) => {
        const handle = await start({
          query: "What's the weather in Paris?",
          servers: [
            { label: 'weather', url: weather.url, require_approval: 'never' },
            { label: 'calendar', url: calendar.url, require_approval: 'never' },
          ],
          conversation: 'stored',
          retry: { ...FAST_RETRY, max_retries: 1 },
        });
        const result = await handle.result();
        assert.equal(result.success, true, result.error ?? '');
        assert.deepEqual(
          result.tool_calls.map((call) => call.server),
          ['weather'],
        );
        assert.equal((await handle.query(catalogQuery)).servers.calendar?.status, 'error');
        const names = await activityNames(handle);
        assert.ok(names.includes('createBackgroundResponse'), names.join(', '));
        assert.ok(!names.includes('callResponsesApi'), 'background "auto" with a stored conversation: no one-activity call');
      });
    } finally {
      calendar.setFaults({ unavailableForMs: 0 });
    }
  });

  it('direct mode: the function-calling turns run in the background too, the tool runs on the worker', async () => {
    await withQueryWorker(async (start) => {
      const handle = await start({
        query: "What's the weather in Paris?",
        servers: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }],
        mode: 'direct',
        conversation: 'stored',
        retry: FAST_RETRY,
      });
      const result = await handle.result();
      assert.equal(result.success, true, result.error ?? '');
      assert.equal(result.tool_calls.length, 1);
      const names = await activityNames(handle);
      assert.equal(names.filter((name) => name === 'createBackgroundResponse').length, 2, names.join(', '));
      assert.ok(names.includes('callToolDirect'), names.join(', '));
    });
  });

  it('background "on" with a stateless conversation stops the query, naming the fix', async () => {
    await withQueryWorker(async (start) => {
      const handle = await start({
        query: "What's the weather in Paris?",
        servers: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }],
        conversation: 'stateless',
        background: 'on',
        retry: FAST_RETRY,
      });
      const error = await handle.result().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      assert.ok(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure, String(error));
      assert.match(error.cause.message, /background "on" needs conversation "stored"/);
      assert.equal(readQueryFailedDetails(error.cause.details)?.result.tool_calls.length, 0);
    });
  });
});
