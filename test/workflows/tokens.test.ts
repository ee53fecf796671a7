/**
 * Tokens and cost on real components (dev server, worker with the real activities, the emulator
 * and the demo MCP servers over HTTP): a query's statistics are the sums of the usage the
 * emulator reported in its responses (read from the activity results in the workflow history),
 * priced from the input's price; token and cost budgets stop a query and a batch with the reason.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { failedQueryResult } from '../../src/core/line-outcome';
import type { ServerConfigInput } from '../../src/core/servers';
import type { Usage } from '../../src/core/schemas';
import { addTokens, EMPTY_TOKENS, turnTokens, type ModelPrice, type TokenTotals } from '../../src/core/usage';
import type { BatchInput } from '../../workflows/batch/messages';
import { approveUpdate, progressQuery, statsQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { FAST_RETRY, scriptedLine, testClient, waitFor, weatherServer } from '../batch/helpers';
import { saveHistoryFixture } from '../helpers/histories';
import { getTestEnv, uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { useOfflineStack } from '../helpers/stack';

const SEED_QUERY = "What's the weather in London and do I have any meetings today?";
/** An example price row (USD per million tokens), as a config's `prices` would give it. */
const PRICE: ModelPrice = { input: 0.25, cached_input: 0.025, output: 2 };

const stack = useOfflineStack();

function seedServers(): ServerConfigInput[] {
  return [
    { label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' },
    { label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' },
  ];
}

function seedInput(overrides: Partial<QueryInput> = {}): QueryInput {
  return { query: SEED_QUERY, servers: seedServers(), retry: FAST_RETRY, ...overrides };
}

async function withTokensWorker<T>(
  body: (parts: { start: (input: QueryInput) => Promise<WorkflowHandle<typeof runQuery>>; client: ReturnType<typeof testClient> }) => Promise<T>,
) {
  const taskQueue = uniqueTaskQueue('tokens');
  const env = await getTestEnv();
  return withWorker(
    {
      taskQueue,
      activities: createActivities({
        serverRegistry: { servers: [], allowInline: true },
        openaiBaseURL: stack.emulator.url,
        env: {},
        temporalClient: env.client,
      }),
    },
    async () =>
      body({
        start: (input) => env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('tokens'), args: [input] }),
        client: testClient(env, taskQueue),
      }),
  );
}

/** The `usage` of every Responses call the run made, as the emulator answered it: read from the completed activities' results. */
async function usagesInHistory(handle: WorkflowHandle): Promise<Usage[]> {
  const history = await handle.fetchHistory();
  const usages: Usage[] = [];
  for (const event of history.events ?? []) {
    const data = event.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data;
    if (!data) continue;
    const result = JSON.parse(Buffer.from(data).toString('utf8')) as { response_id?: string; usage?: Usage | null };
    if (result.response_id && result.usage) usages.push(result.usage);
  }
  return usages;
}

/** The tokens of the one `runBatchLine` activity in a batch run's history. */
async function lineActivityUsage(handle: WorkflowHandle): Promise<TokenTotals | undefined> {
  const history = await handle.fetchHistory();
  const completed = (history.events ?? []).flatMap((event) => {
    const data = event.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data;
    const answer = data && (JSON.parse(Buffer.from(data).toString('utf8')) as { kind?: string; result?: { usage?: TokenTotals } });
    return answer && answer.kind === 'done' ? [answer.result?.usage] : [];
  });
  assert.equal(completed.length, 1, 'one line ran as an activity');
  return completed[0];
}

function sumOf(usages: readonly Usage[], price: ModelPrice | undefined): TokenTotals {
  return usages.reduce((sum, usage) => addTokens(sum, turnTokens(usage, price)), EMPTY_TOKENS);
}

async function queryFailure(handle: WorkflowHandle): Promise<ApplicationFailure> {
  const failure = await handle.result().then(
    () => assert.fail('the query should have failed'),
    (error: unknown) => error,
  );
  assert.ok(failure instanceof WorkflowFailedError, String(failure));
  assert.ok(failure.cause instanceof ApplicationFailure);
  return failure.cause;
}

