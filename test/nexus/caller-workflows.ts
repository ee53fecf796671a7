/**
 * Another team's workflows, in another namespace: they call mcpflow only through its Nexus
 * service (no mcpflow worker, data converter, secrets or task queue of theirs).
 */
import { createNexusServiceClient } from '@temporalio/workflow';
import { mcpflowNexusService, queryFailureResult, type DiscoveryInput, type QueryInput, type QueryResult } from '../../src/nexus/service';

export async function askMcpflowOverNexus(input: { endpoint: string; questions: QueryInput[] }): Promise<QueryResult[]> {
  const mcpflow = createNexusServiceClient({ endpoint: input.endpoint, service: mcpflowNexusService });
  const operations = await Promise.all(input.questions.map((question) => mcpflow.startOperation('query', question)));
  return Promise.all(operations.map((operation) => operation.result()));
}

export async function discoverOverNexus(input: { endpoint: string; discovery: DiscoveryInput }): Promise<string[]> {
  const mcpflow = createNexusServiceClient({ endpoint: input.endpoint, service: mcpflowNexusService });
  const { catalog } = await mcpflow.executeOperation('discover', input.discovery);
  return Object.values(catalog.servers).flatMap((server) => server.tools.map((tool) => `${server.server_label}.${tool.name}`));
}

/** One query; a run that failed gives its partial result, anything else fails this workflow. */
export async function askOnceOverNexus(input: { endpoint: string; question: QueryInput }): Promise<{ failed: boolean; result: QueryResult }> {
  const mcpflow = createNexusServiceClient({ endpoint: input.endpoint, service: mcpflowNexusService });
  try {
    return { failed: false, result: await mcpflow.executeOperation('query', input.question) };
  } catch (failure) {
    const partial = queryFailureResult(failure);
    if (!partial) throw failure;
    return { failed: true, result: partial };
  }
}
