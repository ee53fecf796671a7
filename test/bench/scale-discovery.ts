/**
 * Discovery of 1, 10 and 50 demo servers in one `discoverTools` run (one listAllTools activity
 * for all of them), in direct mode (MCP `tools/list`, concurrently) and hosted mode (one Responses
 * call with all the servers): wall time from the client, relative to one server. The floor, measured alongside: a
 * plain program listing the same servers in parallel — direct: MCP SDK clients connected once
 * and reused; hosted: one Responses call per server with the openai client, as mcpflow's
 * listToolsHosted makes it.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import OpenAI from 'openai';
import type { ServerConfigInput } from '../../src/core/servers';
import { MODEL } from './scenario';
import { median, timed } from './measure';
import type { Stack } from './stack';
import { readTimeline } from './timeline';

export interface DiscoveryPoint {
  mode: 'direct' | 'hosted';
  servers: number;
  /** Client start → result, each repetition. */
  samples: number[];
  p50: number;
  /** p50 divided by the p50 of one server, same mode. */
  relativeToOne: number;
  /** The plain program's p50 for the same servers, and its own ratio to one server. */
  floorP50: number;
  floorRelativeToOne: number;
  /** Where one run's time went (the run with the median client time), from its history. */
  breakdown?: DiscoveryBreakdown;
}

export interface DiscoveryBreakdown {
  /** Client start → result of that run. */
  clientMs: number;
  /** WorkflowExecutionStarted → completed (server clock). */
  serverMs: number;
  /** Each workflow task: pickup + processing ms; each activity: pickup + execution ms. */
  workflowTasks: Array<{ pickupMs: number; workMs: number }>;
  activities: Array<{ type: string; pickupMs: number; workMs: number }>;
  /** Bytes of the workflow's input, of each activity's input and result, of the workflow's result. */
  bytes: { workflowInput: number; activityInputs: number; activityResults: number; workflowResult: number };
}

interface Floor {
  list(count: number): Promise<void>;
  close(): Promise<void>;
}

