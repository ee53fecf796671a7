/** Names and defaults shared by workflows, the worker, clients and the config file. */
import { z } from 'zod';

/** The task queue mcpflow's worker polls unless told otherwise. */
export const TASK_QUEUE = 'mcpflow';

export const DEFAULT_MODEL = 'gpt-4o-mini';

/** hosted: OpenAI calls the MCP servers inside a Responses call; direct: the worker calls them with the MCP SDK. */
export const ExecutionModeSchema = z.enum(['hosted', 'direct']);
export type ExecutionMode = z.infer<typeof ExecutionModeSchema>;

/** Start-to-close timeout of one Responses call or MCP call. */
export const DEFAULT_CALL_TIMEOUT_MS = 120_000;

/** How long a listed catalog is used before it is listed again. */
export const DEFAULT_CACHE_TTL_MS = 30 * 60_000;
