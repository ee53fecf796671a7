/**
 * What the MCP SDK 2.x client does not know of revision 2026-07-28: the tasks extension
 * (`io.modelcontextprotocol/tasks`, modelcontextprotocol/ext-tasks), as zod schemas transcribed
 * from its schema.ts, plus the shape direct mode keeps of a finished call. Everything else on
 * the wire (`server/discover`, the `_meta` envelope, standard headers, `InputRequiredResult`,
 * caching hints) is the SDK's. Parsing is lenient where the schema is open, strict where
 * mcpflow relies on a field.
 */
import { z } from 'zod';
import { TaskStatusSchema } from '../../../src/core/mcp-input';

export const PROTOCOL_2026 = '2026-07-28';

/** The tasks extension's identifier in `ClientCapabilities.extensions` / `ServerCapabilities.extensions`. */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** JSON-RPC codes this client tells apart (schema.ts "MCP error codes"). */
export const ERROR_CODES = {
  invalidParams: -32602,
  unsupportedProtocolVersion: -32022,
} as const;

/** A finished `tools/call` as direct mode reads it, from either era (`resultType` absent = complete). */
export const CallToolResultSchema = z.looseObject({
  resultType: z.literal('complete').default('complete'),
  content: z.array(z.looseObject({ type: z.string() })).default([]),
  structuredContent: z.unknown().optional(),
  isError: z.boolean().optional(),
});
export type CallToolResult2026 = z.infer<typeof CallToolResultSchema>;

const JsonRpcErrorSchema = z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() });

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

/** `GetTaskResult`: `Result & DetailedTask` (the SDK has already consumed `resultType: "complete"`). */
export const GetTaskResultSchema = z.looseObject({
  ...TaskShape,
  inputRequests: z.record(z.string(), z.looseObject({ method: z.string() })).optional(),
  result: z.record(z.string(), z.unknown()).optional(),
  error: JsonRpcErrorSchema.optional(),
});
export type GetTaskResult = z.infer<typeof GetTaskResultSchema>;

/** `tasks/update` and `tasks/cancel` answer with an empty result. */
export const EmptyResultSchema = z.looseObject({});

/** The SDK's manual-mode `InputRequiredResult` (it already checked that one of the two fields is there). */
export const InputRequiredResultSchema = z.looseObject({
  resultType: z.literal('input_required'),
  inputRequests: z.record(z.string(), z.looseObject({ method: z.string() })).optional(),
  requestState: z.string().optional(),
});
