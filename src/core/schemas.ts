/**
 * Zod schemas of the OpenAI Responses API items that carry remote MCP tools, written from the
 * official OpenAPI description (../shared/reference/openai-responses/schemas) and checked
 * against recorded traffic. One schema per thing; types come from `z.infer`.
 *
 * Objects are "loose": the API adds fields over time and a new field must not break a run.
 */
import { z } from 'zod';
import { AllowedToolsSchema, JsonSchemaObjectSchema, RequireApprovalSchema } from './tool-filters';

export * from './tool-filters';
export { describeZodError } from './zod-errors';

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
export const McpCallErrorSchema = z.discriminatedUnion('type', [
  McpProtocolErrorSchema,
  McpToolExecutionErrorSchema,
  McpHttpErrorSchema,
]);
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

// ---------------------------------------------------------------------------------------------
// Request

/** Every `type` of an input item in the API reference, in the reference's order (the API lists them so when it refuses one). */
export const INPUT_ITEM_TYPES = [
  'message',
  'file_search_call',
  'computer_call',
  'computer_call_output',
  'web_search_call',
  'function_call',
  'function_call_output',
  'tool_search_call',
  'tool_search_output',
  'additional_tools',
  'reasoning',
  'compaction',
  'image_generation_call',
  'code_interpreter_call',
  'local_shell_call',
  'local_shell_call_output',
  'shell_call',
  'shell_call_output',
  'apply_patch_call',
  'apply_patch_call_output',
  'mcp_list_tools',
  'mcp_approval_request',
  'mcp_approval_response',
  'mcp_call',
  'custom_tool_call_output',
  'custom_tool_call',
  'compaction_trigger',
  'item_reference',
  'program',
  'program_output',
] as const;

/** The input item types mcpflow reads and writes; the others are accepted as the API gives them. */
const MODELLED_INPUT_ITEM_TYPES = [
  'message',
  'item_reference',
  'reasoning',
  'function_call',
  'function_call_output',
  'mcp_list_tools',
  'mcp_call',
  'mcp_approval_request',
  'mcp_approval_response',
] as const;
type OtherInputItemType = Exclude<(typeof INPUT_ITEM_TYPES)[number], (typeof MODELLED_INPUT_ITEM_TYPES)[number]>;
const OTHER_INPUT_ITEM_TYPES = INPUT_ITEM_TYPES.filter(
  (type): type is OtherInputItemType => !(MODELLED_INPUT_ITEM_TYPES as readonly string[]).includes(type),
) as [OtherInputItemType, ...OtherInputItemType[]];

export const InputTextContentSchema = z.looseObject({ type: z.literal('input_text'), text: z.string() });
/** Images and files are accepted as the API describes them; mcpflow never sends them. */
export const InputImageContentSchema = z.looseObject({ type: z.literal('input_image'), detail: z.enum(['low', 'high', 'auto', 'original']) });
export const InputFileContentSchema = z.looseObject({ type: z.literal('input_file') });
export const InputContentPartSchema = z.discriminatedUnion('type', [
  InputTextContentSchema,
  OutputTextContentSchema,
  RefusalContentSchema,
  InputImageContentSchema,
  InputFileContentSchema,
]);
export type InputContentPart = z.infer<typeof InputContentPartSchema>;

/** A message as input: the easy form (`role` + `content`, `type` optional) and an earlier output message sent back. */
export const InputMessageSchema = z.looseObject({
  type: z.literal('message').optional(),
  id: z.string().optional(),
  role: z.enum(['user', 'system', 'developer', 'assistant']),
  content: z.union([z.string(), z.array(InputContentPartSchema)]),
  status: z.enum(['in_progress', 'completed', 'incomplete']).optional(),
});
export type InputMessage = z.infer<typeof InputMessageSchema>;

export const FunctionCallOutputItemSchema = z.looseObject({
  type: z.literal('function_call_output'),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  /** A string, or content parts (text, images, files). */
  output: z.union([z.string(), z.array(z.discriminatedUnion('type', [InputTextContentSchema, InputImageContentSchema, InputFileContentSchema]))]),
  status: z.enum(['in_progress', 'completed', 'incomplete']).nullish(),
});
export type FunctionCallOutputItem = z.infer<typeof FunctionCallOutputItemSchema>;

export const ReasoningItemSchema = z.looseObject({
  type: z.literal('reasoning'),
  id: z.string(),
  summary: z.array(z.looseObject({ type: z.literal('summary_text'), text: z.string() })),
  encrypted_content: z.string().nullish(),
});
export type ReasoningItem = z.infer<typeof ReasoningItemSchema>;

/** Points at an item of a stored response by its id; `type` may be left out (see `normalizeInputItem`). */
export const ItemReferenceSchema = z.looseObject({ type: z.literal('item_reference'), id: z.string().min(1) });
export type ItemReference = z.infer<typeof ItemReferenceSchema>;

/** Item types of the API that mcpflow never sends; accepted so that the refusal (if any) is the receiver's. */
export const OtherInputItemSchema = z.looseObject({
  type: z.enum(OTHER_INPUT_ITEM_TYPES),
});

