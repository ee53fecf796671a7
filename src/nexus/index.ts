/** mcpflow/nexus: the mcpflow Nexus service (contract), its handler for mcpflow's worker, and its endpoint. */
export { MCPFLOW_NEXUS_ENDPOINT, MCPFLOW_NEXUS_SERVICE, mcpflowNexusService, queryFailureResult } from './service';
export type { DiscoveryInput, DiscoveryResult, QueryInput, QueryResult } from './service';
export { mcpflowNexusServiceHandler, type McpflowNexusHandlerOptions } from './handler';
export { endpointCreateCommand, ensureNexusEndpoint, type EndpointOutcome, type NexusEndpointTarget } from './endpoint';
