/**
 * The MCP SDK 2.x client on revision 2026-07-28 (the "modern" era), with the one thing it does
 * not know: a `tools/call` answered with a task (the tasks extension's `resultType: "task"`).
 * The SDK sends the `_meta` envelope, the standard headers (`MCP-Protocol-Version`,
 * `Mcp-Method`, `Mcp-Name`, `Mcp-Param-*`), reads JSON and SSE answers and hands back an
 * `InputRequiredResult` for the workflow to answer (manual multi-round input).
 */
import {
  Client,
  ProtocolError,
  StreamableHTTPClientTransport,
  type DiscoverResult,
  type JSONRPCErrorResponse,
  type JSONRPCResponse,
  type StreamableHTTPClientTransportOptions,
} from '@modelcontextprotocol/client';
import { PROTOCOL_2026, TASKS_EXTENSION } from './schema';

export interface RequestOptions {
  signal?: AbortSignal;
  /** The SDK's per-request timeout (ms); its own default is 60 s. */
  timeout?: number;
}

/** What mcpflow declares on every request: form and URL elicitation, the tasks extension. */
export const CLIENT_CAPABILITIES = {
  elicitation: { form: {}, url: {} },
  extensions: { [TASKS_EXTENSION]: {} },
};
const CLIENT_INFO = { name: 'mcpflow', version: '0.1.0' };

/** Largest answer read (a tools/list page or a tool result): beyond it the server is misbehaving. */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/**
 * Never on the wire: the code under which a task-shaped `tools/call` result is handed from the
 * response seam to the caller (the SDK rejects a `resultType` it does not know before any hook).
 */
const TASK_HANDOVER_CODE = -32_799;
const TASK_HANDOVER_KEY = 'mcpflow/createTaskResult';

/** The SDK client, taught that a `tools/call` may answer with a task. */
class TasksClient extends Client {
  // The SDK's documented seam for inbound responses: consume what is ours, pass the rest on.
  protected override _onresponse(response: JSONRPCResponse | JSONRPCErrorResponse): void {
    const result = 'result' in response ? (response.result as Record<string, unknown>) : undefined;
    if (result?.resultType !== 'task') return super._onresponse(response);
    super._onresponse({
      jsonrpc: '2.0',
      id: response.id,
      error: { code: TASK_HANDOVER_CODE, message: 'the server answered with a task', data: { [TASK_HANDOVER_KEY]: result } },
    });
  }
}

/**
 * The SDK turns an aborted request into its own timeout error: the abort's reason (the activity's
 * deadline, its cancellation) is what happened, so that is what the caller gets.
 */
export async function withAbortReason<T>(signal: AbortSignal | undefined, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}

/** The raw `CreateTaskResult` a request was answered with, when it was one. */
export function taskResultOf(error: unknown): Record<string, unknown> | undefined {
  if (!(error instanceof ProtocolError) || error.code !== TASK_HANDOVER_CODE) return undefined;
  const data = error.data as Record<string, unknown> | undefined;
  const result = data?.[TASK_HANDOVER_KEY];
  return typeof result === 'object' && result !== null ? (result as Record<string, unknown>) : undefined;
}

export interface ConnectionSettings {
  /** Extra headers of every request (configured headers, a static bearer token). */
  headers?: Record<string, string>;
  /** The destination-guarded fetch. */
  fetch?: typeof fetch;
  /** OAuth: the SDK transport asks it for the token before every request, and for a new one after a 401. */
  authProvider?: StreamableHTTPClientTransportOptions['authProvider'];
}

/** One server on 2026-07-28: an SDK client pinned to that revision (it never falls back by itself). */
export class Mcp2026Client {
  readonly sdk: Client;
  private readonly transport: StreamableHTTPClientTransport;

  constructor(
    readonly url: string,
    settings: ConnectionSettings = {},
  ) {
    this.sdk = new TasksClient(CLIENT_INFO, {
      capabilities: CLIENT_CAPABILITIES,
      versionNegotiation: { mode: { pin: PROTOCOL_2026 } },
      inputRequired: { autoFulfill: false },
    });
    this.transport = new StreamableHTTPClientTransport(new URL(url), {
      requestInit: settings.headers ? { headers: settings.headers } : undefined,
      fetch: limitedFetch(settings.fetch ?? fetch, MAX_RESPONSE_BYTES),
      authProvider: settings.authProvider,
    });
  }

  /** Probes with `server/discover` (rejects when the server does not speak 2026-07-28). */
  async probe(options: RequestOptions = {}): Promise<DiscoverResult> {
    const { signal } = options;
    signal?.throwIfAborted();
    // The SDK's probe does not watch the signal: closing the transport aborts its request.
    const onAbort = () => void this.transport.close().catch(() => undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await withAbortReason(signal, this.sdk.connect(this.transport, { timeout: options.timeout }));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    const discover = this.sdk.getDiscoverResult();
    if (!discover) throw new Error(`the MCP server at ${this.url} answered server/discover without a result`);
    return discover;
  }

  /** Adopts a remembered discovery result: no round trip. */
  async adopt(discover: DiscoverResult, options: RequestOptions = {}): Promise<void> {
    await this.sdk.connect(this.transport, { ...options, prior: { kind: 'modern', discover } });
  }

  async close(): Promise<void> {
    await this.sdk.close();
  }
}

/**
 * A fetch whose answers stop with an error past `max` bytes (the SDK reads whatever it is sent).
 * An SSE answer cut short carries no response, so its request fails at its timeout.
 */
function limitedFetch(inner: typeof fetch, max: number): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (!response.body) return response;
    // A declared length is what fetch reads at most: only an answer without one (SSE, chunked) is counted.
    const declared = response.headers.get('content-length');
    if (declared !== null && Number(declared) <= max) return response;
    if (declared !== null) {
      await response.body.cancel().catch(() => undefined);
      throw new Error(`the MCP server's answer is ${declared} bytes, more than ${max}`);
    }
    let read = 0;
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          read += chunk.byteLength;
          if (read > max) controller.error(new Error(`the MCP server's answer is more than ${max} bytes`));
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
