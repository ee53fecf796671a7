/**
 * Tokens and cost through the `mcpflow` command (a child process) against the test Temporal
 * server, a worker in this process, the emulator and the demo MCP servers: the README's first
 * scenario's `stats` equal the sums of the emulator's usage over the run's responses; a batch
 * summary shows totals and the estimated cost from the config's price table; `--max-tokens`
 * stops a batch and a query with the reason; `--max-cost` without a price is refused up front.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import { startDemoServers, type DemoServersHandle } from '../../src/demo-servers';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import type { WorkflowStatistics } from '../../src/core/records';
import type { Usage } from '../../src/core/schemas';
import { addTokens, EMPTY_TOKENS, turnTokens, type ModelPrice } from '../../src/core/usage';
import { progressQuery } from '../../workflows/messages';
import { getTestEnv, startFileWorker, teardownTestEnv, uniqueTaskQueue, uniqueWorkflowId, type TestEnv } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { ensureBuilt, runCli, scratchDir, type CliOptions } from './harness';

const SEED_QUERY = "What's the weather in London and do I have any meetings today?";
const PRICE: ModelPrice = { input: 0.15, cached_input: 0.075, output: 0.6 };

let emulator: EmulatorHandle;
let demo: DemoServersHandle;
let env: TestEnv;
let configFile: string;
const taskQueue = uniqueTaskQueue('tokens-cli');
let worker: { stop(): Promise<void> } | undefined;

function cli(args: string[], options: CliOptions = {}) {
  return runCli(['--config', configFile, ...args], {
    timeoutMs: 120_000,
    ...options,
    env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace, MCPFLOW_TASK_QUEUE: taskQueue, ...options.env },
  });
}

const weather = () => `weather=${demo.servers.weather.url},approval=never`;
const calendar = () => `calendar=${demo.servers.calendar.url}`;

before(async () => {
  ensureBuilt();
  [emulator, demo] = await Promise.all([startEmulator(), startDemoServers()]);
  env = await getTestEnv();
  configFile = path.join(scratchDir(), 'mcpflow.config.json');
  // The example of the docs: a price row for the default model, in USD per million tokens.
  writeFileSync(configFile, JSON.stringify({ prices: { 'gpt-4o-mini': PRICE } }));
  worker = await startFileWorker({
    taskQueue,
    activities: createActivities({ serverRegistry: { servers: [], allowInline: true }, openaiBaseURL: emulator.url, env: {}, temporalClient: env.client }),
  });
});

after(async () => {
  await worker?.stop();
  await Promise.all([emulator?.close(), demo?.close()]);
  await teardownTestEnv();
});

/** The `usage` of every Responses call of the run, as the emulator answered: the completed activities' results in its history. */
async function usagesInHistory(handle: WorkflowHandle): Promise<Usage[]> {
  const usages: Usage[] = [];
  for (const event of (await handle.fetchHistory()).events ?? []) {
    const data = event.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data;
    if (!data) continue;
    const result = JSON.parse(Buffer.from(data).toString('utf8')) as { response_id?: string; usage?: Usage | null };
    if (result.response_id && result.usage) usages.push(result.usage);
  }
  return usages;
}

