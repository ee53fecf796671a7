/**
 * Background mode (`background: true`, which needs `store`): the response is stored from its
 * first event and kept up to date as the turn runs, so `GET /v1/responses/{id}` shows it
 * `in_progress` and then as it ended; the turn runs to its end whether or not the client that
 * asked is still there (a streamed client may go away; a non-streamed one gets the response at
 * once, `queued`). This is the API's way to survive a client that disconnects: without
 * background mode the emulator makes no promise about a stream cut off half-way.
 */
import type { StoredResponse } from './conversations';
import type { OutputItemJson, ResponseJson } from './responses';
import type { EventSink, StreamEventBody } from './stream';

/** Follows a turn's events into a stored response; forwards each event to the client's sink while it listens. */
export class BackgroundTracker implements EventSink {
  readonly stored: StoredResponse;

  constructor(
    private readonly client: EventSink,
    onCreated: (stored: StoredResponse) => void,
    initial: ResponseJson,
  ) {
    this.stored = { response: initial, items: [] };
    onCreated(this.stored);
  }

  emit(event: StreamEventBody): void {
    this.apply(event);
    // Writing to a client that went away is harmless (the socket ignores it); the turn goes on.
    this.client.emit(event);
  }

  /** The turn ended: the stored entry becomes the whole response with its context, for follow-ups. */
  finish(final: StoredResponse): void {
    this.stored.response = final.response;
    this.stored.items = final.items;
  }

  /** The turn failed after it began: stored as failed, as the API reports a background run that broke. */
  fail(message: string): void {
    this.stored.response = { ...this.stored.response, status: 'failed', error: { code: 'server_error', message } };
  }

  private apply(event: StreamEventBody): void {
    const response = this.stored.response;
    switch (event.type) {
      case 'response.created':
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