async function plainFloor(stack: Stack, mode: 'direct' | 'hosted', maxCount: number): Promise<Floor> {
  const urls = stack.services.extra.slice(0, maxCount);
  if (mode === 'hosted') {
    const openai = new OpenAI({ baseURL: stack.services.emulator.url, apiKey: 'mcpflow-bench', maxRetries: 0, timeout: 60_000 });
    return {
      list: async (count) => {
        await Promise.all(
          urls.slice(0, count).map(async (url, index) => {
            const label = `s${index + 1}`;
            const response = await openai.responses.create({
              model: MODEL,
              input: `List the tools of the MCP server "${label}".`,
              tool_choice: 'none',
              tools: [{ type: 'mcp', server_label: label, server_url: url, require_approval: 'always' }],
            });
            if (!response.output.some((item) => item.type === 'mcp_list_tools' && item.tools.length > 0))
              throw new Error(`plain hosted listing of ${url}: no tools`);
          }),
        );
      },
      close: async () => undefined,
    };
  }
  const clients = await Promise.all(
    urls.map(async (url) => {
      const client = new Client({ name: 'plain-discovery', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      return client;
    }),
  );
  return {
    list: async (count) => {
      await Promise.all(
        clients.slice(0, count).map(async (client) => {
          if (!(await client.listTools()).tools.length) throw new Error('plain direct listing: no tools');
        }),
      );
    },
    close: async () => void (await Promise.all(clients.map((client) => client.close()))),
  };
}

function servers(stack: Stack, count: number): ServerConfigInput[] {
  if (stack.services.extra.length < count) throw new Error(`only ${stack.services.extra.length} extra demo servers are running, ${count} needed`);
  return stack.services.extra.slice(0, count).map((url, index) => ({ label: `s${String(index + 1).padStart(2, '0')}`, url, require_approval: 'never' }));
}

async function discoverOnce(stack: Stack, mode: 'direct' | 'hosted', count: number): Promise<{ ms: number; workflowId: string }> {
  const { value, ms } = await timed(() => stack.client.discover({ servers: servers(stack, count), mode }));
  const failed = value.result.servers.filter((server) => server.status !== 'ok' || server.tool_count === 0);
  if (failed.length) throw new Error(`discovery of ${count} servers (${mode}): ${failed.length} not listed (${failed[0]?.error?.message ?? 'no tools'})`);
  return { ms, workflowId: value.workflow_id };
}

type Payloads = { payloads?: Array<{ data?: Uint8Array | null; metadata?: Record<string, Uint8Array> | null }> | null } | null | undefined;
const payloadBytes = (payloads: Payloads) => (payloads?.payloads ?? []).reduce((sum, payload) => sum + (payload.data?.length ?? 0), 0);

async function breakdown(stack: Stack, workflowId: string, clientMs: number): Promise<DiscoveryBreakdown> {
  const events = (await stack.client.handle(workflowId).fetchHistory()).events ?? [];
  const timeline = readTimeline(workflowId, events);
  return {
    clientMs,
    serverMs: timeline.runMs,
    workflowTasks: timeline.workflowTasks.map(({ pickupMs, workMs }) => ({ pickupMs, workMs })),
    activities: timeline.activities.map(({ kind, pickupMs, workMs }) => ({ type: kind, pickupMs, workMs })),
    bytes: {
      workflowInput: payloadBytes(events[0]?.workflowExecutionStartedEventAttributes?.input),
      activityInputs: events.reduce((sum, event) => sum + payloadBytes(event.activityTaskScheduledEventAttributes?.input), 0),
      activityResults: events.reduce((sum, event) => sum + payloadBytes(event.activityTaskCompletedEventAttributes?.result), 0),
      workflowResult: events.reduce((sum, event) => sum + payloadBytes(event.workflowExecutionCompletedEventAttributes?.result), 0),
    },
  };
}

/** One line of a breakdown, for the log. */
export function describeBreakdown(point: DiscoveryPoint): string {
  const b = point.breakdown;
  if (!b) return '';
  const steps = [
    ...b.workflowTasks.map((task, index) => `workflow task ${index + 1} ${task.pickupMs.toFixed(1)} + ${task.workMs.toFixed(1)} ms`),
    ...b.activities.map((activity) => `${activity.type} ${activity.pickupMs.toFixed(1)} + ${activity.workMs.toFixed(1)} ms`),
  ];
  return `${point.mode} ${point.servers} servers: client ${b.clientMs.toFixed(0)} ms, server ${b.serverMs.toFixed(1)} ms (${steps.join(', ')}); bytes: input ${b.bytes.workflowInput}, activity inputs ${b.bytes.activityInputs}, activity results ${b.bytes.activityResults}, result ${b.bytes.workflowResult}`;
}

export async function measureDiscovery(
  stack: Stack,
  counts: readonly number[],
  repeats: number,
  modes: ReadonlyArray<'direct' | 'hosted'> = ['direct', 'hosted'],
): Promise<DiscoveryPoint[]> {
  const points: DiscoveryPoint[] = [];
  for (const mode of modes) {
    const floor = await plainFloor(stack, mode, Math.max(...counts));
    try {
      // Warm-up: connections, JIT.
      await discoverOnce(stack, mode, Math.max(...counts));
      await floor.list(Math.max(...counts));
      const perCount = new Map<number, number[]>(counts.map((count) => [count, []]));
      const runsPerCount = new Map<number, Array<{ ms: number; workflowId: string }>>(counts.map((count) => [count, []]));
      const floorPerCount = new Map<number, number[]>(counts.map((count) => [count, []]));
      // Interleaved, so that drift on a noisy machine hits every size alike.
      for (let round = 0; round < repeats; round++) {
        for (const count of counts) {
          const run = await discoverOnce(stack, mode, count);
          perCount.get(count)!.push(run.ms);
          runsPerCount.get(count)!.push(run);
          floorPerCount.get(count)!.push((await timed(() => floor.list(count))).ms);
        }
      }
      const one = median(perCount.get(Math.min(...counts))!);
      const floorOne = median(floorPerCount.get(Math.min(...counts))!);
      for (const count of counts) {
        const samples = perCount.get(count)!;
        const floorP50 = median(floorPerCount.get(count)!);
        const runs = [...runsPerCount.get(count)!].sort((a, b) => a.ms - b.ms);
        const middle = runs[Math.floor((runs.length - 1) / 2)]!;
        points.push({
          mode,
          servers: count,
          samples,
          p50: median(samples),
          relativeToOne: median(samples) / one,
          floorP50,
          floorRelativeToOne: floorP50 / floorOne,
          breakdown: await breakdown(stack, middle.workflowId, middle.ms),
        });
      }
    } finally {
      await floor.close();
    }
  }
  return points;
}
