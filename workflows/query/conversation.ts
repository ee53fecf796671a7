/**
 * How a run's turns are tied together. `stored`: each call names the previous response
 * (`previous_response_id`), the API keeps the conversation (30 days). `stateless`: the
 * workflow keeps every item in its own state (and so in its history) and sends them all back
 * with `store: false`; nothing is kept at OpenAI, and an approval may wait for months.
 */
import { patched } from '@temporalio/workflow';
import { carriedItem, defaultConversationMode, fitConversation, MAX_CARRIED_BYTES, type ConversationMode } from '../../src/core/conversation';
import type { InputItem } from '../../src/core/schemas';
import type { ResponsesCallResult } from '../../activities/responses';
import type { ParsedQueryInput } from '../messages';
import { isReasoningModel } from '../../src/core/model-options';
import { CONVERSATION_OPTION, REASONING_CARRIED } from '../patches';
import { QueryStop } from './stop';

/** What one turn sends besides its tools. */
export interface TurnConversation {
  input: string | InputItem[];
  previousResponseId: string | null;
  /** `false` in stateless mode; absent leaves the API's default (store). */
  store?: false;
  /** Stateless mode with a reasoning model: the reasoning comes back encrypted, to be carried to the next turn. */
  include?: 'reasoning.encrypted_content'[];
}

export class Conversation {
  private previousResponseId: string | null = null;
  /** Stateless mode: every item so far, unclipped (only what is sent is fitted to the budget). */
  private carried: InputItem[] = [];
  /** Tool outputs clipped in the last request, for the progress log. */
  lastClipped = 0;

  /**
   * `carryReasoning`: stateless turns ask for `reasoning.encrypted_content`, so that the reasoning
   * items come back and are sent with the next turn (after an approval too); without it a
   * reasoning model starts its thinking again at every turn. Stored mode needs nothing: the API
   * keeps the items behind `previous_response_id`.
   */
  constructor(
    readonly mode: ConversationMode,
    readonly carryReasoning = false,
  ) {}

  /** The mode of a run: runs recorded before the option existed replay as `stored`. */
  static of(options: ParsedQueryInput): Conversation {
    if (!patched(CONVERSATION_OPTION)) return new Conversation('stored');
    const mode = options.conversation ?? defaultConversationMode(options.approval_timeout_ms);
    // Asked only for runs it changes, so that other runs' histories stay as they were.
    const carryReasoning = mode === 'stateless' && isReasoningModel(options.model) && patched(REASONING_CARRIED);
    return new Conversation(mode, carryReasoning);
  }

  /** The next request, given its new input (the question, or the answers to the last turn). */
  turn(next: string | InputItem[]): TurnConversation {
    if (this.mode === 'stored') return { input: next, previousResponseId: this.previousResponseId };
    const fitted = fitConversation([...this.carried, ...asItems(next)]);
    if (fitted.bytes > MAX_CARRIED_BYTES) {
      // Scheduling it would fail the workflow task on Temporal's payload limit: end the run clearly instead.
      throw new QueryStop(
        `the conversation is ${fitted.bytes} bytes even with tool outputs clipped, over the ${MAX_CARRIED_BYTES}-byte budget for carried items; run with conversation "stored"`,
      );
    }
    this.lastClipped = fitted.clipped;
    return {
      input: fitted.items,
      previousResponseId: null,
      store: false,
      ...(this.carryReasoning ? { include: ['reasoning.encrypted_content' as const] } : {}),
    };
  }

  /** Remembers a turn that was answered: its new input and the response's output. */
  answered(next: string | InputItem[], response: ResponsesCallResult): void {
    this.previousResponseId = response.response_id;
    if (this.mode === 'stored') return;
    const output = response.output.map(carriedItem).filter((item): item is InputItem => item !== null);
    this.carried = [...this.carried, ...asItems(next), ...output];
  }
}

function asItems(next: string | InputItem[]): InputItem[] {
  return typeof next === 'string' ? [{ type: 'message', role: 'user', content: next }] : next;
}