describe('tokens and cost', () => {
  it('the seed scenario: stats and result are the sums of the emulator usage, priced from the input', async () => {
    await withTokensWorker(async ({ start }) => {
      const handle = await start(seedInput({ price: PRICE }));
      await waitFor(
        () => handle.query(progressQuery),
        (progress) => progress.pending_approvals.length > 0,
        'the calendar approval',
        20_000,
      );
      await handle.executeUpdate(approveUpdate, { args: [{}] });
      const result = await handle.result();
      assert.equal(result.success, true);

      const usages = await usagesInHistory(handle);
      assert.equal(usages.length, 2, 'two model turns: before and after the approval');
      const expected = sumOf(usages, PRICE);
      assert.ok(expected.total_tokens > 0);
      const stats = await handle.query(statsQuery);
      const { estimated_cost_usd, ...tokens } = stats.tokens;
      assert.deepEqual(tokens, expected);
      assert.equal(
        tokens.input_tokens,
        usages.reduce((sum, usage) => sum + usage.input_tokens, 0),
      );
      assert.equal(
        tokens.output_tokens,
        usages.reduce((sum, usage) => sum + usage.output_tokens, 0),
      );
      assert.equal(
        tokens.total_tokens,
        usages.reduce((sum, usage) => sum + usage.total_tokens, 0),
      );
      const cost = usages.reduce((sum, usage) => {
        const cached = usage.input_tokens_details?.cached_tokens ?? 0;
        return sum + ((usage.input_tokens - cached) * PRICE.input + cached * PRICE.cached_input! + usage.output_tokens * PRICE.output) / 1e6;
      }, 0);
      assert.ok(estimated_cost_usd !== null && Math.abs(estimated_cost_usd - cost) < 1e-12, `cost ${estimated_cost_usd} vs ${cost}`);
      assert.deepEqual(result.usage, expected);
      const byTurn = (await handle.query(progressQuery)).tokens_by_turn ?? [];
      assert.deepEqual(
        byTurn.map((turn) => [turn.step, turn.tokens.total_tokens]),
        usages.map((usage, i) => [i + 1, usage.total_tokens]),
        'each turn recorded with its own usage',
      );
    });
  });

  it('without a price the cost is unknown (null), never a made-up number', async () => {
    await withTokensWorker(async ({ start }) => {
      const handle = await start(seedInput({ servers: [seedServers()[0]!], query: "What's the weather in London?" }));
      const result = await handle.result();
      const stats = await handle.query(statsQuery);
      assert.equal(stats.tokens.estimated_cost_usd, null);
      assert.equal(stats.tokens.unpriced_turns, stats.tokens.turns);
      assert.ok(stats.tokens.turns >= 1);
      assert.deepEqual(result.usage, sumOf(await usagesInHistory(handle), undefined));
    });
  });

  it("a reasoning model's reasoning tokens are counted as the emulator reported them, within the output tokens", async () => {
    await withTokensWorker(async ({ start }) => {
      const handle = await start(seedInput({ servers: [seedServers()[0]!], query: "What's the weather in London?", model: 'gpt-5-mini', price: PRICE }));
      const result = await handle.result();
      assert.equal(result.success, true);
      const usages = await usagesInHistory(handle);
      const reasoning = usages.reduce((sum, usage) => sum + (usage.output_tokens_details?.reasoning_tokens ?? 0), 0);
      assert.ok(reasoning > 0, 'the emulator reasons for gpt-5-mini');
      const stats = await handle.query(statsQuery);
      assert.equal(stats.tokens.reasoning_tokens, reasoning);
      assert.ok(stats.tokens.reasoning_tokens <= stats.tokens.output_tokens);
      assert.deepEqual(result.usage, sumOf(usages, PRICE));
    });
  });

  it('a token budget stops the query after the turn that exceeded it: no approval wait, the reason in the result', async () => {
    await withTokensWorker(async ({ start }) => {
      const calendarBefore = stack.demo.servers.calendar.counters().executed.list_events ?? 0;
      const handle = await start(seedInput({ max_tokens: 10 }));
      const failure = await queryFailure(handle);
      assert.match(failure.message, /budget_exceeded/);
      assert.match(failure.message, /token budget was exceeded: \d+ tokens used, max_tokens 10/);
      const partial = failedQueryResult(failure);
      assert.ok(partial, 'the partial result travels with the failure');
      assert.equal(partial.error_type, 'budget_exceeded');
      assert.ok(partial.usage && partial.usage.total_tokens > 10);
      assert.equal(partial.usage.turns, 1, 'stopped after the first turn');
      assert.equal(stack.demo.servers.calendar.counters().executed.list_events ?? 0, calendarBefore, 'the calendar call never ran');
      const progress = await handle.query(progressQuery);
      assert.equal(progress.state, 'failed');
      await saveHistoryFixture(handle, 'query-token-budget-exceeded');
    });
  });

  it('direct mode: a turn over the budget ends the query before its function calls run', async () => {
    await withTokensWorker(async ({ start }) => {
      const weatherBefore = stack.demo.servers.weather.counters().executed.get_current_weather ?? 0;
      const handle = await start(seedInput({ mode: 'direct', servers: [seedServers()[0]!], query: "What's the weather in London?", max_tokens: 10 }));
      const failure = await queryFailure(handle);
      const partial = failedQueryResult(failure);
      assert.equal(partial?.error_type, 'budget_exceeded');
      assert.equal(partial.tool_calls.length, 0);
      assert.equal(stack.demo.servers.weather.counters().executed.get_current_weather ?? 0, weatherBefore, 'the weather tool never ran');
    });
  });

  it('a cost budget stops the query the same way; without a price it is refused at the start', async () => {
    await withTokensWorker(async ({ start }) => {
      const priced = await start(seedInput({ price: PRICE, max_cost_usd: 0.000001 }));
      const failure = await queryFailure(priced);
      assert.match(failure.message, /cost budget was exceeded: an estimated \$[\d.]+ spent, max_cost_usd 0.000001/);
      assert.equal(failedQueryResult(failure)?.error_type, 'budget_exceeded');

      const unpriced = await start(seedInput({ max_cost_usd: 1 }));
      const refusal = await queryFailure(unpriced);
      assert.equal(refusal.type, 'invalid_arguments');
      assert.match(refusal.message, /max_cost_usd needs a price for the model "gpt-4o-mini"/);
    });
  });

  it('a batch sums its lines and stops starting lines once its token budget is exceeded, saying why', async () => {
    await withTokensWorker(async ({ client }) => {
      const batchId = uniqueWorkflowId('tokens-batch');
      const lines = [1, 2, 3, 4].map((n) => scriptedLine(n));
      const input: BatchInput = {
        total: lines.length,
        servers: [weatherServer(stack.demo.servers.weather.url)],
        retry: FAST_RETRY,
        concurrency: 1,
        lines,
        price: PRICE,
        max_tokens: 10,
      };
      await client.batches.startOrAttach(batchId, input);
      const result = await client.batches.result(batchId);
      assert.equal(result.status, 'stopped');
      assert.equal(result.progress.done, 1, 'no line started after the first exceeded the budget');
      assert.match(result.progress.budget_stop ?? '', /token budget was exceeded: \d+ tokens used, max_tokens 10; no new line starts/);
      const answers: string[] = [];
      for await (const each of client.batches.resultsInOrder(batchId)) answers.push(each.answer);
      assert.equal(answers.length, 1);
      assert.ok(answers[0]);
      // The line ran as a runBatchLine activity of the batch (issue 26): its result carries the line's tokens.
      const tokens = result.progress.tokens!;
      assert.deepEqual(tokens, await lineActivityUsage(client.handle(batchId)));
      assert.equal(tokens.turns, 1);
      assert.ok(tokens.total_tokens > 10);
      assert.ok(tokens.priced_cost_usd > 0 && tokens.unpriced_turns === 0);
      await saveHistoryFixture(client.handle(batchId), 'batch-token-budget-stopped');
    });
  });
});
