/**
 * What the Responses API answers: the tool configuration it echoes, output items, the response,
 * usage and error bodies (see ./schemas.ts for the rules all these schemas follow).
 */
import { z } from 'zod';
import { AllowedToolsSchema, JsonSchemaObjectSchema, RequireApprovalSchema } from './tool-filters';

// ---------------------------------------------------------------------------------------------
// Tool configuration sent in `tools: [...]`

export const McpToolConfigSchema = z.looseObject({
  type: z.literal('mcp'),
  server_label: z.string().min(1),
  server_url: z.string().url().optional(),
  connector_id: z.string().optional(),
  authorization: z.string().optional(),
  server_description: z.string().nullish(),
  headers: z.record(z.string(), z.string()).nullish(),
  allowed_tools: AllowedToolsSchema.nullish(),
  require_approval: RequireApprovalSchema.nullish(),
});
export type McpToolConfig = z.infer<typeof McpToolConfigSchema>;

export const FunctionToolConfigSchema = z.looseObject({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
export type FunctionToolConfig = z.infer<typeof FunctionToolConfigSchema>;

export const ToolConfigSchema = z.discriminatedUnion('type', [McpToolConfigSchema, FunctionToolConfigSchema]);
export type ToolConfig = z.infer<typeof ToolConfigSchema>;

// ---------------------------------------------------------------------------------------------
// Output items

export const McpListedToolSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string().nullish(),
  input_schema: JsonSchemaObjectSchema,
  annotations: z.record(z.string(), z.unknown()).nullish(),
});
export type McpListedTool = z.infer<typeof McpListedToolSchema>;

export const McpListToolsItemSchema = z.looseObject({
  type: z.literal('mcp_list_tools'),
  id: z.string(),
  server_label: z.string(),
  tools: z.array(McpListedToolSchema),
  error: z.string().nullish(),
});
export type McpListToolsItem = z.infer<typeof McpListToolsItemSchema>;

export const McpProtocolErrorSchema = z.looseObject({
  type: z.literal('mcp_protocol_error'),
  code: z.number().int(),
  message: z.string(),
});
export const McpToolExecutionErrorSchema = z.looseObject({
  type: z.literal('mcp_tool_execution_error'),
  content: z.unknown(),
});
export const McpHttpErrorSchema = z.looseObject({
  type: z.literal('http_error'),
  code: z.number().int(),
  message: z.string(),
});
export const McpCallErrorSchema = z.discriminatedUnion('type', [McpProtocolErrorSchema, McpToolExecutionErrorSchema, McpHttpErrorSchema]);
export type McpCallError = z.infer<typeof McpCallErrorSchema>;

export const McpCallStatusSchema = z.enum(['in_progress', 'completed', 'incomplete', 'calling', 'failed']);

export const McpCallItemSchema = z.looseObject({
  type: z.literal('mcp_call'),
  id: z.string(),
  server_label: z.string(),
  name: z.string(),
  /** A JSON string, not an object. */
  arguments: z.string(),
  output: z.string().nullish(),
  error: McpCallErrorSchema.nullish(),
  status: McpCallStatusSchema.optional(),
  approval_request_id: z.string().nullish(),
});
export type McpCallItem = z.infer<typeof McpCallItemSchema>;

export const McpApprovalRequestItemSchema = z.looseObject({
  type: z.literal('mcp_approval_request'),
  id: z.string(),
  server_label: z.string(),
  name: z.string(),
  arguments: z.string(),
});
export type McpApprovalRequestItem = z.infer<typeof McpApprovalRequestItemSchema>;

export const McpApprovalResponseItemSchema = z.looseObject({
  type: z.literal('mcp_approval_response'),
  id: z.string().nullish(),
  approval_request_id: z.string().min(1),
  approve: z.boolean(),
  reason: z.string().nullish(),
});
export type McpApprovalResponseItem = z.infer<typeof McpApprovalResponseItemSchema>;

export const OutputTextContentSchema = z.looseObject({
  type: z.literal('output_text'),
  text: z.string(),
  annotations: z.array(z.unknown()).default([]),
});
export const RefusalContentSchema = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
export const OutputMessageContentSchema = z.discriminatedUnion('type', [OutputTextContentSchema, RefusalContentSchema]);

export const OutputMessageSchema = z.looseObject({
  type: z.literal('message'),
  id: z.string(),
  role: z.literal('assistant'),
  status: z.enum(['in_progress', 'completed', 'incomplete']),
  content: z.array(OutputMessageContentSchema),
});
export type OutputMessage = z.infer<typeof OutputMessageSchema>;

export const FunctionCallItemSchema = z.looseObject({
  type: z.literal('function_call'),
  id: z.string().optional(),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
  status: z.enum(['in_progress', 'completed', 'incomplete']).optional(),
});
export type FunctionCallItem = z.infer<typeof FunctionCallItemSchema>;

/** Output items mcpflow does not act on, accepted so that a response carrying them still parses. */
export const OtherOutputItemSchema = z.looseObject({
  type: z.enum([
    'reasoning',
    'web_search_call',
    'file_search_call',
    'computer_call',
    'code_interpreter_call',
    'image_generation_call',
    'local_shell_call',
    'custom_tool_call',
  ]),
});

export const OutputItemSchema = z.discriminatedUnion('type', [
  McpListToolsItemSchema,
  McpCallItemSchema,
  McpApprovalRequestItemSchema,
  McpApprovalResponseItemSchema,
  OutputMessageSchema,
  FunctionCallItemSchema,
  OtherOutputItemSchema,
]);
export type OutputItem = z.infer<typeof OutputItemSchema>;

// ---------------------------------------------------------------------------------------------
// Response, usage, errors

export const UsageSchema = z.looseObject({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
  input_tokens_details: z.looseObject({ cached_tokens: z.number().int().nonnegative() }).optional(),
  output_tokens_details: z.looseObject({ reasoning_tokens: z.number().int().nonnegative() }).optional(),
});
export type Usage = z.infer<typeof UsageSchema>;

export const ResponseStatusSchema = z.enum(['completed', 'failed', 'in_progress', 'cancelled', 'queued', 'incomplete']);

export const ResponseSchema = z.looseObject({
  id: z.string().startsWith('resp_'),
  object: z.literal('response'),
  created_at: z.number(),
  status: ResponseStatusSchema,
  error: z.looseObject({ code: z.string(), message: z.string() }).nullable(),
  incomplete_details: z.looseObject({ reason: z.string().optional() }).nullish(),
  model: z.string(),
  output: z.array(OutputItemSchema),
  previous_response_id: z.string().nullish(),
  tools: z.array(z.looseObject({ type: z.string() })).optional(),
  usage: UsageSchema.nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
});
export type Response = z.infer<typeof ResponseSchema>;

export const ApiErrorObjectSchema = z.looseObject({
  message: z.string(),
  type: z.string(),
  param: z.string().nullable(),
  code: z.string().nullable(),
});
export const ErrorBodySchema = z.looseObject({ error: ApiErrorObjectSchema });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
