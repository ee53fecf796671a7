import {
  McpApprovalResponseItemSchema,
  FunctionCallOutputItemSchema,
  InputMessageSchema,
  type CreateResponseRequest,
  type FunctionToolConfig,
  type McpCallError,
  type McpListedTool,
  type McpToolConfig,
} from '../core/schemas';
import { emptyConversation, type ConversationState, type PendingApproval, type PendingFunctionCall, type StoredResponse } from './conversations';
import { externalConnectorError, invalidRequest, modelNotFoundError } from './errors';
import { newId } from './ids';
import { McpListingError, type McpBridge, type McpServerTarget } from './mcp-bridge';
import { composeAnswer, DEFAULT_TODAY, planCalls, type PlannedCall, type PlannerTool, type ToolOutcome } from './planner';
import { inProgressResponse, usageFor, type OutputItemJson, type ResponseJson } from './responses';
import { parseScript, scriptedCalls, SCRIPT_METADATA_KEY, TODAY_METADATA_KEY, type ModelScript } from './script';
import { textChunks, type EventSink } from './stream';
import { isAllowed, needsApproval } from './tool-policy';

/** Counters the admin endpoint reports (how often hosted mode really touched a server). */
export interface TurnHooks {
  onToolListing(serverLabel: string): void;
  onToolCall(serverLabel: string, tool: string): void;
}

interface ApprovalAnswer {
  approvalRequestId: string;
  approve: boolean;
  reason: string | null;
  pending: PendingApproval;
}

interface FunctionOutput {
  callId: string;
  output: string;
  pending: PendingFunctionCall;
}

/** Everything checked before the first byte is sent: a failure here is an HTTP error status. */
export interface PreparedTurn {
  id: string;
  createdAt: number;
  request: CreateResponseRequest;
  previous: ConversationState;
  mcpTools: Map<string, McpToolConfig>;
  functionTools: Map<string, FunctionToolConfig>;
  /** Servers listed by this request, in `tools` order. */
  newListings: [string, McpListedTool[]][];
  listings: Record<string, McpListedTool[]>;
  question: string;
  isNewQuestion: boolean;
  approvals: ApprovalAnswer[];
  functionOutputs: FunctionOutput[];
  script: ModelScript | undefined;
  today: string;
}

export async function prepareTurn(
  request: CreateResponseRequest,
  previous: StoredResponse | undefined,
  bridge: McpBridge,
  hooks: TurnHooks,
  now: () => number = Date.now,
): Promise<PreparedTurn> {
  if (request.model.startsWith('missing-')) throw modelNotFoundError(request.model);
  const state = previous?.state ?? emptyConversation();
  const { mcpTools, functionTools } = indexTools(request);
  const script = readScript(request);
  const question = userText(request);
  const approvals = readApprovals(request, state, mcpTools);
  const functionOutputs = readFunctionOutputs(request, state);

  // List every server not yet listed in this conversation; any failure fails the whole request.
  const toList = [...mcpTools.values()].filter((tool) => !(tool.server_label in state.listedServers));
  const newListings = await Promise.all(
    toList.map(async (tool): Promise<[string, McpListedTool[]]> => {
      hooks.onToolListing(tool.server_label);
      try {
        return [tool.server_label, await bridge.listTools(targetOf(tool))];
      } catch (error) {
        if (error instanceof McpListingError) throw externalConnectorError(error.serverLabel, error.detail);
        throw error;
      }
    }),
  );
  const listings = { ...state.listedServers, ...Object.fromEntries(newListings) };
  const prepared: PreparedTurn = {
    id: newId('resp'),
    createdAt: Math.floor(now() / 1000),
    request,
    previous: state,
    mcpTools,
    functionTools,
    newListings,
    listings,
    question: question || state.question,
    isNewQuestion: question.length > 0 || previous === undefined,
    approvals,
    functionOutputs,
    script,
    today: todayOf(request),
  };
  if (script?.calls) checkScriptedCalls(prepared, scriptedCalls(script) ?? []);
  return prepared;
}

