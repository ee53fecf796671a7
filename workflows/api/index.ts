/**
 * mcpflow/workflow: what a user's own workflow calls to run an mcpflow query or discovery as a
 * child workflow. Deterministic: it imports only @temporalio/workflow and mcpflow's workflow-safe
 * modules (schemas, failures), and names the child workflow types by string, so a user's bundle
 * does not carry runQuery unless the worker registers it (McpflowPlugin bundles it with theirs).
 *
 * ```ts
 * import { mcpQuery, startMcpQuery } from 'mcpflow/workflow';
 * const result = await mcpQuery({ query: 'What is on my calendar?', servers: [{ label: 'calendar', url }] });
 * const many = await Promise.all(questions.map((query) => startMcpQuery({ query, servers }))).then((hs) => Promise.all(hs.map((h) => h.result())));
 * ```
 */
import { startChild, uuid4, workflowInfo, type ChildWorkflowHandle, type Workflow } from '@temporalio/workflow';
import type { QueryResult } from '../../src/core/records';
import type { discoverTools } from '../discovery';
import { parseInput } from '../input';
import { DiscoveryInputSchema, QueryInputSchema, type DiscoveryInput, type DiscoveryResult, type QueryInput } from '../messages';
import type { runQuery } from '../query';
import { asQueryFailure } from './failed';
import { childOptions, type McpChildOptions } from './options';

export { MCP_QUERY_FAILED, McpQueryFailed } from './failed';
export type { McpChildOptions } from './options';
export type { DiscoveryInput, DiscoveryResult, QueryInput, QueryResult };

/** A started mcpflow child: await `result()` later, or read its id to answer its approvals from a client. */
export interface McpChildHandle<T, W extends Workflow = Workflow> {
  readonly workflowId: string;
  readonly firstExecutionRunId: string;
  /** The child's result; for a query that failed, McpQueryFailed with its partial result. */
  result(): Promise<T>;
  /** The SDK's handle, for signals. */
  readonly child: ChildWorkflowHandle<W>;
}

/** Starts a `runQuery` child and returns once it runs; many may run at once. */
export async function startMcpQuery(input: QueryInput, options: McpChildOptions = {}): Promise<McpChildHandle<QueryResult, typeof runQuery>> {
  parseInput(QueryInputSchema, input, 'mcpQuery'); // a bad input fails here, naming the field, not in a child
  const child = await startChild<typeof runQuery>('runQuery', { ...childOptions('mcp-query', input, options, uuid4(), workflowInfo()), args: [input] });
  return handleOf(child, (failure) => asQueryFailure(child.workflowId, failure));
}

/** Runs a query as a `runQuery` child and returns its result; a failed query throws McpQueryFailed (its partial result in `.result`). */
export async function mcpQuery(input: QueryInput, options: McpChildOptions = {}): Promise<QueryResult> {
  return (await startMcpQuery(input, options)).result();
}

/** Starts a `discoverTools` child: each server's tools, listed with retries. */
export async function startMcpDiscover(input: DiscoveryInput, options: McpChildOptions = {}): Promise<McpChildHandle<DiscoveryResult, typeof discoverTools>> {
  parseInput(DiscoveryInputSchema, input, 'mcpDiscover');
  const child = await startChild<typeof discoverTools>('discoverTools', {
    ...childOptions('mcp-discover', input, options, uuid4(), workflowInfo()),
    args: [input],
  });
  return handleOf(child, (failure) => failure);
}

/** Runs `discoverTools` as a child and returns the catalog, the diff with `previous_catalog` and each server's status. */
export async function mcpDiscover(input: DiscoveryInput, options: McpChildOptions = {}): Promise<DiscoveryResult> {
  return (await startMcpDiscover(input, options)).result();
}

function handleOf<W extends Workflow>(child: ChildWorkflowHandle<W>, translate: (failure: unknown) => unknown): McpChildHandle<Awaited<ReturnType<W>>, W> {
  return {
    workflowId: child.workflowId,
    firstExecutionRunId: child.firstExecutionRunId,
    child,
    result: () =>
      (child.result() as Promise<Awaited<ReturnType<W>>>).catch((failure: unknown) => {
        throw translate(failure);
      }),
  };
}
