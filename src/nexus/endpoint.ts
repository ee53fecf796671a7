/**
 * The Nexus endpoint that routes calls of the mcpflow service to mcpflow's worker: created by
 * `mcpflow dev`/`server` on the dev server; on a cluster, by its operator (see README, "Use it
 * from your code"). Endpoints belong to the cluster, not to a namespace.
 */
import type { Connection } from '@temporalio/client';
import { MCPFLOW_NEXUS_ENDPOINT } from './service';

export interface NexusEndpointTarget {
  /** Endpoint name; default "mcpflow". A letter, then letters, digits and dashes (the server's rule). */
  name?: string;
  /** The namespace mcpflow's worker serves. */
  namespace: string;
  /** The task queue mcpflow's worker polls. */
  taskQueue: string;
}

export type EndpointOutcome = 'created' | 'updated' | 'unchanged';

/** Creates the endpoint, or points an existing one of that name at this namespace and queue. */
export async function ensureNexusEndpoint(connection: Connection, target: NexusEndpointTarget): Promise<EndpointOutcome> {
  const name = target.name ?? MCPFLOW_NEXUS_ENDPOINT;
  const spec = {
    name,
    description: {
      metadata: { encoding: Buffer.from('json/plain') },
      data: Buffer.from(JSON.stringify('mcpflow: durable MCP tool queries (operations query, discover)')),
    },
    target: { worker: { namespace: target.namespace, taskQueue: target.taskQueue } },
  };
  const { endpoints } = await connection.operatorService.listNexusEndpoints({ name, pageSize: 1 });
  const existing = endpoints?.find((endpoint) => endpoint.spec?.name === name);
  if (!existing) {
    await connection.operatorService.createNexusEndpoint({ spec });
    return 'created';
  }
  const worker = existing.spec?.target?.worker;
  if (worker?.namespace === target.namespace && worker.taskQueue === target.taskQueue) return 'unchanged';
  await connection.operatorService.updateNexusEndpoint({ id: existing.id, version: existing.version, spec });
  return 'updated';
}

/** The command a cluster operator runs instead (README). */
export function endpointCreateCommand(target: NexusEndpointTarget): string {
  return `temporal operator nexus endpoint create --name ${target.name ?? MCPFLOW_NEXUS_ENDPOINT} --target-namespace ${target.namespace} --target-task-queue ${target.taskQueue}`;
}
