/**
 * A conversation carried by the workflow (`conversation: "stateless"`): the items of every turn
 * so far, sent back as input with `store: false` instead of `previous_response_id`. The
 * workflow history is the durable store, so an approval may wait longer than the API keeps
 * responses (30 days), and organisations that must not store responses can run mcpflow.
 *
 * The items travel in each Responses activity's input, so they count toward Temporal's 2 MiB
 * payload limit: `fitConversation` keeps them under a byte budget. A reasoning model's encrypted
 * reasoning items of older turns go first (oldest first; the newest is kept): they help the
 * model's continuity, while tool outputs are facts. Then the outputs of older tool calls are
 * clipped. No other item is dropped (an approval answer without its request, or a function output
 * without its call, is a request the API refuses).
 */
import { z } from 'zod';
import type { InputItem, OutputItem } from './schemas';

export const ConversationModeSchema = z.enum(['stored', 'stateless']);
export type ConversationMode = z.infer<typeof ConversationModeSchema>;

/** How long the API keeps stored responses (and so `previous_response_id` works). */
export const API_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Bytes of carried items per Responses call. Half of the 2 MiB payload limit leaves room for the
 * rest of the input; 50 turns (the step limit) at most add 25 MiB to a history (limit 50 MiB).
 */
export const MAX_CARRIED_BYTES = 512 * 1024;
/** What an older tool output is clipped to first; then every tool output is clipped to the last size. */
const CLIP_STEPS = [2_000, 200];

/** The default: carry the conversation when an approval may outlast the API's retention. */
export function defaultConversationMode(approvalTimeoutMs: number | undefined): ConversationMode {
  return approvalTimeoutMs === undefined || approvalTimeoutMs > API_RETENTION_MS ? 'stateless' : 'stored';
}

/** An output item as the next request's input; items the API cannot take back without server state are left out. */
export function carriedItem(item: OutputItem): InputItem | null {
  switch (item.type) {
    case 'mcp_list_tools':
    case 'mcp_call':
    case 'mcp_approval_request':
    case 'function_call':
      return item;
    case 'message':
      return { type: 'message', id: item.id, role: 'assistant', status: item.status, content: item.content };
    case 'mcp_approval_response':
      return item;
    case 'reasoning': {
      // Without its encrypted content a reasoning item refers to a stored one, which `store: false` does not keep.
      const reasoning = item as Record<string, unknown>;
      if (typeof reasoning['encrypted_content'] !== 'string' || typeof reasoning['id'] !== 'string' || !Array.isArray(reasoning['summary'])) return null;
      return {
        type: 'reasoning',
        id: reasoning['id'],
        summary: reasoning['summary'] as { type: 'summary_text'; text: string }[],
        encrypted_content: reasoning['encrypted_content'],
      };
    }
    default:
      // Hosted tools mcpflow does not configure (web search, ...) cannot appear; if one does, it is left out.
      return null;
  }
}

/** UTF-8 length of a string, without TextEncoder (workflow code stays free of host APIs). */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      index++;
    } else bytes += 3;
  }
  return bytes;
}

export interface FittedConversation {
  items: InputItem[];
  bytes: number;
  /** Tool outputs clipped to fit (0 when the conversation fit as it was). */
  clipped: number;
  /** Reasoning items of older turns left out to fit. */
  droppedReasoning: number;
}

/**
 * The items, under `budget` bytes of JSON: tool outputs (`mcp_call.output`,
 * `function_call_output.output`) of all but the newest `keepLatest` items are clipped first,
 * then every one, then the descriptions of listed tools. The newest items are what the model
 * must answer now, so they go last. The result may still be over the budget: the caller stops.
 */
export function fitConversation(items: readonly InputItem[], budget = MAX_CARRIED_BYTES, keepLatest = 1): FittedConversation {
  let current = [...items];
  let bytes = utf8Bytes(JSON.stringify(current));
  let droppedReasoning = 0;
  if (bytes > budget) ({ items: current, bytes, dropped: droppedReasoning } = dropOlderReasoning(current, bytes, budget));
  let clipped = 0;
  for (const limit of CLIP_STEPS) {
    for (const scope of [current.length - keepLatest, current.length]) {
      if (bytes <= budget) return { items: current, bytes, clipped, droppedReasoning };
      const result = clipOutputs(current, Math.max(0, scope), limit);
      current = result.items;
      clipped += result.clipped;
      bytes = utf8Bytes(JSON.stringify(current));
    }
  }
  if (bytes > budget) {
    // Last resort: listings without tool descriptions (names and schemas are what calls need).
    current = current.map((item) => (item.type === 'mcp_list_tools' ? { ...item, tools: item.tools.map((tool) => ({ ...tool, description: null })) } : item));
    bytes = utf8Bytes(JSON.stringify(current));
  }
  return { items: current, bytes, clipped, droppedReasoning };
}

/**
 * Reasoning items, oldest first, until the items fit; the newest reasoning item stays (it is the
 * model's thinking about what it is answering now). Items without encrypted content are never
 * carried (see carriedItem), so conversations of other models are untouched.
 */
export function dropOlderReasoning(items: readonly InputItem[], bytes: number, budget: number): { items: InputItem[]; bytes: number; dropped: number } {
  const reasoning = items.flatMap((item, index) => (item.type === 'reasoning' ? [index] : []));
  const drop = new Set<number>();
  for (const index of reasoning.slice(0, -1)) {
    if (bytes <= budget) break;
    drop.add(index);
    // The item and the comma that separated it.
    bytes -= utf8Bytes(JSON.stringify(items[index])) + 1;
  }
  if (!drop.size) return { items: [...items], bytes, dropped: 0 };
  const kept = items.filter((_, index) => !drop.has(index));
  return { items: kept, bytes: utf8Bytes(JSON.stringify(kept)), dropped: drop.size };
}

function clipOutputs(items: readonly InputItem[], count: number, limit: number): { items: InputItem[]; clipped: number } {
  let clipped = 0;
  const clip = (text: string): string => {
    if (text.length <= limit) return text;
    clipped++;
    return `${text.slice(0, limit)}\n[mcpflow: cut at ${limit} of ${text.length} characters to keep the conversation under ${MAX_CARRIED_BYTES} bytes]`;
  };
  const result = items.map((item, index): InputItem => {
    if (index >= count) return item;
    if (item.type === 'mcp_call' && typeof item.output === 'string') return { ...item, output: clip(item.output) };
    if (item.type === 'function_call_output' && typeof item.output === 'string') return { ...item, output: clip(item.output) };
    return item;
  });
  return { items: result, clipped };
}
