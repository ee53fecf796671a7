import type { ServerResponse } from 'node:http';
import { BackgroundRun, type BackgroundRuns } from './background';
import type { ConversationStore, StoredResponse } from './conversations';
import { invalidRequest } from './errors';
import type { McpBridge } from './mcp-bridge';
import type { PreparedTurn, TurnHooks } from './prepared-turn';
import { inProgressResponse, type ResponseJson } from './responses';
import { runTurn } from './run-turn';
import { SseWriter } from './stream';

/** What the background routes share with the server. */
export interface BackgroundContext {
  conversations: ConversationStore;
  runs: BackgroundRuns;
  hooks: TurnHooks;
  /** How long a background response stays `queued`. */
  queueMs: number;
  /** The turn completed (counted as a created response, stored again as the most recent). */
  onCompleted(stored: StoredResponse): void;
  sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void;
}

/**
 * Starts a background response: stored at once (`queued`), run to its end whether the client
 * stays or not. A streamed request gets the numbered events while it listens; a plain one gets
 * the response at once, `queued`, and polls `GET /v1/responses/{id}`.
 */
export async function startBackground(
  ctx: BackgroundContext,
  prepared: PreparedTurn,
  bridge: McpBridge,
  res: ServerResponse,
  headers: Record<string, string>,
  stream: boolean,
): Promise<void> {
  const run = new BackgroundRun(
    { ...inProgressResponse(prepared), status: 'queued' },
    prepared.context.map(({ item }) => item),
  );
  ctx.conversations.set(run.stored.response.id, run.stored);
  const done = runTurn(prepared, bridge, run, ctx.hooks, { signal: run.signal, queueMs: ctx.queueMs })
    .then(
      (stored) => {
        run.finish(stored);
        if (run.stored.response.status === 'completed') ctx.onCompleted(run.stored);
      },
      (error: unknown) => {
        // A cancelled (or closed-down) turn stops on purpose; anything else is a failure to report.
        if (!run.signal.aborted) run.fail(String(error));
      },
    )
    .finally(() => bridge.closeAll());
  ctx.runs.track(run, done);
  if (stream) return streamEvents(run, res, headers, undefined);
  ctx.sendJson(res, 200, run.stored.response, headers);
}

/** `GET /v1/responses/{id}?stream=true&starting_after=N`: the events after N, then the live ones. */
export function resumeStream(stored: StoredResponse, res: ServerResponse, headers: Record<string, string>, query: URLSearchParams): Promise<void> {
  const run = stored.background;
  if (!run) throw invalidRequest(`Response with id '${stored.response.id}' was not created with background=true and cannot be streamed.`, 'stream');
  return streamEvents(run, res, headers, startingAfterOf(query));
}

/** `POST /v1/responses/{id}/cancel`: only a background response; an ended one is returned as it is. */
export function cancelResponse(stored: StoredResponse): ResponseJson {
  if (!stored.background) throw invalidRequest('Cannot cancel a synchronous response.');
  return stored.background.cancel();
}

function startingAfterOf(query: URLSearchParams): number | undefined {
  const raw = query.get('starting_after');
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw))
    throw invalidRequest(`Invalid type for 'starting_after': expected an integer, but got a string instead.`, 'starting_after', 'invalid_type');
  return Number(raw);
}

/** Writes the run's events to one client until the response ends or the client goes away. */
function streamEvents(run: BackgroundRun, res: ServerResponse, headers: Record<string, string>, startingAfter: number | undefined): Promise<void> {
  const writer = new SseWriter(res);
  writer.start(headers);
  return new Promise<void>((resolve) => {
    const listener = {
      event: (event: Parameters<SseWriter['send']>[0]) => writer.send(event),
      end: () => {
        writer.end();
        resolve();
      },
    };
    res.once('close', () => {
      run.unfollow(listener);
      resolve();
    });
    run.follow(listener, startingAfter);
  });
}