function indexTools(request: CreateResponseRequest): {
  mcpTools: Map<string, McpToolConfig>;
  functionTools: Map<string, FunctionToolConfig>;
} {
  const mcpTools = new Map<string, McpToolConfig>();
  const functionTools = new Map<string, FunctionToolConfig>();
  (request.tools ?? []).forEach((tool, index) => {
    if (tool.type === 'mcp') {
      if (!tool.server_url) {
        if (tool.connector_id) throw invalidRequest(`Connectors are not supported by the emulator: 'tools[${index}].connector_id'.`, `tools[${index}].connector_id`, 'invalid_value');
        throw invalidRequest(`Missing required parameter: 'tools[${index}].server_url'.`, `tools[${index}].server_url`, 'missing_required_parameter');
      }
      if (mcpTools.has(tool.server_label)) {
        throw invalidRequest(`Duplicate MCP server_label '${tool.server_label}' in 'tools[${index}].server_label'.`, `tools[${index}].server_label`, 'invalid_value');
      }
      mcpTools.set(tool.server_label, tool);
    } else {
      if (functionTools.has(tool.name)) {
        throw invalidRequest(`Duplicate function name '${tool.name}' in 'tools[${index}].name'.`, `tools[${index}].name`, 'invalid_value');
      }
      functionTools.set(tool.name, tool);
    }
  });
  return { mcpTools, functionTools };
}

export function targetOf(tool: McpToolConfig): McpServerTarget {
  return {
    label: tool.server_label,
    url: tool.server_url ?? '',
    headers: tool.headers ?? null,
    ...(tool.authorization ? { authorization: tool.authorization } : {}),
  };
}

function readScript(request: CreateResponseRequest): ModelScript | undefined {
  const raw = request.metadata?.[SCRIPT_METADATA_KEY];
  if (raw === undefined) return undefined;
  const parsed = parseScript(raw);
  if (!parsed.ok) {
    throw invalidRequest(`Invalid 'metadata.${SCRIPT_METADATA_KEY}': ${parsed.message}.`, `metadata.${SCRIPT_METADATA_KEY}`, 'invalid_value');
  }
  return parsed.script;
}

function todayOf(request: CreateResponseRequest): string {
  const today = request.metadata?.[TODAY_METADATA_KEY];
  return today && /^\d{4}-\d{2}-\d{2}$/.test(today) ? today : DEFAULT_TODAY;
}

/** The user's words in this request: a string input or the text of user messages. */
export function userText(request: CreateResponseRequest): string {
  const input = request.input;
  if (input === undefined) return '';
  if (typeof input === 'string') return input.trim();
  const texts: string[] = [];
  for (const item of input) {
    const message = InputMessageSchema.safeParse(item);
    if (!message.success || message.data.role !== 'user') continue;
    const content = message.data.content;
    if (typeof content === 'string') texts.push(content);
    else for (const part of content) texts.push(part.text);
  }
  return texts.join('\n').trim();
}

function inputItems(request: CreateResponseRequest): unknown[] {
  return Array.isArray(request.input) ? request.input : [];
}

function readApprovals(request: CreateResponseRequest, state: ConversationState, mcpTools: Map<string, McpToolConfig>): ApprovalAnswer[] {
  const answers: ApprovalAnswer[] = [];
  inputItems(request).forEach((item, index) => {
    const parsed = McpApprovalResponseItemSchema.safeParse(item);
    if (!parsed.success) return;
    const id = parsed.data.approval_request_id;
    const pending = state.pendingApprovals[id];
    if (!pending) {
      throw invalidRequest(
        `No approval request found with id '${id}' for 'input[${index}].approval_request_id'.`,
        `input[${index}].approval_request_id`,
        'invalid_value',
      );
    }
    if (!mcpTools.has(pending.server)) {
      throw invalidRequest(`The MCP server '${pending.server}' of approval request '${id}' must be sent again in 'tools'.`, 'tools', 'invalid_value');
    }
    answers.push({ approvalRequestId: id, approve: parsed.data.approve, reason: parsed.data.reason ?? null, pending });
  });
  return answers;
}

