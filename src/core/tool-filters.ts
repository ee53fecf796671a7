/**
 * The small schemas a server config shares with the Responses API's tool config: approval and
 * allowed-tools filters, and a tool's JSON Schema. Apart from schemas.ts so that workflow code,
 * which evaluates its modules once per run, does not build the API's item schemas it never uses.
 */
import { z } from 'zod';

export const McpToolFilterSchema = z.strictObject({
  tool_names: z.array(z.string()).optional(),
  read_only: z.boolean().optional(),
});
export type McpToolFilter = z.infer<typeof McpToolFilterSchema>;

export const RequireApprovalSchema = z.union([
  z.enum(['always', 'never']),
  z.strictObject({ always: McpToolFilterSchema.optional(), never: McpToolFilterSchema.optional() }),
]);
export type RequireApproval = z.infer<typeof RequireApprovalSchema>;

export const AllowedToolsSchema = z.union([z.array(z.string()), McpToolFilterSchema]);
export type AllowedTools = z.infer<typeof AllowedToolsSchema>;

/** A JSON Schema object; kept as plain JSON so it can live in workflow history. */
export const JsonSchemaObjectSchema = z.record(z.string(), z.unknown());
