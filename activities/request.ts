/** What callResponsesApi (./responses.ts) takes: one Responses API call. */
export interface ResponsesCallInput {
  model: string;
  input: string | InputItem[];
  servers: ServerConfig[];
  /** Direct mode: MCP tools shown to the model as function tools (see src/core/function-tools.ts). */
  function_tools?: FunctionToolConfig[];
  previous_response_id?: string | null;
  /** `false`: the workflow carries the conversation; the API keeps nothing. */
  store?: false;
  instructions?: string;
  stream: boolean;
  metadata?: Record<string, string>;
  tool_choice?: 'auto' | 'none';
  /** Per-server overrides of the tool config, e.g. forcing approval while only listing tools. */
  tool_overrides?: Partial<McpToolConfig>;
  retry: RetrySettings;
  timeout_ms: number;
  /** The call is also the query's discovery: a server the API cannot list (HTTP 424) fails it at once, with `listing_failed`. */
  fail_on_listing_error?: boolean;
  /** Model options of the run (src/core/model-options.ts); absent ones are left to the API's defaults. */
  reasoning?: ReasoningOptions;
  service_tier?: ServiceTier;
  prompt_cache_key?: string;
  max_output_tokens?: number;
  /** Stateless turns of a reasoning model: the reasoning items come back encrypted, to be carried (src/core/conversation.ts). */
  include?: 'reasoning.encrypted_content'[];
}

/**
 * The body of a Responses request, typed with the `openai` package's own request types. Our
 * tool configs and input items are zod schemas (src/core/schemas.ts) that accept the API's wider
 * shapes; these functions copy the fields mcpflow sends, so that a type mismatch with the API
 * shows up at compile time instead of being hidden by a cast.
 */
import type {
  FunctionTool,
  ResponseCreateParamsNonStreaming,
  ResponseFunctionToolCall,
  ResponseInputItem,
  ResponseFunctionCallOutputItem,
  ResponseInputText,
  ResponseOutputMessage,
  Tool,
} from 'openai/resources/responses/responses';
import type { FunctionCallOutputItem, FunctionToolConfig, InputItem, InputMessage, McpToolConfig } from '../src/core/schemas';
import type { ReasoningOptions, ServiceTier } from '../src/core/model-options';
import type { RetrySettings } from '../src/core/retry';
import type { ServerConfig } from '../src/core/servers';
import { approvedCallsAwaiting } from './responses-recovery';
import { hostedToolConfig, type Env } from './secrets';

export function requestBody(input: ResponsesCallInput, env: Env): ResponseCreateParamsNonStreaming {
  const body: ResponseCreateParamsNonStreaming = {
    model: input.model,
    input: typeof input.input === 'string' ? input.input : input.input.map(inputItem),
    tools: [...input.servers.map((server) => mcpTool(hostedToolConfig(server, env, input.tool_overrides))), ...(input.function_tools ?? []).map(functionTool)],
  };
  if (input.previous_response_id) body.previous_response_id = input.previous_response_id;
  if (input.store === false) body.store = false;
  // A stored streamed turn that approves a call runs in background mode: the API finishes it after
  // a worker dies, and the next attempt follows it by id instead of running the call again
  // (./responses-recovery.ts). Other turns are sent as before.
  else if (input.stream && approvedCallsAwaiting(input.input).length) body.background = true;
  if (input.instructions) body.instructions = input.instructions;
  if (input.metadata) body.metadata = input.metadata;
  if (input.tool_choice) body.tool_choice = input.tool_choice;
  if (input.reasoning && (input.reasoning.effort || input.reasoning.summary)) body.reasoning = { ...input.reasoning };
  if (input.service_tier) body.service_tier = input.service_tier;
  if (input.prompt_cache_key) body.prompt_cache_key = input.prompt_cache_key;
  if (input.max_output_tokens !== undefined) body.max_output_tokens = input.max_output_tokens;
  if (input.include?.length) body.include = [...input.include];
  return body;
}

/** A hosted MCP tool; `connector_id` is left out: mcpflow configures servers by URL only. */
export function mcpTool(config: McpToolConfig): Tool.Mcp {
  const tool: Tool.Mcp = { type: 'mcp', server_label: config.server_label };
  if (config.server_url) tool.server_url = config.server_url;
  if (config.server_description) tool.server_description = config.server_description;
  if (config.headers) tool.headers = config.headers;
  if (config.authorization) tool.authorization = config.authorization;
  if (config.allowed_tools) tool.allowed_tools = config.allowed_tools;
  if (config.require_approval) tool.require_approval = config.require_approval;
  return tool;
}

