/**
 * The conversation the model reads: the items of the stored chain (`previous_response_id`) and
 * the request's input items, in order, with item references resolved. Everything the "model"
 * knows about earlier turns — listings, open approval requests and function calls, tool results
 * for the question at hand — is read from these items, so a conversation carried by the client
 * (`store: false`, input items only) and a stored one behave the same.
 */
import type { CreateResponseRequest, InputItem, McpCallError, McpListedTool } from '../core/schemas';
import type { PendingApproval, PendingFunctionCall, StoredResponse } from './conversations';
import { invalidRequest } from './errors';
import { callErrorTextForModel } from './mcp-calls';
import type { ToolOutcome } from './planner-answer';
import { textParts, type OutputItemJson } from './responses';

/** One item of the context; `inputIndex` is its position in this request's `input` (for a refusal's `param`). */
export interface ContextItem {
  item: OutputItemJson;
  inputIndex: number | null;
}

/** Looks an item up by id among the items of stored responses (for `item_reference`). */
export type ItemLookup = (id: string) => OutputItemJson | undefined;

/** The whole context of this request: the stored chain first, then the input. */
export function buildContext(request: CreateResponseRequest, previous: StoredResponse | undefined, lookup: ItemLookup): ContextItem[] {
  const earlier: ContextItem[] = (previous?.items ?? []).map((item) => ({ item, inputIndex: null }));
  const seen = new Set(earlier.map(({ item }) => item.id).filter((id): id is string => typeof id === 'string'));
  const input = request.input ?? [];
  const items: InputItem[] = typeof input === 'string' ? [{ type: 'message', role: 'user', content: input }] : input;
  const added = items.map((item, index): ContextItem => {
    const resolved = item.type === 'item_reference' ? resolveReference(item.id, index, lookup) : ({ ...item, type: item.type ?? 'message' } as OutputItemJson);
    // The API refuses an item sent twice in one context (e.g. an output of the previous response sent back with `previous_response_id`).
    if (typeof resolved.id === 'string' && seen.has(resolved.id)) {
      throw invalidRequest(`Duplicate item found with id ${resolved.id}. Remove duplicate items from your input and try again.`, 'input', null);
    }
    if (typeof resolved.id === 'string') seen.add(resolved.id);
    return { item: resolved, inputIndex: index };
  });
  return [...earlier, ...added];
}

function resolveReference(id: string, index: number, lookup: ItemLookup): OutputItemJson {
  const found = lookup(id);
  if (!found) throw invalidRequest(`Item with id '${id}' not found.`, `input[${index}]`, null);
  return found;
}

/** Items the model wrote (calls, listings, requests, its messages); everything else is the client's. */
export function isModelItem(item: OutputItemJson): boolean {
  if (item.type === 'message') return item['role'] === 'assistant';
  return !['mcp_approval_response', 'function_call_output', 'item_reference'].includes(item.type) && !item.type.endsWith('_output');
}

/** What the model knows when this turn starts. */
export interface ConversationView {
  /** The question at hand: the last user message(s). */
  question: string;
  /** The user wrote since the model's last item (or this is the first turn): the model plans new calls. */
  isNewQuestion: boolean;
  /** The client's items after the model's last one: approval answers and function outputs to act on now. */
  answers: ContextItem[];
  listedServers: Record<string, McpListedTool[]>;
  pendingApprovals: Record<string, PendingApproval>;
  pendingFunctionCalls: Record<string, PendingFunctionCall>;
  /** Tool results already gathered for the question at hand (before this turn). */
  outcomes: ToolOutcome[];
  /** The context before this turn's new items as the model reads it (JSON), for the usage estimate and the prompt cache. */
  contextText: string;
}

export function viewOf(context: readonly ContextItem[]): ConversationView {
  const items = context.map(({ item }) => item);
  const lastModel = findLastIndex(items, isModelItem);
  const history = items.slice(0, lastModel + 1);
  const trailing = context.slice(lastModel + 1);
  const questionStart = lastUserGroupStart(items);
  const trailingQuestion = trailing.some(({ item }) => isUserMessage(item));
  const isNewQuestion = trailingQuestion || lastModel === -1;
  return {
    question: questionStart === -1 ? '' : userText(items.slice(questionStart)),
    isNewQuestion,
    answers: trailing.filter(({ item }) => !isMessage(item)),
    listedServers: listings(items),
    ...openRequests(history),
    outcomes: isNewQuestion || questionStart === -1 ? [] : outcomesOf(history.slice(questionStart)),
    contextText: JSON.stringify(history),
  };
}

function findLastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index--) if (test(items[index] as T)) return index;
  return -1;
}

function isMessage(item: OutputItemJson): boolean {
  return item.type === 'message';
}

