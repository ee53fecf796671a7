/**
 * Discovery of 1, 10 and 50 demo servers in one `discoverTools` run (one listing activity per
 * server, in parallel), in direct mode (MCP `tools/list`) and hosted mode (a Responses call per
 * server): wall time from the client, relative to one server.
 */
import type { ServerConfigInput } from '../../src/core/servers';
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
    await discoverOnce(stack, mode, Math.max(...counts)); // warm-up: connections, JIT
    const perCount = new Map<number, number[]>(counts.map((count) => [count, []]));
    // Interleaved, so that drift on a noisy machine hits every size alike.
    for (let round = 0; round < repeats; round++) {
      for (const count of counts) perCount.get(count)!.push(await discoverOnce(stack, mode, count));
    }
    const one = median(perCount.get(Math.min(...counts))!);
    for (const count of counts) {
      const samples = perCount.get(count)!;
      points.push({ mode, servers: count, samples, p50: median(samples), relativeToOne: median(samples) / one });
    }
  }
  return points;
}
