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
        await Promise.all(urls.slice(0, count).map(async (url, index) => {
          const label = `s${index + 1}`;
          const response = await openai.responses.create({
            model: MODEL, input: `List the tools of the MCP server "${label}".`, tool_choice: 'none',
            tools: [{ type: 'mcp', server_label: label, server_url: url, require_approval: 'always' }],
          });
          if (!response.output.some((item) => item.type === 'mcp_list_tools' && item.tools.length > 0)) throw new Error(`plain hosted listing of ${url}: no tools`);
        }));
      },
      close: async () => undefined,
    };
  }
  const clients = await Promise.all(urls.map(async (url) => {
    const client = new Client({ name: 'plain-discovery', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    return client;
  }));
  return {
    list: async (count) => {
      await Promise.all(clients.slice(0, count).map(async (client) => {
        if (!(await client.listTools()).tools.length) throw new Error('plain direct listing: no tools');
      }));
    },
    close: async () => void (await Promise.all(clients.map((client) => client.close()))),
  };
}

function servers(stack: Stack, count: number): ServerConfigInput[] {
  if (stack.services.extra.length < count) throw new Error(`only ${stack.services.extra.length} extra demo servers are running, ${count} needed`);
  return stack.services.extra.slice(0, count).map((url, index) => ({ label: `s${String(index + 1).padStart(2, '0')}`, url, require_approval: 'never' }));
}

async function discoverOnce(stack: Stack, mode: 'direct' | 'hosted', count: number): Promise<number> {
  const { value, ms } = await timed(() => stack.client.discover({ servers: servers(stack, count), mode }));
  const failed = value.result.servers.filter((server) => server.status !== 'ok' || server.tool_count === 0);
  if (failed.length) throw new Error(`discovery of ${count} servers (${mode}): ${failed.length} not listed (${failed[0]?.error?.message ?? 'no tools'})`);
  return ms;
}

export async function measureDiscovery(
  stack: Stack, counts: readonly number[], repeats: number, modes: ReadonlyArray<'direct' | 'hosted'> = ['direct', 'hosted'],
): Promise<DiscoveryPoint[]> {
  const points: DiscoveryPoint[] = [];
  for (const mode of modes) {
    const floor = await plainFloor(stack, mode, Math.max(...counts));
    try {
      // Warm-up: connections, JIT.
      await discoverOnce(stack, mode, Math.max(...counts));
      await floor.list(Math.max(...counts));
      const perCount = new Map<number, number[]>(counts.map((count) => [count, []]));
      const floorPerCount = new Map<number, number[]>(counts.map((count) => [count, []]));
      // Interleaved, so that drift on a noisy machine hits every size alike.
      for (let round = 0; round < repeats; round++) {
        for (const count of counts) {
          perCount.get(count)!.push(await discoverOnce(stack, mode, count));
          floorPerCount.get(count)!.push((await timed(() => floor.list(count))).ms);
        }
      }
      const one = median(perCount.get(Math.min(...counts))!);
      const floorOne = median(floorPerCount.get(Math.min(...counts))!);
      for (const count of counts) {
        const samples = perCount.get(count)!;
        const floorP50 = median(floorPerCount.get(count)!);
        points.push({ mode, servers: count, samples, p50: median(samples), relativeToOne: median(samples) / one, floorP50, floorRelativeToOne: floorP50 / floorOne });
      }
    } finally {
      await floor.close();
    }
  }
  return points;
}
