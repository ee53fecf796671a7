/** Shared by the batch tests: tiny scripted lines, a client on the test server, waiting for a batch. */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { LineResult } from '../../src/client/batch';
import { McpflowClient } from '../../src/client/client';
import type { ServerConfigInput } from '../../src/core/servers';
import type { BatchLine, BatchProgress } from '../../workflows/batch/messages';
import type { TestEnv } from '../helpers/temporal';
import { waitFor as waitUntilRead } from '../helpers/wait';

export const FAST_RETRY = { max_retries: 2, base_delay_ms: 100, max_delay_ms: 500, rate_limit_base_delay_ms: 500 };

/** A line the emulator answers without tools (`calls: []`), or with the scripted calls. */
export function scriptedLine(n: number, script: { calls?: unknown[]; answer?: string } = { calls: [] }, extra: Partial<BatchLine> = {}): BatchLine {
  return { n, key: `line-${n}`, query: `question ${n}`, metadata: { mcpflow_script: JSON.stringify({ answer: `answer ${n}`, ...script }) }, ...extra };
}

export function testClient(env: TestEnv, taskQueue: string): McpflowClient {
  return new McpflowClient(env.client, env.connection, { address: env.address, namespace: env.namespace }, taskQueue);
}

export function weatherServer(url: string): ServerConfigInput {
  return { label: 'weather', url, require_approval: 'never' };
}

/** The shared waitFor (../helpers/wait) with the batch tests' bound: a batch of many lines gets 60 s. */
export function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  return waitUntilRead(read, ok, what, { timeoutMs, intervalMs: 200 });
}

export function doneOf(progress: BatchProgress): number {
  return progress.done;
}

/** Every line's result as `batch results` lists them, once all `count` are listed (visibility catches up). */
export function allLineResults(client: McpflowClient, batchId: string, count: number): Promise<LineResult[]> {
  return waitFor(
    async () => {
      const all: LineResult[] = [];
      for await (const each of client.batches.resultsInOrder(batchId)) all.push(each);
      return all;
    },
    (all) => all.length === count,
    `all ${count} lines listed`,
  );
}

/** Whether a line has a runQuery child (a line that ran as an activity of its batch has none). */
export async function hasChild(client: McpflowClient, workflowId: string): Promise<boolean> {
  try {
    await client.handle(workflowId).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}