function readFunctionOutputs(request: CreateResponseRequest, state: ConversationState): FunctionOutput[] {
  const outputs: FunctionOutput[] = [];
  inputItems(request).forEach((item, index) => {
    const parsed = FunctionCallOutputItemSchema.safeParse(item);
    if (!parsed.success) return;
    const pending = state.pendingFunctionCalls[parsed.data.call_id];
    if (!pending) {
      throw invalidRequest(
        `No tool call found for function call output with call_id ${parsed.data.call_id}.`,
        `input[${index}].call_id`,
        'invalid_value',
      );
    }
    outputs.push({ callId: parsed.data.call_id, output: parsed.data.output, pending });
  });
  return outputs;
}

function checkScriptedCalls(prepared: PreparedTurn, calls: readonly PlannedCall[]): void {
  const param = `metadata.${SCRIPT_METADATA_KEY}`;
  for (const call of calls) {
    if (call.kind === 'function') {
      if (!prepared.functionTools.has(call.tool)) throw invalidRequest(`Invalid '${param}': no function tool named '${call.tool}'.`, param, 'invalid_value');
      continue;
    }
    const server = call.server ?? '';
    const config = prepared.mcpTools.get(server);
    if (!config) throw invalidRequest(`Invalid '${param}': no MCP server labelled '${server}' in tools.`, param, 'invalid_value');
    const tool = prepared.listings[server]?.find((candidate) => candidate.name === call.tool);
    if (!tool || !isAllowed(config.allowed_tools, tool)) {
      throw invalidRequest(`Invalid '${param}': tool '${call.tool}' is not available on MCP server '${server}'.`, param, 'invalid_value');
    }
  }
}

// ---------------------------------------------------------------------------------------------

/** Runs the prepared turn, emitting stream events as items are produced; returns what to store. */
export async function runTurn(prepared: PreparedTurn, bridge: McpBridge, sink: EventSink, hooks: TurnHooks): Promise<StoredResponse> {
  const response = inProgressResponse({ id: prepared.id, createdAt: prepared.createdAt, request: prepared.request });
  sink.emit({ type: 'response.created', response: clone(response) });
  sink.emit({ type: 'response.in_progress', response: clone(response) });
  const output = new OutputWriter(response, sink);

  for (const [label, tools] of prepared.newListings) output.listTools(label, tools);

  const outcomes: ToolOutcome[] = prepared.isNewQuestion ? [] : [...prepared.previous.outcomes];
  for (const answer of prepared.approvals) {
    if (answer.approve) {
      outcomes.push(await callMcpTool(prepared, bridge, output, hooks, answer.pending, answer.approvalRequestId));
    } else {
      outcomes.push({ kind: 'mcp', server: answer.pending.server, tool: answer.pending.tool, status: 'denied', reason: answer.reason });
    }
  }
  for (const result of prepared.functionOutputs) {
    outcomes.push({ kind: 'function', tool: result.pending.tool, status: 'ok', output: result.output });
  }

  const pendingApprovals: Record<string, PendingApproval> = {};
  const pendingFunctionCalls: Record<string, PendingFunctionCall> = {};
  for (const call of chooseCalls(prepared)) {
    const args = JSON.stringify(call.arguments);
    if (call.kind === 'function') {
      pendingFunctionCalls[output.functionCall(call.tool, args)] = { tool: call.tool, arguments: args };
      continue;
    }
    const server = call.server ?? '';
    const config = prepared.mcpTools.get(server);
    const tool = prepared.listings[server]?.find((candidate) => candidate.name === call.tool);
    if (!config || !tool) continue;
    const pending: PendingApproval = { server, tool: call.tool, arguments: args };
    if (needsApproval(config.require_approval, tool)) {
      pendingApprovals[output.approvalRequest(pending)] = pending;
    } else {
      outcomes.push(await callMcpTool(prepared, bridge, output, hooks, pending, null));
    }
  }

  const waiting = Object.keys(pendingApprovals).length > 0 || Object.keys(pendingFunctionCalls).length > 0;
  if (!waiting) output.message(prepared.script?.answer ?? composeAnswer(prepared.question, outcomes));

  const inputText = contextText(prepared);
  response.status = 'completed';
  response.usage = usageFor(inputText, response.output);
  sink.emit({ type: 'response.completed', response: clone(response) });

  const state: ConversationState = {
    question: prepared.question,
    listedServers: prepared.listings,
    pendingApprovals,
    pendingFunctionCalls,
    outcomes,
    contextChars: inputText.length + JSON.stringify(response.output).length,
  };
  return { response, state };
}

