import type { McpListedTool } from '../core/schemas';
import type { ToolOutcome } from './planner-answer';
import type { ResponseJson } from './responses';

export interface PendingApproval {
  server: string;
  tool: string;
  /** JSON string, as in the approval request item. */
  arguments: string;
}

export interface PendingFunctionCall {
  tool: string;
  arguments: string;
}

/** What the "model" remembers after a response, for a follow-up with `previous_response_id`. */
export interface ConversationState {
  /** The user question being worked on. */
  question: string;
  /** server_label → tools listed earlier in this conversation (not listed again while in context). */
  listedServers: Record<string, McpListedTool[]>;
  pendingApprovals: Record<string, PendingApproval>;
  pendingFunctionCalls: Record<string, PendingFunctionCall>;
  /** Tool results gathered for the current question. */
  outcomes: ToolOutcome[];
  /** Characters of context so far, for the usage estimate of the next turn. */
  contextChars: number;
}

export function emptyConversation(): ConversationState {
  return { question: '', listedServers: {}, pendingApprovals: {}, pendingFunctionCalls: {}, outcomes: [], contextChars: 0 };
}

export interface StoredResponse {
  response: ResponseJson;
  state: ConversationState;
}

export const DEFAULT_MAX_CONVERSATIONS = 1000;

/** Responses kept in memory, least recently used dropped first, so a long demo cannot grow forever. */
export class ConversationStore {
  private readonly entries = new Map<string, StoredResponse>();

  constructor(private readonly maxEntries: number = DEFAULT_MAX_CONVERSATIONS) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxConversations must be a positive integer');
  }

  get(id: string): StoredResponse | undefined {
    const entry = this.entries.get(id);
    if (entry) {
      // Map keeps insertion order: re-inserting marks the entry as recently used.
      this.entries.delete(id);
      this.entries.set(id, entry);
    }
    return entry;
  }

  set(id: string, entry: StoredResponse): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  delete(id: string): boolean {
    return this.entries.delete(id);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
