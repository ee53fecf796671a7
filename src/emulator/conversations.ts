import type { BackgroundRun } from './background';
import type { OutputItemJson, ResponseJson } from './responses';

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

/** A stored response with its whole context (the chain's items, this request's input, its output), for follow-ups. */
export interface StoredResponse {
  response: ResponseJson;
  items: OutputItemJson[];
  /** A background response's run: its numbered events (to resume a stream) and how to cancel it. */
  background?: BackgroundRun;
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

  /** An item of a stored response (input or output) by its id, newest response first: what `item_reference` points at. */
  findItem(id: string): OutputItemJson | undefined {
    for (const entry of [...this.entries.values()].reverse()) {
      const found = entry.items.find((item) => item.id === id);
      if (found) return found;
    }
    return undefined;
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
