/**
 * Every activity the worker registers, built from injected dependencies (no globals), so tests
 * and the worker choose the OpenAI endpoint and environment.
 */
import OpenAI from 'openai';
import { createArgumentCheckActivities } from './argument-check';
import { createBatchActivities } from './batch';
import { createBatchLineActivities } from './batch-line';
import { createDiscoveryActivities } from './discovery';
import { createMcpActivities } from './mcp';
import { createNotifyActivities } from './notify';
import { sharedMcpConnections, type McpConnectionPool } from './mcp/2025/connections';
import { createResponsesActivities } from './responses';
import { createBackgroundActivities } from './responses-background';
import { withResultBudget } from './result-budget';
import { createSessionActivities } from './sessions';
import { EMPTY_SERVER_REGISTRY, withServerRegistry, type ServerRegistry } from './server-registry';
import type { Client } from '@temporalio/client';
import type { AllowPrivateNetworks } from '../src/core/destinations';
import type { Env } from './secrets';
import type { Notifications } from '../src/config/notifications';

export { closeMcpConnections, McpConnectionPool } from './mcp/2025/connections';
import { mcpflowFailure } from '../src/core/failures';

export interface ActivityDeps {
  /** Where the Responses API lives; defaults to OPENAI_BASE_URL, then the real API. */
  openaiBaseURL?: string;
  /** Where secrets come from; the API key is read from it inside each activity. */
  env?: Env;
  /** For activities that talk to other workflows (scheduled session refreshes). */
  temporalClient?: Client;
  /**
   * Where direct-mode MCP connections are kept between activities; defaults to the process's
   * shared pool, which `closeMcpConnections()` closes when the worker stops.
   */
  mcpConnections?: McpConnectionPool;
  /** Which private ranges direct-mode MCP connections may reach (src/core/destinations.ts); default loopback only. */
  allowPrivateNetworks?: AllowPrivateNetworks;
  /** The worker's servers and whether workflow inputs may define their own (./server-registry.ts); default: none, and no. */
  serverRegistry?: ServerRegistry;
  /** Webhooks told when a run starts to wait for a person (./notify.ts); only the worker's config names them. */
  notifications?: Notifications;
}

/** Seconds the openai client gives up before the activity's own start-to-close timeout. */
const CLIENT_TIMEOUT_MARGIN_MS = 5_000;

export function createActivities(deps: ActivityDeps = {}) {
  const env = deps.env ?? process.env;
  // One client per endpoint, key and timeout: building one per activity costs more than the call's setup.
  const clients = new Map<string, OpenAI>();
  const openai = (activityTimeoutMs: number) => {
    const baseURL = deps.openaiBaseURL ?? env.OPENAI_BASE_URL;
    const apiKey = env.OPENAI_API_KEY || (baseURL ? 'mcpflow-offline' : undefined);
    if (!apiKey) {
      throw mcpflowFailure('authentication', 'OPENAI_API_KEY is not set on the worker: set it, or set OPENAI_BASE_URL to the mcpflow emulator', {
        retryable: false,
      });
    }
    const timeout = Math.max(1_000, activityTimeoutMs - CLIENT_TIMEOUT_MARGIN_MS);
    const key = JSON.stringify([baseURL ?? null, apiKey, timeout]);
    let client = clients.get(key);
    if (!client) {
      client = new OpenAI({ apiKey, baseURL, maxRetries: 0, timeout });
      clients.set(key, client);
    }
    return client;
  };
  const responses = createResponsesActivities({ openai, env });
  const mcp = createMcpActivities({ env, connections: deps.mcpConnections ?? sharedMcpConnections(), allowPrivateNetworks: deps.allowPrivateNetworks });
  return withResultBudget(
    withServerRegistry(
      {
        ...responses,
        ...createBackgroundActivities({ openai, env }),
        ...createDiscoveryActivities(responses, mcp),
        ...mcp,
        ...createSessionActivities({ temporalClient: deps.temporalClient }),
        ...createBatchActivities({ temporalClient: deps.temporalClient }),
        ...createBatchLineActivities({ ...responses, ...mcp }),
        ...createNotifyActivities({ notifications: deps.notifications, env }),
        ...createArgumentCheckActivities(),
      },
      deps.serverRegistry ?? EMPTY_SERVER_REGISTRY,
    ),
  );
}

export type Activities = ReturnType<typeof createActivities>;
