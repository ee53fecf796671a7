/**
 * The per-line cost of a batch (issue 26), beside a plain loop over the same lines at the same
 * concurrency, in the same run and on the same services:
 *
 *   - the plain loop (this process): one MCP client and one `openai` client, reused; per line
 *     `tools/list`, a Responses call with the tools as function tools, the one `tools/call`, and a
 *     second Responses call with its output (what direct mode does for a line); in hosted mode
 *     (MCPFLOW_BENCH_BATCH_COST_MODE=hosted) one Responses call whose MCP tool the API calls;
 *   - `runBatch` with the same lines (same mode, one server, no approval), through the bench's
 *     stack (dev server, services and worker each in their own process).
 *
 * Per side: lines/s, CPU ms per line of the server, the worker and the services (from /proc),
 * and for the batch the history events and bytes per line (every workflow on the task queue: the
 * batch's runs, its children and holders) and the worker's RSS. Each round runs the plain loop
 * then the batch; rounds repeat (the machine is shared: report ranges, not one figure).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Client as McpClient, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import OpenAI from 'openai';
import type { BatchLine } from '../../workflows/batch/messages';
import { log } from './log';
import { runPool } from './measure';
import { MODEL } from './scenario';
import type { Stack } from './stack';
import { activityLinesPrototype, type PrototypeRun } from './batch-prototype';

export interface SideCost {
  duration_ms: number;
  lines_per_second: number;
  /** CPU ms per line, by process (undefined where /proc could not tell). */
  cpu_ms_per_line: Record<string, number | undefined>;
}

export interface BatchLinesRound {
  plain: SideCost;
  batch: SideCost & {
    succeeded: number;
    history_events_per_line: number;
    history_bytes_per_line: number;
    workflows: number;
    worker_rss_bytes: number | undefined;
    worker_peak_rss_bytes: number | undefined;
  };
  /** batch lines/s ÷ plain lines/s. */
  ratio: number;
  /** The candidate "lines as activities" (batch-prototype.ts), by lines per activity. */
  prototype?: PrototypeRun[];
}

export type CostMode = 'direct' | 'hosted';

export interface BatchLinesResult {
  /** The lines' mode, the batch's and the plain loop's (absent in runs before hosted lines were measured: direct). */
  mode?: CostMode;
  lines: number;
  concurrency: number;
  rounds: BatchLinesRound[];
}

const SERVER = 'weather';
const TOOL = 'get_current_weather';

/** A line the emulator answers with one weather call, then a fixed answer. */
export function oneToolLine(n: number): BatchLine {
  const script = { calls: [{ server: SERVER, tool: TOOL, arguments: { location: `City ${n}` } }], answer: `answer ${n}` };
  return { n, key: `l-${n}`, query: `weather ${n}`, metadata: { mcpflow_script: JSON.stringify(script) } };
}

/** The plain loop's body for one line, with its clients connected once (also the activity of the prototype in batch-prototype.ts). */
export async function plainLineRunner(urls: {
  emulator: string;
  weather: string;
}): Promise<{ run: (line: BatchLine) => Promise<void>; close: () => Promise<void> }> {
  const openai = new OpenAI({ baseURL: urls.emulator, apiKey: 'mcpflow-bench', maxRetries: 0, timeout: 60_000 });
  const mcp = new McpClient({ name: 'plain-batch-loop', version: '1.0.0' });
  await mcp.connect(new StreamableHTTPClientTransport(new URL(urls.weather)));
  const run = async (line: BatchLine) => {
    const listed = (await mcp.listTools()).tools;
    const tools: OpenAI.Responses.FunctionTool[] = listed.map((tool) => ({
      type: 'function',
      name: `${SERVER}__${tool.name}`,
      description: tool.description ?? null,
      parameters: tool.inputSchema as Record<string, unknown>,
      strict: false,
    }));
    const metadata = line.metadata!;
    let response = await openai.responses.create({ model: MODEL, input: line.query, tools, metadata });
    for (let turn = 1; turn < 10; turn++) {
      const calls = response.output.filter((item) => item.type === 'function_call');
      if (!calls.length) break;
      const outputs = await Promise.all(
        calls.map(async (call): Promise<OpenAI.Responses.ResponseInputItem.FunctionCallOutput> => {
          const result = await mcp.callTool({ name: call.name.slice(SERVER.length + 2), arguments: JSON.parse(call.arguments) as Record<string, unknown> });
          const content = Array.isArray(result.content) ? (result.content as Array<{ text?: string }>) : [];
          return { type: 'function_call_output', call_id: call.call_id, output: content.map((part) => part.text ?? '').join('\n') };
        }),
      );
      response = await openai.responses.create({ model: MODEL, input: outputs, previous_response_id: response.id, tools, metadata });
    }
    if (response.output.some((item) => item.type === 'function_call')) throw new Error(`plain loop: line ${line.n} did not finish`);
  };
  return { run, close: () => mcp.close() };
}

