import type { CreateResponseRequest, McpToolConfig, ToolConfig } from '../core/schemas';
import { reasoningEcho, reasoningPlanOf } from './reasoning';
import { servedServiceTier } from './service-tier';

/** One output item as the emulator sends it (validated by the core schemas in tests). */
export type OutputItemJson = { type: string; id?: string } & Record<string, unknown>;

export interface UsageJson {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** A Response object with every field the real API sends, in its order (see recorded/). */
export interface ResponseJson {
  id: string;
  object: 'response';
  created_at: number;
  status: 'queued' | 'in_progress' | 'completed' | 'failed' | 'incomplete' | 'cancelled';
  background: boolean;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: string } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  max_tool_calls: number | null;
  model: string;
  output: OutputItemJson[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  prompt_cache_key: string | null;
  reasoning: ReturnType<typeof reasoningEcho>;
  safety_identifier: string | null;
  service_tier: string;
  store: boolean;
  temperature: number;
  text: { format: { type: 'text' }; verbosity: 'medium' };
  tool_choice: unknown;
  tools: Record<string, unknown>[];
  top_logprobs: number;
  top_p: number;
  truncation: string;
  usage: UsageJson | null;
  user: string | null;
  metadata: Record<string, string>;
}

export interface ResponseSkeleton {
  id: string;
  createdAt: number;
  request: CreateResponseRequest;
}

/** The response as it looks while in progress: no output yet, no usage. */
export function inProgressResponse({ id, createdAt, request }: ResponseSkeleton): ResponseJson {
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status: 'in_progress',
    background: request['background'] === true,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: numberOrNull(request['max_output_tokens']),
    max_tool_calls: request.max_tool_calls ?? null,
    model: modelSnapshot(request.model),
    output: [],
    parallel_tool_calls: typeof request['parallel_tool_calls'] === 'boolean' ? request['parallel_tool_calls'] : true,
    previous_response_id: request.previous_response_id ?? null,
    prompt_cache_key: null,
    reasoning: reasoningEcho(reasoningPlanOf(request)),
    safety_identifier: null,
    service_tier: servedServiceTier(request),
    store: request.store ?? true,
    temperature: numberOrNull(request['temperature']) ?? 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: request.tool_choice ?? 'auto',
    tools: (request.tools ?? []).map(echoTool),
    top_logprobs: 0,
    top_p: numberOrNull(request['top_p']) ?? 1,
    truncation: 'disabled',
    usage: null,
    user: typeof request['user'] === 'string' ? request['user'] : null,
    metadata: { ...(request.metadata ?? {}) },
  };
}

/**
 * The API answers with the dated snapshot behind an alias (recorded/: "gpt-4o-mini" →
 * "gpt-4o-mini-2024-07-18"); names it does not know are echoed as sent.
 */
const MODEL_SNAPSHOTS: Record<string, string> = {
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4o': 'gpt-4o-2024-08-06',
  'gpt-4.1': 'gpt-4.1-2025-04-14',
  'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14',
  'gpt-4.1-nano': 'gpt-4.1-nano-2025-04-14',
  o3: 'o3-2025-04-16',
  'o4-mini': 'o4-mini-2025-04-16',
  'gpt-5': 'gpt-5-2025-08-07',
  'gpt-5-mini': 'gpt-5-mini-2025-08-07',
  'gpt-5-nano': 'gpt-5-nano-2025-08-07',
};

export function modelSnapshot(model: string): string {
  return MODEL_SNAPSHOTS[model] ?? model;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

/**
 * A tool as the API echoes it: nulls filled in, `require_approval` defaulted to "always", and
 * neither `authorization` nor `headers` (the API does not store secrets; it sends `headers: null`).
 */
export function echoTool(tool: ToolConfig): Record<string, unknown> {
  if (tool.type === 'mcp') return echoMcpTool(tool);
  return {
    type: 'function',
    description: tool.description ?? null,
    name: tool.name,
    parameters: tool.parameters ?? null,
    strict: tool.strict ?? true,
  };
}

function echoMcpTool(tool: McpToolConfig): Record<string, unknown> {
  return {
    type: 'mcp',
    allowed_tools: tool.allowed_tools ?? null,
    headers: null,
    require_approval: tool.require_approval ?? 'always',
    server_description: tool.server_description ?? null,
    server_label: tool.server_label,
    server_url: tool.server_url ?? null,
  };
}

/** Token counts estimated the usual way: about four characters per token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** `reasoningTokens` count in the output tokens, as the API counts them. */
export function usageFor(inputText: string, output: readonly OutputItemJson[], reasoningTokens = 0): UsageJson {
  const input = 20 + estimateTokens(inputText);
  const outputTokens = output.reduce((sum, item) => sum + estimateTokens(producedText(item)), 0) + 5 + reasoningTokens;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: reasoningTokens },
    total_tokens: input + outputTokens,
  };
}

/** What the model itself wrote for an item: arguments and message text, not tool outputs. */
function producedText(item: OutputItemJson): string {
  if (item.type === 'message') return textParts(item['content']).join('');
  return typeof item['arguments'] === 'string' ? item['arguments'] : '';
}

/** The text of each part of a content array (`''` for a part without text); none for anything else. */
export function textParts(content: unknown): string[] {
  return Array.isArray(content) ? content.map((part: { text?: unknown }) => (typeof part.text === 'string' ? part.text : '')) : [];
}
