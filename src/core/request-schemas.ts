/**
 * What mcpflow sends to the Responses API: input items (its own, and the API's others accepted as
 * given) and the create-response request (see ./schemas.ts for the rules these schemas follow).
 */
import { z } from 'zod';
import {
  FunctionCallItemSchema,
  McpApprovalRequestItemSchema,
  McpApprovalResponseItemSchema,
  McpCallItemSchema,
  McpListToolsItemSchema,
  OutputTextContentSchema,
  RefusalContentSchema,
  ToolConfigSchema,
} from './response-schemas';

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
