/**
 * Another team's workflows, in another namespace: they call mcpflow only through its Nexus
 * service (no mcpflow worker, data converter, secrets or task queue of theirs).
 */
import { createNexusServiceClient } from '@temporalio/workflow';
import { mcpflowNexusService, type DiscoveryInput, type QueryInput, type QueryResult } from '../../src/nexus/service';

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