/** The calls the model makes for a new question: the script's, else the planner's. */
function chooseCalls(prepared: PreparedTurn): PlannedCall[] {
  if (!prepared.isNewQuestion) return [];
  const scripted = prepared.script ? scriptedCalls(prepared.script) : undefined;
  const calls = scripted ?? planCalls({ text: prepared.question, tools: plannerTools(prepared), today: prepared.today });
  const limit = prepared.request.max_tool_calls;
  return limit ? calls.slice(0, limit) : calls;
}

function plannerTools(prepared: PreparedTurn): PlannerTool[] {
  const tools: PlannerTool[] = [];
  for (const [label, config] of prepared.mcpTools) {
    for (const tool of prepared.listings[label] ?? []) {
      if (!isAllowed(config.allowed_tools, tool)) continue;
      tools.push({ kind: 'mcp', server: label, name: tool.name, description: tool.description ?? null, inputSchema: tool.input_schema });
    }
  }
  for (const tool of prepared.functionTools.values()) {
    tools.push({ kind: 'function', name: tool.name, description: tool.description ?? null, inputSchema: tool.parameters ?? {} });
  }
  return tools;
}

async function callMcpTool(
  prepared: PreparedTurn,
  bridge: McpBridge,
  output: OutputWriter,
  hooks: TurnHooks,
  call: PendingApproval,
  approvalRequestId: string | null,
): Promise<ToolOutcome> {
  const config = prepared.mcpTools.get(call.server);
  const item = output.beginMcpCall(call, approvalRequestId);
  let result: Awaited<ReturnType<McpBridge['callTool']>>;
  if (!config) {
    result = { ok: false, error: { type: 'mcp_protocol_error', code: -32601, message: `Unknown MCP server '${call.server}'` } };
  } else {
    hooks.onToolCall(call.server, call.tool);
    result = await bridge.callTool(targetOf(config), call.tool, JSON.parse(call.arguments) as Record<string, unknown>);
  }
  output.endMcpCall(item, result.ok ? { output: result.output } : { error: result.error });
  return result.ok
    ? { kind: 'mcp', server: call.server, tool: call.tool, status: 'ok', output: result.output }
    : { kind: 'mcp', server: call.server, tool: call.tool, status: 'error', error: describeCallError(result.error) };
}

export function describeCallError(error: McpCallError): string {
  if (error.type !== 'mcp_tool_execution_error') return `${error.message} (code ${error.code})`;
  const content = Array.isArray(error.content) ? (error.content as { type?: unknown; text?: unknown }[]) : [];
  const text = content.map((part) => (typeof part.text === 'string' ? part.text : '')).filter(Boolean).join('\n');
  return text || 'The tool reported an error.';
}

