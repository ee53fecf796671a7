/**
 * The messages of MCP revision 2026-07-28 that mcpflow's client sends and reads, as zod schemas
 * transcribed from the revision's schema.ts (modelcontextprotocol/modelcontextprotocol,
 * schema/2026-07-28) and the tasks extension's (modelcontextprotocol/ext-tasks). Parsing is
 * lenient where the schema is open (`[key: string]: unknown`), strict where mcpflow relies on a field.
 */
import { z } from 'zod';
import { ElicitRequestSchema, TaskStatusSchema } from '../../src/core/mcp-input';

export const PROTOCOL_2026 = '2026-07-28';
/** The revision the SDK 1.x client negotiates; a 2026 server that lists only it is spoken to by the SDK. */
export const PROTOCOL_2025 = '2025-11-25';

/** `_meta` keys of `RequestMetaObject` / `ResultMetaObject`. */
export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
} as const;

/** The tasks extension's identifier in `ClientCapabilities.extensions` / `ServerCapabilities.extensions`. */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** JSON-RPC codes this client tells apart (schema.ts "MCP error codes"). */
export const ERROR_CODES = {
  methodNotFound: -32601,
  invalidParams: -32602,
  headerMismatch: -32020,
  missingRequiredClientCapability: -32021,
  unsupportedProtocolVersion: -32022,
} as const;

/** Codes only a modern (2026-07-28 or later) server sends: proof it speaks the per-request-metadata era. */
export const MODERN_ERROR_CODES: readonly number[] = [ERROR_CODES.headerMismatch, ERROR_CODES.missingRequiredClientCapability, ERROR_CODES.unsupportedProtocolVersion];

export const ImplementationSchema = z.looseObject({ name: z.string(), version: z.string() });

/** `ClientCapabilities` as mcpflow declares them on every request: form and URL elicitation, tasks. */
export const CLIENT_CAPABILITIES = {
  elicitation: { form: {}, url: {} },
  extensions: { [TASKS_EXTENSION]: {} },
};

export const JsonRpcErrorSchema = z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() });

export const JsonRpcResponseSchema = z.union([
  z.object({ jsonrpc: z.literal('2.0'), id: z.union([z.string(), z.number()]), result: z.record(z.string(), z.unknown()) }),
  z.object({ jsonrpc: z.literal('2.0'), id: z.union([z.string(), z.number(), z.null()]).optional(), error: JsonRpcErrorSchema }),
]);

/** `resultType`: absent means "complete" (a result from an earlier-revision server). */
const ResultTypeSchema = z.string().default('complete');

/** `CacheableResult`: `ttlMs` >= 0 (a negative one is treated as 0, as the caching page says), `cacheScope`. */
const CacheableShape = {
  ttlMs: z.number().optional().transform((ttl) => (ttl === undefined ? undefined : Math.max(0, Math.floor(ttl)))),
  cacheScope: z.enum(['public', 'private']).optional(),
};

export const DiscoverResultSchema = z.looseObject({
  resultType: ResultTypeSchema,
  supportedVersions: z.array(z.string()),
  capabilities: z.looseObject({ extensions: z.record(z.string(), z.unknown()).optional() }),
  instructions: z.string().optional(),
  ...CacheableShape,
});
export type DiscoverResult = z.infer<typeof DiscoverResultSchema>;

export const ToolSchema = z.looseObject({
  name: z.string().min(1),
  title: z.string().optional(),
  description: z.string().optional(),
  inputSchema: z.looseObject({ type: z.literal('object') }),
  outputSchema: z.record(z.string(), z.unknown()).optional(),
  annotations: z.record(z.string(), z.unknown()).optional(),
});

export const ListToolsResultSchema = z.looseObject({
  resultType: ResultTypeSchema,
  tools: z.array(ToolSchema),
  nextCursor: z.string().optional(),
  ...CacheableShape,
});
export type ListToolsResult = z.infer<typeof ListToolsResultSchema>;

export const CallToolResultSchema = z.looseObject({
  resultType: z.literal('complete').default('complete'),
  content: z.array(z.looseObject({ type: z.string() })).default([]),
  structuredContent: z.unknown().optional(),
  isError: z.boolean().optional(),
});
export type CallToolResult2026 = z.infer<typeof CallToolResultSchema>;

/** `InputRequiredResult`: at least one of the two fields; requests other than elicitation are refused by the caller. */
export const InputRequiredResultSchema = z.looseObject({
  resultType: z.literal('input_required'),
  inputRequests: z.record(z.string(), z.looseObject({ method: z.string() })).optional(),
  requestState: z.string().optional(),
});

const TaskShape = {
  taskId: z.string().min(1),
  status: TaskStatusSchema,
  statusMessage: z.string().optional(),
  createdAt: z.string().optional(),
  lastUpdatedAt: z.string().optional(),
  ttlMs: z.number().nullable().optional(),
  pollIntervalMs: z.number().int().nonnegative().optional(),
};

/** `CreateTaskResult`: `Result & Task` flat, `resultType: "task"`. */
export const CreateTaskResultSchema = z.looseObject({ resultType: z.literal('task'), ...TaskShape });

/** `GetTaskResult`: `Result & DetailedTask`, `resultType: "complete"`. */
export const GetTaskResultSchema = z.looseObject({
  resultType: ResultTypeSchema,
  ...TaskShape,
  inputRequests: z.record(z.string(), z.looseObject({ method: z.string() })).optional(),
  result: z.record(z.string(), z.unknown()).optional(),
  error: JsonRpcErrorSchema.optional(),
});
export type GetTaskResult = z.infer<typeof GetTaskResultSchema>;

export { ElicitRequestSchema };
