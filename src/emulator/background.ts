/**
 * Background mode (`background: true`, which needs `store`): the response is stored from its
 * first event (`queued`) and kept up to date as the turn runs, so `GET /v1/responses/{id}` shows
 * it `queued`, `in_progress` and then as it ended. The turn runs once, to its end, whoever
 * listens: a streamed client may go away and come back with `GET ?stream=true&starting_after=N`
 * (the events are numbered here and kept with the response), a plain one gets the response at
 * once, `queued`, and polls. `POST /v1/responses/{id}/cancel` stops the turn at its next step.
 */
import type { StoredResponse } from './conversations';
import type { OutputItemJson, ResponseJson } from './responses';
import type { EventSink, StreamEventBody } from './stream';

/** An event with its place in the response's stream. */
export type NumberedEvent = StreamEventBody & { sequence_number: number };

/** Someone reading the events live: a streamed request, or a resumed stream. */
export interface EventListener {
  event(event: NumberedEvent): void;
  /** The response ended (completed, failed or cancelled): no event will follow. */
  end(): void;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'incomplete']);

/** One background response: its stored entry, its numbered events, who listens, and how to stop it. */
export class BackgroundRun implements EventSink {
  readonly stored: StoredResponse;
  readonly events: NumberedEvent[] = [];
  private readonly listeners = new Set<EventListener>();
  private readonly controller = new AbortController();

  /** `context`: the items before this response's output, kept with a cancelled response for follow-ups. */
  constructor(
    initial: ResponseJson,
    private readonly context: OutputItemJson[],
  ) {
    this.stored = { response: initial, items: [], background: this };
  }

  /** Aborted on cancel (and when the emulator closes): the turn stops at its next step. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get ended(): boolean {
    return TERMINAL.has(this.stored.response.status);
  }

  emit(event: StreamEventBody): void {
    // A call that was in flight when the response was cancelled changes nothing any more.
    if (this.stored.response.status === 'cancelled') return;
    const { type, ...rest } = event;
    const numbered: NumberedEvent = { type, sequence_number: this.events.length, ...rest };
    this.events.push(numbered);
    this.apply(numbered);
    for (const listener of this.listeners) listener.event(numbered);
  }

  /** Replays the events after `startingAfter` (all when absent), then follows the live ones until the end. */
  follow(listener: EventListener, startingAfter: number | undefined): void {
    for (const event of this.events) if (startingAfter === undefined || event.sequence_number > startingAfter) listener.event(event);
    if (this.ended) listener.end();
    else this.listeners.add(listener);
  }

  unfollow(listener: EventListener): void {
    this.listeners.delete(listener);
  }

  /** The turn ended: the stored entry becomes the whole response with its context, for follow-ups. */
  finish(final: StoredResponse): void {
    if (this.stored.response.status === 'cancelled') return;
    this.stored.response = final.response;
    this.stored.items = final.items;
    this.close();
  }

  /** The turn failed after it began: stored as failed, as the API reports a background run that broke. */
  fail(message: string): void {
    if (this.ended) return;
    this.emit({ type: 'error', code: 'server_error', message, param: null });
    this.stored.response = { ...this.stored.response, status: 'failed', error: { code: 'server_error', message } };
    this.close();
  }

  /**
   * Cancels a queued or running response: status `cancelled`, its output as far as it got, no
   * usage. An ended response is left as it is (cancelling is idempotent).
   */
  cancel(): ResponseJson {
    if (!this.ended) {
      this.stored.response = { ...this.stored.response, status: 'cancelled', usage: null };
      this.stored.items = [...this.context, ...this.stored.response.output];
      this.controller.abort(new Error('cancelled'));
      this.close();
    }
    return this.stored.response;
  }

  /** The emulator closes: stop the turn without touching what is stored. */
  abort(): void {
    this.controller.abort(new Error('emulator closed'));
    this.close();
  }

  private close(): void {
    for (const listener of this.listeners) listener.end();
    this.listeners.clear();
  }

  private apply(event: NumberedEvent): void {
    const response = this.stored.response;
    switch (event.type) {
      case 'response.created':
      case 'response.queued':
      case 'response.in_progress':
      case 'response.completed':
        this.stored.response = event['response'] as ResponseJson;
        return;
      case 'response.output_item.added':
      case 'response.output_item.done': {
        const index = event['output_index'];
        if (typeof index === 'number') response.output[index] = event['item'] as OutputItemJson;
        return;
      }
      default:
        return;
    }
  }
}

/** The background runs still going, so that closing or resetting the emulator stops their timers. */
export class BackgroundRuns {
  private readonly running = new Set<BackgroundRun>();

  track(run: BackgroundRun, done: Promise<unknown>): void {
    this.running.add(run);
    void done.finally(() => this.running.delete(run));
  }

  abortAll(): void {
    for (const run of this.running) run.abort();
    this.running.clear();
  }
}