function contextText(prepared: PreparedTurn): string {
  return [
    ' '.repeat(prepared.previous.contextChars),
    prepared.request.instructions ?? '',
    prepared.question,
    JSON.stringify(prepared.newListings),
    ...prepared.functionOutputs.map((result) => result.output),
  ].join('\n');
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Appends output items to the response and emits the events of each, in the API's order. */
class OutputWriter {
  constructor(
    private readonly response: ResponseJson,
    private readonly sink: EventSink,
  ) {}

  private add(item: OutputItemJson): number {
    const index = this.response.output.length;
    this.response.output.push(item);
    this.sink.emit({ type: 'response.output_item.added', output_index: index, item: clone(item) });
    return index;
  }

  private done(index: number): void {
    this.sink.emit({ type: 'response.output_item.done', output_index: index, item: clone(this.response.output[index]) });
  }

  listTools(serverLabel: string, tools: McpListedTool[]): void {
    const item: OutputItemJson = { id: newId('mcpl'), type: 'mcp_list_tools', server_label: serverLabel, tools: [] };
    const index = this.add(item);
    const progress = { output_index: index, item_id: item.id };
    this.sink.emit({ type: 'response.mcp_list_tools.in_progress', ...progress });
    item['tools'] = tools;
    this.sink.emit({ type: 'response.mcp_list_tools.completed', ...progress });
    this.done(index);
  }

  beginMcpCall(call: PendingApproval, approvalRequestId: string | null): number {
    const item: OutputItemJson = {
      id: newId('mcp'),
      type: 'mcp_call',
      status: 'in_progress',
      approval_request_id: approvalRequestId,
      arguments: '',
      error: null,
      name: call.tool,
      output: null,
      server_label: call.server,
    };
    const index = this.add(item);
    const progress = { output_index: index, item_id: item.id };
    this.sink.emit({ type: 'response.mcp_call.in_progress', ...progress });
    this.sink.emit({ type: 'response.mcp_call_arguments.delta', ...progress, delta: call.arguments, obfuscation: '' });
    this.sink.emit({ type: 'response.mcp_call_arguments.done', ...progress, arguments: call.arguments });
    item['arguments'] = call.arguments;
    return index;
  }

  endMcpCall(index: number, result: { output: string } | { error: McpCallError }): void {
    const item = this.response.output[index];
    if (!item) return;
    const failed = 'error' in result;
    item['status'] = failed ? 'failed' : 'completed';
    if (failed) item['error'] = result.error;
    else item['output'] = result.output;
    this.sink.emit({ type: failed ? 'response.mcp_call.failed' : 'response.mcp_call.completed', output_index: index, item_id: item.id });
    this.done(index);
  }

  /** Returns the approval request id. */
  approvalRequest(call: PendingApproval): string {
    const id = newId('mcpr');
    const index = this.add({ id, type: 'mcp_approval_request', arguments: call.arguments, name: call.tool, server_label: call.server });
    this.done(index);
    return id;
  }

  /** Returns the call_id the client answers with a function_call_output. */
  functionCall(name: string, args: string): string {
    const callId = newId('call');
    const item: OutputItemJson = { id: newId('fc'), type: 'function_call', status: 'in_progress', arguments: '', call_id: callId, name };
    const index = this.add(item);
    const progress = { output_index: index, item_id: item.id };
    this.sink.emit({ type: 'response.function_call_arguments.delta', ...progress, delta: args, obfuscation: '' });
    this.sink.emit({ type: 'response.function_call_arguments.done', ...progress, arguments: args });
    item['arguments'] = args;
    item['status'] = 'completed';
    this.done(index);
    return callId;
  }

  message(text: string): void {
    const item: OutputItemJson = { id: newId('msg'), type: 'message', status: 'in_progress', content: [], role: 'assistant' };
    const index = this.add(item);
    const at = { item_id: item.id, output_index: index, content_index: 0 };
    this.sink.emit({ type: 'response.content_part.added', ...at, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
    for (const delta of textChunks(text)) {
      this.sink.emit({ type: 'response.output_text.delta', ...at, delta, logprobs: [], obfuscation: '' });
    }
    this.sink.emit({ type: 'response.output_text.done', ...at, text, logprobs: [] });
    const part = { type: 'output_text', annotations: [], logprobs: [], text };
    this.sink.emit({ type: 'response.content_part.done', ...at, part });
    item['status'] = 'completed';
    item['content'] = [part];
    this.done(index);
  }
}

