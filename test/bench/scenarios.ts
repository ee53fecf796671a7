/**
 * What the benchmark measures. Each scenario runs a warm-up first (not measured), checks that
 * every measured run really answered (a fast failure is not a result), and returns raw samples
 * in milliseconds; run.ts summarizes them.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import OpenAI from 'openai';
import type { QueryResult } from '../../src/core/records';
import type { ServerConfigInput } from '../../src/core/servers';
import { approveUpdate, progressQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { runPool, timed } from './measure';
import type { BenchStack } from './stack';

export const WEATHER_QUERY = "What's the weather in London?";
export const SEED_QUERY = "What's the weather in London and do I have any meetings today?";

/** How often the approval scenario reads `progress` while it waits for the request. */
export const APPROVAL_POLL_MS = 20;

type QueryHandle = WorkflowHandle<typeof runQuery>;

function weatherServer(stack: BenchStack): ServerConfigInput {
  return { label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' };
}

function seedServers(stack: BenchStack): ServerConfigInput[] {
  return [weatherServer(stack), { label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' }];
}

function start(stack: BenchStack, input: QueryInput): Promise<QueryHandle> {
  return stack.client.workflow.start(runQuery, { taskQueue: stack.taskQueue, workflowId: `bench-${randomUUID()}`, args: [input] });
}

/** Throws unless the run succeeded with exactly these completed calls (`server.tool`). */
function check(result: QueryResult, expectedCalls: readonly string[], what: string): void {
  const calls = result.tool_calls.map((call) => `${call.server}.${call.tool}:${call.status}`).sort();
  const expected = expectedCalls.map((call) => `${call}:completed`).sort();
  if (!result.success || JSON.stringify(calls) !== JSON.stringify(expected)) {
    throw new Error(`${what}: unexpected result (success ${String(result.success)}, calls ${JSON.stringify(calls)}, error ${String(result.error)})`);
  }
}

export interface LatencyRun {
  samples: number[];
  /** Every measured run, for the history breakdown. */
  handles: QueryHandle[];
}

/** One weather query end to end: client start → result. */
async function weatherOnce(stack: BenchStack, mode: 'hosted' | 'direct'): Promise<{ ms: number; handle: QueryHandle }> {
  const { value: handle, ms } = await timed(async () => {
    const handle = await start(stack, { query: WEATHER_QUERY, mode, servers: [weatherServer(stack)] });
    check(await handle.result(), ['weather.get_current_weather'], `${mode} weather query ${handle.workflowId}`);
    return handle;
  });
  return { ms, handle };
}

/** Scenarios 1 and 2: `n` sequential weather queries in one mode. */
export async function sequentialWeather(stack: BenchStack, mode: 'hosted' | 'direct', n: number): Promise<LatencyRun> {
  await weatherOnce(stack, mode); // warm-up
  const samples: number[] = [];
  const handles: QueryHandle[] = [];
  for (let index = 0; index < n; index++) {
    const run = await weatherOnce(stack, mode);
    samples.push(run.ms);
    handles.push(run.handle);
  }
  return { samples, handles };
}

export interface ApprovalRun extends LatencyRun {
  /** Client start → the approval request seen in `progress`. */
  untilApproval: number[];
  /** Approve update sent → result. */
  afterApproval: number[];
}

async function waitForPendingApproval(handle: QueryHandle, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const progress = await handle.query(progressQuery);
    if (progress.pending_approvals.length > 0) return;
    if (progress.state === 'completed' || progress.state === 'failed') throw new Error(`${handle.workflowId} ended (${progress.state}) without asking for approval`);
    if (Date.now() > deadline) throw new Error(`${handle.workflowId}: no approval request within ${timeoutMs} ms (state ${progress.state})`);
    await new Promise((resolve) => setTimeout(resolve, APPROVAL_POLL_MS));
  }
}

async function seedOnce(stack: BenchStack): Promise<{ total: number; until: number; after: number; handle: QueryHandle }> {
  const startedAt = performance.now();
  const handle = await start(stack, { query: SEED_QUERY, servers: seedServers(stack) });
  await waitForPendingApproval(handle);
  const approvedAt = performance.now();
  await handle.executeUpdate(approveUpdate, { args: [{}] });
  check(await handle.result(), ['weather.get_current_weather', 'calendar.list_events'], `seed query ${handle.workflowId}`);
  const doneAt = performance.now();
  return { total: doneAt - startedAt, until: approvedAt - startedAt, after: doneAt - approvedAt, handle };
}

/** Scenario 3: the seed scenario, approving the calendar call as soon as it is requested. */
export async function seedWithApproval(stack: BenchStack, n: number): Promise<ApprovalRun> {
  await seedOnce(stack); // warm-up
  const samples: number[] = [];
  const untilApproval: number[] = [];
  const afterApproval: number[] = [];
  const handles: QueryHandle[] = [];
  for (let index = 0; index < n; index++) {
    const run = await seedOnce(stack);
    samples.push(run.total);
    untilApproval.push(run.until);
    afterApproval.push(run.after);
    handles.push(run.handle);
  }
  return { samples, untilApproval, afterApproval, handles };
}

export interface ThroughputRun {
  concurrency: number;
  wallMs: number;
  samples: number[];
  memoryBefore: NodeJS.MemoryUsage;
  memoryAfter: NodeJS.MemoryUsage;
}

/** Scenario 4 (and 5): `concurrency` hosted weather queries started at once. */
export async function concurrentHosted(stack: BenchStack, concurrency: number, warmup: number): Promise<ThroughputRun> {
  const batch = async (size: number) =>
    timed(() => Promise.all(Array.from({ length: size }, async () => (await weatherOnce(stack, 'hosted')).ms)));
  await batch(warmup);
  const memoryBefore = process.memoryUsage();
  const { value: samples, ms: wallMs } = await batch(concurrency);
  const memoryAfter = process.memoryUsage();
  return { concurrency, wallMs, samples, memoryBefore, memoryAfter };
}

export interface EmulatorRun {
  total: number;
  concurrency: number;
  wallMs: number;
  samples: number[];
}

/** Scenario 6: the emulator alone, non-streamed, one MCP listing and one call per request. */
export async function emulatorAlone(stack: BenchStack, total: number, concurrency: number, warmup: number): Promise<EmulatorRun> {
  const openai = new OpenAI({ baseURL: stack.emulator.url, apiKey: 'mcpflow-bench', maxRetries: 0, timeout: 30_000 });
  const once = async (): Promise<number> => {
    const { value: response, ms } = await timed(() => openai.responses.create({
      model: 'gpt-4o-mini',
      input: WEATHER_QUERY,
      tools: [{ type: 'mcp', server_label: 'weather', server_url: stack.demo.servers.weather.url, require_approval: 'never' }],
    }));
    const types = response.output.map((item) => item.type);
    if (response.status !== 'completed' || !types.includes('mcp_list_tools') || !types.includes('mcp_call')) {
      throw new Error(`emulator: unexpected response ${response.id} (status ${String(response.status)}, items ${types.join(', ')})`);
    }
    return ms;
  };
  await runPool(warmup, concurrency, once);
  const { value: samples, ms: wallMs } = await timed(() => runPool(total, concurrency, once));
  return { total, concurrency, wallMs, samples };
}