function isUserMessage(item: OutputItemJson): boolean {
  return item.type === 'message' && item['role'] === 'user';
}

/** Where the last run of user messages begins (system/developer messages may sit among them). */
function lastUserGroupStart(items: readonly OutputItemJson[]): number {
  let start = findLastIndex(items, isUserMessage);
  if (start === -1) return -1;
  while (start > 0 && isMessage(items[start - 1] as OutputItemJson) && items[start - 1]?.['role'] !== 'assistant') start--;
  return start;
}

/** The text of the user messages in these items, up to the model's first item. */
function userText(items: readonly OutputItemJson[]): string {
  const texts: string[] = [];
  for (const item of items) {
    if (isModelItem(item)) break;
    if (!isUserMessage(item)) continue;
    const content = item['content'];
    texts.push(typeof content === 'string' ? content : textParts(content).join(''));
  }
  return texts.join('\n').trim();
}

function listings(items: readonly OutputItemJson[]): Record<string, McpListedTool[]> {
  const listed: Record<string, McpListedTool[]> = {};
  for (const item of items) {
    if (item.type === 'mcp_list_tools' && !item['error']) listed[String(item['server_label'])] = item['tools'] as McpListedTool[];
  }
  return listed;
}

/** Approval requests and function calls of the model that no later item of the client answered. */
function openRequests(history: readonly OutputItemJson[]): Pick<ConversationView, 'pendingApprovals' | 'pendingFunctionCalls'> {
  const pendingApprovals: Record<string, PendingApproval> = {};
  const pendingFunctionCalls: Record<string, PendingFunctionCall> = {};
  for (const item of history) {
    if (item.type === 'mcp_approval_request') {
      pendingApprovals[String(item.id)] = { server: String(item['server_label']), tool: String(item['name']), arguments: String(item['arguments']) };
    } else if (item.type === 'mcp_approval_response') {
      delete pendingApprovals[String(item['approval_request_id'])];
    } else if (item.type === 'mcp_call' && typeof item['approval_request_id'] === 'string') {
      delete pendingApprovals[item['approval_request_id']];
    } else if (item.type === 'function_call') {
      pendingFunctionCalls[String(item['call_id'])] = { tool: String(item['name']), arguments: String(item['arguments']) };
    } else if (item.type === 'function_call_output') {
      delete pendingFunctionCalls[String(item['call_id'])];
    }
  }
  return { pendingApprovals, pendingFunctionCalls };
}

/**
 * Tool results in these items, in the order the model met them: an approved call counts where
 * its approval answer stands (as when the answer arrived), a denial as a denied outcome.
 */
function outcomesOf(items: readonly OutputItemJson[]): ToolOutcome[] {
  const requests = new Map(items.filter((item) => item.type === 'mcp_approval_request').map((item) => [String(item.id), item]));
  const approvedCalls = new Map(
    items.filter((item) => item.type === 'mcp_call' && item['approval_request_id']).map((item) => [String(item['approval_request_id']), item]),
  );
  const functionNames = new Map(items.filter((item) => item.type === 'function_call').map((item) => [String(item['call_id']), String(item['name'])]));
  const outcomes: ToolOutcome[] = [];
  for (const item of items) {
    if (item.type === 'mcp_call' && !item['approval_request_id']) outcomes.push(mcpOutcome(item));
    else if (item.type === 'function_call_output') {
      outcomes.push({
        kind: 'function',
        tool: functionNames.get(String(item['call_id'])) ?? String(item['call_id']),
        status: 'ok',
        output: functionOutputText(item['output']),
      });
    } else if (item.type === 'mcp_approval_response') {
      const id = String(item['approval_request_id']);
      const call = approvedCalls.get(id);
      if (item['approve'] === true && call) outcomes.push(mcpOutcome(call));
      const request = requests.get(id);
      if (item['approve'] === false && request) {
        const reason = typeof item['reason'] === 'string' ? item['reason'] : null;
        outcomes.push({ kind: 'mcp', server: String(request['server_label']), tool: String(request['name']), status: 'denied', reason });
      }
    }
  }
  return outcomes;
}

function mcpOutcome(item: OutputItemJson): ToolOutcome {
  const called = { kind: 'mcp', server: String(item['server_label']), tool: String(item['name']) } as const;
  const error = item['error'] as McpCallError | null | undefined;
  if (error) return { ...called, status: 'error', error: typeof error === 'string' ? error : callErrorTextForModel(error) };
  return { ...called, status: 'ok', output: typeof item['output'] === 'string' ? item['output'] : '' };
}

/** A function output as text: a string, or the text of its parts. */
export function functionOutputText(output: unknown): string {
  return typeof output === 'string' ? output : textParts(output).join('');
}