/** An item reference may come without `type` (the API defaults it); the union needs it to choose. */
function normalizeInputItem(item: unknown): unknown {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
  const record = item as Record<string, unknown>;
  if ((record['type'] === undefined || record['type'] === null) && !('role' in record) && typeof record['id'] === 'string') {
    return { ...record, type: 'item_reference' };
  }
  return item;
}

const TypedInputItemSchema = z.discriminatedUnion(
  'type',
  [
    InputMessageSchema,
    ItemReferenceSchema,
    ReasoningItemSchema,
    FunctionCallItemSchema,
    FunctionCallOutputItemSchema,
    McpListToolsItemSchema,
    McpCallItemSchema,
    McpApprovalRequestItemSchema,
    McpApprovalResponseItemSchema,
    OtherInputItemSchema,
  ],
  {
    // The API's wording when an item type does not exist.
    error: (issue) => {
      if (issue.code !== 'invalid_union') return undefined;
      const type = (issue.input as { type?: unknown } | undefined)?.type;
      const quoted = INPUT_ITEM_TYPES.map((each) => `'${each}'`);
      return `Invalid value: '${String(type)}'. Supported values are: ${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}.`;
    },
  },
);

export const InputItemSchema = z.preprocess(normalizeInputItem, TypedInputItemSchema);
export type InputItem = z.infer<typeof TypedInputItemSchema>;

export const CreateResponseRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(InputItemSchema)]).optional(),
  instructions: z.string().nullish(),
  tools: z.array(ToolConfigSchema).optional(),
  previous_response_id: z.string().nullish(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  metadata: z.record(z.string(), z.string().max(512)).nullish(),
  max_tool_calls: z.number().int().positive().nullish(),
  tool_choice: z.unknown().optional(),
});
export type CreateResponseRequest = z.infer<typeof CreateResponseRequestSchema>;

// ---------------------------------------------------------------------------------------------
// Streaming events (server-sent events with `stream: true`)

const sequenced = { sequence_number: z.number().int().nonnegative() };
const itemProgress = { ...sequenced, output_index: z.number().int().nonnegative(), item_id: z.string() };

export const ResponseLifecycleEventSchema = z.looseObject({
  type: z.enum([
    'response.created',
    'response.in_progress',
    'response.completed',
    'response.failed',
    'response.incomplete',
    'response.queued',
  ]),
  ...sequenced,
  response: ResponseSchema,
});

export const OutputItemEventSchema = z.looseObject({
  type: z.enum(['response.output_item.added', 'response.output_item.done']),
  ...sequenced,
  output_index: z.number().int().nonnegative(),
  item: OutputItemSchema,
});

export const McpProgressEventSchema = z.looseObject({
  type: z.enum([
    'response.mcp_list_tools.in_progress',
    'response.mcp_list_tools.completed',
    'response.mcp_list_tools.failed',
    'response.mcp_call.in_progress',
    'response.mcp_call.completed',
    'response.mcp_call.failed',
  ]),
  ...itemProgress,
});

export const McpCallArgumentsDeltaEventSchema = z.looseObject({
  type: z.literal('response.mcp_call_arguments.delta'),
  ...itemProgress,
  delta: z.string(),
});
export const McpCallArgumentsDoneEventSchema = z.looseObject({
  type: z.literal('response.mcp_call_arguments.done'),
  ...itemProgress,
  arguments: z.string(),
});

export const FunctionCallArgumentsDeltaEventSchema = z.looseObject({
  type: z.literal('response.function_call_arguments.delta'),
  ...itemProgress,
  delta: z.string(),
});
export const FunctionCallArgumentsDoneEventSchema = z.looseObject({
  type: z.literal('response.function_call_arguments.done'),
  ...itemProgress,
  arguments: z.string(),
});

export const ContentPartEventSchema = z.looseObject({
  type: z.enum(['response.content_part.added', 'response.content_part.done']),
  ...itemProgress,
  content_index: z.number().int().nonnegative(),
  part: OutputMessageContentSchema,
});
export const OutputTextDeltaEventSchema = z.looseObject({
  type: z.literal('response.output_text.delta'),
  ...itemProgress,
  content_index: z.number().int().nonnegative(),
  delta: z.string(),
});
export const OutputTextDoneEventSchema = z.looseObject({
  type: z.literal('response.output_text.done'),
  ...itemProgress,
  content_index: z.number().int().nonnegative(),
  text: z.string(),
});
export const StreamErrorEventSchema = z.looseObject({
  type: z.literal('error'),
  ...sequenced,
  code: z.string().nullable(),
  message: z.string(),
  param: z.string().nullable(),
});

export const ResponseStreamEventSchema = z.union([
  ResponseLifecycleEventSchema,
  OutputItemEventSchema,
  McpProgressEventSchema,
  McpCallArgumentsDeltaEventSchema,
  McpCallArgumentsDoneEventSchema,
  FunctionCallArgumentsDeltaEventSchema,
  FunctionCallArgumentsDoneEventSchema,
  ContentPartEventSchema,
  OutputTextDeltaEventSchema,
  OutputTextDoneEventSchema,
  StreamErrorEventSchema,
]);
export type ResponseStreamEvent = z.infer<typeof ResponseStreamEventSchema>;

// ---------------------------------------------------------------------------------------------

/** Formats a zod error as `path: message` lines, so a bad field is named with its full path. */
