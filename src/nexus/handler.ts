/**
 * The handler of the mcpflow Nexus service, registered on mcpflow's worker (`nexusServices`):
 * each operation starts mcpflow's workflow in mcpflow's own namespace and queue, so a caller in
 * another namespace needs neither mcpflow's worker, nor its secrets (server configs name
 * environment variables that only mcpflow's worker reads), nor its task queue.
 */
import { getClient, startWorkflow, WorkflowRunOperationHandler } from '@temporalio/nexus';
import * as nexus from 'nexus-rpc';
import type { z } from 'zod';
import { MCP_SERVERS, SEARCH_ATTRIBUTES } from '../core/search-attributes';
import { describeZodError } from '../core/zod-errors';
import { DiscoveryInputSchema, QueryInputSchema, type DiscoveryInput, type DiscoveryResult, type QueryInput } from '../../workflows/messages';
import type { QueryResult } from '../core/records';
import type { discoverTools } from '../../workflows/discovery';
import type { runQuery } from '../../workflows/query';
import { mcpflowNexusService } from './service';

export interface McpflowNexusHandlerOptions {
  /** Where the workflows run. Default: the task queue of the worker that handles the operation. */
  taskQueue?: string;
}

/** The service handler for Worker.create's `nexusServices`. */
export function mcpflowNexusServiceHandler(options: McpflowNexusHandlerOptions = {}) {
  const searchAttributes = new SearchAttributeCheck();
  return nexus.serviceHandler(mcpflowNexusService, {
    query: new WorkflowRunOperationHandler<QueryInput, QueryResult>(async (ctx, input) => {
      const labels = checked(QueryInputSchema, input, 'query').servers.map((server) => server.label);
      const enabled = await searchAttributes.available();
      return startWorkflow<typeof runQuery>(ctx, 'runQuery', {
        // The request id is the same on every retry of this start: one run per operation.
        workflowId: `mcpflow-nexus-query-${ctx.requestId}`,
        args: [{ ...input, search_attributes: enabled }],
        typedSearchAttributes: enabled ? [{ key: MCP_SERVERS, value: labels }] : [],
        ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
      });
    }),
    discover: new WorkflowRunOperationHandler<DiscoveryInput, DiscoveryResult>(async (ctx, input) => {
      checked(DiscoveryInputSchema, input, 'discover');
      return startWorkflow<typeof discoverTools>(ctx, 'discoverTools', {
        workflowId: `mcpflow-nexus-discover-${ctx.requestId}`,
        args: [{ ...input, search_attributes: await searchAttributes.available() }],
        ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
      });
    }),
  });
}

/** A bad input is the caller's to fix: BAD_REQUEST (not retried), naming the field, before any workflow starts. */
function checked<S extends z.ZodType>(schema: S, input: unknown, operation: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new nexus.HandlerError('BAD_REQUEST', `invalid mcpflow ${operation} input: ${describeZodError(parsed.error)}`);
}

/**
 * Whether mcpflow's namespace has its search attributes (as McpflowClient checks): a run that
 * upserts an unknown attribute fails every workflow task. Asked once per handler; a failed ask is
 * asked again next time.
 */
class SearchAttributeCheck {
  private answer: Promise<boolean> | undefined;

  available(): Promise<boolean> {
    if (!this.answer) {
      const client = getClient();
      this.answer = client.connection.operatorService
        .listSearchAttributes({ namespace: client.options.namespace })
        .then((response) => Object.keys(SEARCH_ATTRIBUTES).every((name) => name in (response.customAttributes ?? {})));
      this.answer.catch(() => {
        this.answer = undefined;
      });
    }
    return this.answer;
  }
}