describe('mcpflow tokens and cost', () => {
  it("the README's first scenario: `stats` shows the sums of the emulator's usage and the estimated cost", async () => {
    const started = await cli(['query', SEED_QUERY, '--server', weather(), '--server', calendar(), '--no-wait']);
    assert.equal(started.code, 0, started.stderr);
    const workflowId = started.stdout.trim();
    const handle = env.client.workflow.getHandle(workflowId);
    await waitFor(
      () => handle.query(progressQuery),
      (progress) => progress.pending_approvals.length > 0,
      'the calendar approval',
      { timeoutMs: 30_000 },
    );
    const approved = await cli(['approve', workflowId, '--reason', 'fine']);
    assert.equal(approved.code, 0, approved.stderr);
    await handle.result();

    const usages = await usagesInHistory(handle);
    assert.equal(usages.length, 2);
    const sum = (pick: (usage: Usage) => number) => usages.reduce((total, usage) => total + pick(usage), 0);
    const json = await cli(['stats', workflowId, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const stats = JSON.parse(json.stdout) as WorkflowStatistics;
    assert.equal(
      stats.tokens.input_tokens,
      sum((usage) => usage.input_tokens),
    );
    assert.equal(
      stats.tokens.cached_tokens,
      sum((usage) => usage.input_tokens_details?.cached_tokens ?? 0),
    );
    assert.equal(
      stats.tokens.output_tokens,
      sum((usage) => usage.output_tokens),
    );
    assert.equal(
      stats.tokens.reasoning_tokens,
      sum((usage) => usage.output_tokens_details?.reasoning_tokens ?? 0),
    );
    assert.equal(
      stats.tokens.total_tokens,
      sum((usage) => usage.total_tokens),
    );
    const expected = usages.reduce((total, usage) => addTokens(total, turnTokens(usage, PRICE)), EMPTY_TOKENS);
    assert.equal(stats.tokens.estimated_cost_usd, expected.priced_cost_usd);

    const text = await cli(['stats', workflowId]);
    assert.equal(text.code, 0, text.stderr);
    const total = stats.tokens.total_tokens.toLocaleString('en-US');
    assert.match(
      text.stdout,
      new RegExp(`Tokens: ${total} \\([\\d,]+ input, [\\d,]+ of them cached; [\\d,]+ output, [\\d,]+ of them reasoning\\); estimated cost \\$0\\.\\d+`),
    );
  });

  it('a batch summary shows the totals and the estimated cost; --max-tokens stops it, saying why', async () => {
    const file = path.join(scratchDir(), 'questions.jsonl');
    writeFileSync(
      file,
      ['one', 'two', 'three'].map((id) => JSON.stringify({ query: `question ${id}`, id, metadata: { mcpflow_script: '{"calls":[]}' } })).join('\n'),
    );
    const batchId = uniqueWorkflowId('tokens-batch');
    const run = await cli(['batch', 'run', file, '--server', weather(), '--batch-id', batchId, '--concurrency', '1', '--max-tokens', '10']);
    assert.equal(run.code, 1, 'a stopped batch is not a success');
    assert.match(run.stdout, new RegExp(`Batch ${batchId} stopped: 1 of 3 lines`));
    assert.match(run.stdout, /Tokens: [\d,]+ \([\d,]+ input, 0 of them cached; [\d,]+ output, 0 of them reasoning\); estimated cost \$0\.\d+/);
    assert.match(run.stdout, /Stopped by the budget: the token budget was exceeded: \d+ tokens used, max_tokens 10; no new line starts/);

    const progress = await cli(['batch', 'progress', batchId]);
    assert.equal(progress.code, 0, progress.stderr);
    assert.match(progress.stdout, /Tokens: .*estimated cost \$0\.\d+/);
    assert.match(progress.stdout, /Stopped by the budget/);
  });

  it('--max-tokens stops a query with the reason; --max-cost for a model without a price is refused before anything starts', async () => {
    const stopped = await cli(['query', SEED_QUERY, '--server', weather(), '--server', calendar(), '--max-tokens', '10']);
    assert.equal(stopped.code, 1, stopped.stdout + stopped.stderr);
    assert.match(stopped.stdout + stopped.stderr, /budget_exceeded/);
    assert.match(stopped.stdout + stopped.stderr, /token budget was exceeded: \d+ tokens used, max_tokens 10 after model turn 1/);

    // In a session: the budget travels with the session's query (its child run) and stops it the same way.
    const session = uniqueWorkflowId('tokens-session');
    const inSession = await cli(['query', SEED_QUERY, '--session', session, '--server', weather(), '--server', calendar(), '--max-tokens', '10']);
    assert.equal(inSession.code, 1, inSession.stdout + inSession.stderr);
    assert.match(inSession.stdout + inSession.stderr, /token budget was exceeded: \d+ tokens used, max_tokens 10/);
    // The session records the query's end when it learns of it (a moment after the CLI saw the child end).
    const sessionStats = await waitFor(
      async () => JSON.parse((await cli(['stats', session, '--json'])).stdout) as WorkflowStatistics,
      (stats) => stats.total_queries === 1,
      'the session recorded the query',
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    assert.ok(sessionStats.tokens.total_tokens > 10, 'the session counts the tokens of the stopped query');
    assert.equal(sessionStats.errors_by_type['budget_exceeded'], 1);

    const refused = await cli(['query', 'Weather in Paris?', '--server', weather(), '--model', 'gpt-unpriced', '--max-cost', '0.50']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /--max-cost: max_cost_usd needs a price for the model "gpt-unpriced": add a row for it to "prices" in mcpflow.config.json/);
  });
});
