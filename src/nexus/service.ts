/**
 * The mcpflow Nexus service as a contract: what a workflow in another namespace imports to call
 * mcpflow (`createNexusServiceClient({ endpoint: 'mcpflow', service: mcpflowNexusService })`).
 * Workflow-safe (nexus-rpc, @temporalio/common, mcpflow's failure schemas), so it bundles into the caller's workflows.
 */
import { ApplicationFailure } from '@temporalio/common';
import * as nexus from 'nexus-rpc';
import { QUERY_FAILED, readQueryFailedDetails } from '../core/failures';
import type { QueryResult } from '../core/records';
import type { DiscoveryInput, DiscoveryResult, QueryInput } from '../../workflows/messages';

export type { DiscoveryInput, DiscoveryResult, QueryInput, QueryResult };

/** The service's name, and the endpoint name `mcpflow dev`/`server` create for it. */
export const MCPFLOW_NEXUS_SERVICE = 'mcpflow';
export const MCPFLOW_NEXUS_ENDPOINT = 'mcpflow';

export const mcpflowNexusService = nexus.service(MCPFLOW_NEXUS_SERVICE, {
  /** A tool-using query, run as mcpflow's `runQuery` in mcpflow's namespace (asynchronous: approvals may take days). */
  query: nexus.operation<QueryInput, QueryResult>(),
  /** Each server's tools, run as `discoverTools` (asynchronous). */
  discover: nexus.operation<DiscoveryInput, DiscoveryResult>(),
});

/**
 * The partial result of a `query` operation whose run failed (QueryFailed), from the failure the
 * caller's workflow catches (NexusOperationFailure → ApplicationFailure QueryFailed, its details);
 * undefined for any other failure (cancelled, bad input, timed out).
 */
export function queryFailureResult(failure: unknown): QueryResult | undefined {
  for (let cause = failure; cause instanceof Error; cause = (cause as { cause?: unknown }).cause) {
    if (cause instanceof ApplicationFailure && cause.type === QUERY_FAILED) return readQueryFailedDetails(cause.details)?.result;
  }
  return undefined;
}