/** The plain loop's body in hosted mode: one Responses call per line, the API (the emulator) calling the server. */
function plainHostedRunner(urls: { emulator: string; weather: string }): { run: (line: BatchLine) => Promise<void>; close: () => Promise<void> } {
  const openai = new OpenAI({ baseURL: urls.emulator, apiKey: 'mcpflow-bench', maxRetries: 0, timeout: 60_000 });
  const tools: OpenAI.Responses.Tool[] = [{ type: 'mcp', server_label: SERVER, server_url: urls.weather, require_approval: 'never' }];
  const run = async (line: BatchLine) => {
    const response = await openai.responses.create({ model: MODEL, input: line.query, tools, metadata: line.metadata!, store: false });
    if (!response.output.some((item) => item.type === 'mcp_call')) throw new Error(`plain loop: line ${line.n} called no tool`);
  };
  return { run, close: async () => undefined };
}

async function plainLoop(stack: Stack, lines: BatchLine[], concurrency: number, mode: CostMode): Promise<void> {
  const urls = { emulator: stack.services.emulator.url, weather: stack.services.weather.url };
  const runner = mode === 'hosted' ? plainHostedRunner(urls) : await plainLineRunner(urls);
  try {
    await runPool(lines.length, concurrency, (index) => runner.run(lines[index]!));
  } finally {
    await runner.close();
  }
}

function perLine(cpu: Record<string, number | undefined>, lines: number): Record<string, number | undefined> {
  return Object.fromEntries(Object.entries(cpu).map(([name, ms]) => [name, ms === undefined ? undefined : Math.round((ms / lines) * 100) / 100]));
}

async function batchRun(stack: Stack, lines: BatchLine[], concurrency: number, round: number, mode: CostMode): Promise<BatchLinesRound['batch']> {
  const client = stack.client;
  const batchId = `bench-lines-${stack.taskQueue}-${round}`;
  const before = stack.meter.snapshot();
  const started = performance.now();
  await client.batches.startOrAttach(batchId, {
    total: lines.length,
    servers: [{ label: SERVER, url: stack.services.weather.url, require_approval: 'never' }],
    concurrency,
    mode,
    stream: false,
  });
  await client.batches.feed(batchId, lines);
  const result = await client.batches.result(batchId);
  const duration = performance.now() - started;
  const cpu = stack.meter.cpuSince(before);
  const rss = stack.meter.rss().worker;
  const peak = stack.meter.peakRss().worker;
  if (result.progress.succeeded !== lines.length) throw new Error(`batch ${batchId}: ${result.progress.succeeded} of ${lines.length} lines succeeded`);
  // Visibility is eventually consistent: wait until it lists every line's child. Lines that ran as
  // activities of the batch (issue 26) have none: then wait until the count stops changing.
  let events = 0;
  let bytes = 0;
  let workflows = 0;
  let listedBefore = -1;
  for (let attempt = 0; attempt < 30; attempt++) {
    if (workflows > 0 && workflows === listedBefore) break;
    listedBefore = workflows;
    events = bytes = workflows = 0;
    for await (const run of stack.temporal.workflow.list({ query: `TaskQueue = '${stack.taskQueue}' AND ExecutionStatus != 'Running'` })) {
      if (run.workflowId !== batchId && !run.workflowId.startsWith(`${batchId}/`)) continue;
      workflows++;
      events += run.historyLength;
      bytes += run.historySize ?? 0;
    }
    if (workflows > lines.length) break;
    await delay(1_000);
  }
  return {
    duration_ms: Math.round(duration),
    lines_per_second: Math.round((lines.length / duration) * 10_000) / 10,
    cpu_ms_per_line: perLine(cpu, lines.length),
    succeeded: result.progress.succeeded,
    history_events_per_line: Math.round((events / lines.length) * 10) / 10,
    history_bytes_per_line: Math.round(bytes / lines.length),
    workflows,
    worker_rss_bytes: rss,
    worker_peak_rss_bytes: peak,
  };
}

export async function batchLinesCost(
  stack: Stack,
  lineCount: number,
  concurrency: number,
  rounds: number,
  prototypeGroups: number[] = [],
  mode: CostMode = 'direct',
): Promise<BatchLinesResult> {
  const lines = Array.from({ length: lineCount }, (_, i) => oneToolLine(i + 1));
  const result: BatchLinesResult = { mode, lines: lineCount, concurrency, rounds: [] };
  // A first small batch warms the worker (bundle load, connections), as a plain loop's first lines warm its clients.
  await batchRun(stack, lines.slice(0, Math.min(20, lineCount)), concurrency, 0, mode);
  for (let round = 1; round <= rounds; round++) {
    const before = stack.meter.snapshot();
    const started = performance.now();
    await plainLoop(stack, lines, concurrency, mode);
    const duration = performance.now() - started;
    const plain: SideCost = {
      duration_ms: Math.round(duration),
      lines_per_second: Math.round((lineCount / duration) * 10_000) / 10,
      cpu_ms_per_line: perLine(stack.meter.cpuSince(before), lineCount),
    };
    const batch = await batchRun(stack, lines, concurrency, round, mode);
    const ratio = Math.round((batch.lines_per_second / plain.lines_per_second) * 100) / 100;
    log(
      `  round ${round}: plain ${plain.lines_per_second} lines/s, batch ${batch.lines_per_second} lines/s (${ratio}×), ` +
        `${batch.history_events_per_line} events/line, worker ${String(batch.cpu_ms_per_line.worker)} ms CPU/line`,
    );
    const prototype = prototypeGroups.length && mode === 'direct' ? await activityLinesPrototype(stack, lines, concurrency, prototypeGroups) : undefined;
    result.rounds.push({ plain, batch, ratio, ...(prototype ? { prototype } : {}) });
  }
  return result;
}