export function functionTool(config: FunctionToolConfig): FunctionTool {
  const tool: FunctionTool = { type: 'function', name: config.name, parameters: config.parameters ?? null, strict: config.strict ?? null };
  if (config.description) tool.description = config.description;
  return tool;
}

export function inputItem(item: InputItem): ResponseInputItem {
  switch (item.type) {
    case 'mcp_approval_response':
      return { type: item.type, approval_request_id: item.approval_request_id, approve: item.approve, id: item.id, reason: item.reason };
    case 'function_call_output':
      return { type: item.type, call_id: item.call_id, output: functionOutput(item.output) };
    case 'function_call': {
      const call: ResponseFunctionToolCall = { type: item.type, call_id: item.call_id, name: item.name, arguments: item.arguments };
      if (item.id) call.id = item.id;
      if (item.status) call.status = item.status;
      return call;
    }
    case 'item_reference':
      return { type: item.type, id: item.id };
    case 'reasoning':
      return {
        type: item.type,
        id: item.id,
        summary: item.summary.map((part) => ({ type: part.type, text: part.text })),
        ...(item.encrypted_content ? { encrypted_content: item.encrypted_content } : {}),
      };
    case 'mcp_list_tools':
      return {
        type: item.type,
        id: item.id,
        server_label: item.server_label,
        tools: item.tools.map((tool) => ({
          name: tool.name,
          input_schema: tool.input_schema,
          description: tool.description ?? null,
          annotations: tool.annotations ?? null,
        })),
        error: item.error ?? null,
      };
    case 'mcp_approval_request':
      return { type: item.type, id: item.id, server_label: item.server_label, name: item.name, arguments: item.arguments };
    case 'mcp_call': {
      const call: ResponseInputItem.McpCall = {
        type: item.type,
        id: item.id,
        server_label: item.server_label,
        name: item.name,
        arguments: item.arguments,
        output: item.output ?? null,
      };
      if (item.status) call.status = item.status;
      if (item.approval_request_id) call.approval_request_id = item.approval_request_id;
      // The SDK types `error` as a string; the API sends (and takes back) the error object (reference README, fact 3).
      if (item.error) call.error = item.error as unknown as string;
      return call;
    }
    case 'message':
    case undefined:
      return messageItem(item);
    default:
      // Item types mcpflow never produces (computer calls, web searches, ...): passed through as the API gave them.
      return item as unknown as ResponseInputItem;
  }
}

/** An assistant message that came from an output (id and status) goes back as that output message; others as input messages. */
function messageItem(item: InputMessage): ResponseInputItem {
  const { content } = item;
  if (item.role === 'assistant' && item.id && item.status && Array.isArray(content)) {
    const parts = content.flatMap((part): ResponseOutputMessage['content'] => {
      if (part.type === 'output_text') return [{ type: 'output_text', text: part.text, annotations: [] }];
      if (part.type === 'refusal') return [{ type: 'refusal', refusal: part.refusal }];
      return [];
    });
    return { type: 'message', id: item.id, role: 'assistant', status: item.status, content: parts };
  }
  return { ...(item.type ? { type: item.type } : {}), role: item.role, content: messageContent(content) };
}

function functionOutput(output: FunctionCallOutputItem['output']): ResponseInputItem.FunctionCallOutput['output'] {
  if (typeof output === 'string') return output;
  return output.flatMap((part): ResponseFunctionCallOutputItem[] => (part.type === 'input_text' ? [{ type: 'input_text', text: part.text }] : []));
}

/**
 * Input text parts pass as they are. The SDK types an assistant's `output_text` parts only on
 * output messages (which need an id and a status), so a message with them is sent as its text.
 */
function messageContent(content: InputMessage['content']): string | ResponseInputText[] {
  if (typeof content === 'string') return content;
  const parts: ResponseInputText[] = [];
  for (const part of content) {
    if (part.type !== 'input_text') return content.map((each) => ('text' in each && typeof each.text === 'string' ? each.text : '')).join('');
    parts.push({ type: 'input_text', text: part.text });
  }
  return parts;
}
