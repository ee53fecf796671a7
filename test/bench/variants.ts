/**
 * The four ways to answer the seed query that the latency table compares: the two plain loops
 * (the floor) and mcpflow's runQuery in hosted and direct mode, started and awaited through
 * McpflowClient as the CLI does. Each `run` answers one fresh query (no session, no cached
 * catalog) and returns the workflow id, if there is one.
 */
import type { QueryInput } from '../../workflows/messages';
import { plainDirectLoop } from './plain-direct';
import { plainHostedLoop } from './plain-hosted';
import { checkSeedResult, SEED_QUERY, seedServers } from './scenario';
import type { Stack } from './stack';

export type VariantKey = 'plain-hosted' | 'mcpflow-hosted' | 'plain-direct' | 'mcpflow-direct' | 'plain-hosted-stream' | 'mcpflow-hosted-background';

export interface Variant {
  key: VariantKey;
  label: string;
  /** Runs inside mcpflow (the worker and the dev server work for it). */
  mcpflow: boolean;
  run: () => Promise<string | undefined>;
}

export const VARIANT_LABELS: Record<VariantKey, string> = {
  'plain-hosted': '(a) plain hosted loop: openai client, one Responses call',
  'mcpflow-hosted': '(b) mcpflow hosted: runQuery',
  'plain-direct': '(c) plain direct loop: MCP SDK + function tools',
  'mcpflow-direct': '(d) mcpflow direct: runQuery mode direct',
  'plain-hosted-stream': "(a') plain hosted loop, streamed (stream: true, as mcpflow's default)",
  'mcpflow-hosted-background': "(b') mcpflow hosted, background mode: runQuery, conversation stored, background on",
};

export function mcpflowQuery(stack: Stack, mode: 'hosted' | 'direct', extra: Partial<QueryInput> = {}): () => Promise<string> {
  return async () => {
    const id = await stack.client.startQuery({ query: SEED_QUERY, mode, servers: seedServers(stack.services), ...extra });
    const outcome = await stack.client.waitForQuery(id);
    checkSeedResult(outcome.result, `mcpflow ${mode} ${id}`);
    return id;
  };
}

export async function createVariants(stack: Stack): Promise<{ variants: Record<VariantKey, Variant>; close(): Promise<void> }> {
  const direct = await plainDirectLoop(stack.services);
  const hosted = plainHostedLoop(stack.services, { stream: false });
  const hostedStream = plainHostedLoop(stack.services, { stream: true });
  const variant = (key: VariantKey, mcpflow: boolean, run: () => Promise<string | undefined>): Variant => ({ key, label: VARIANT_LABELS[key], mcpflow, run });
  return {
    variants: {
      'plain-hosted': variant('plain-hosted', false, async () => void (await hosted())),
      'plain-hosted-stream': variant('plain-hosted-stream', false, async () => void (await hostedStream())),
      'mcpflow-hosted': variant('mcpflow-hosted', true, mcpflowQuery(stack, 'hosted')),
      // The turn is created in the background and polled (workflows/query/background.ts): no worker waits inside the call.
      'mcpflow-hosted-background': variant('mcpflow-hosted-background', true, mcpflowQuery(stack, 'hosted', { conversation: 'stored', background: 'on' })),
      'plain-direct': variant('plain-direct', false, async () => void (await direct.run())),
      'mcpflow-direct': variant('mcpflow-direct', true, mcpflowQuery(stack, 'direct')),
    },
    close: () => direct.close(),
  };
}
