/**
 * `mcpflow mcp-server --stdio`: the SDK's `serveStdio` (it picks the era from the opening
 * exchange: 2026-07-28, or 2025-11-25 after `initialize`) over a stdio transport that answers the
 * tasks extension's methods itself (./task-methods.ts), since the SDK does not serve them.
 * A local process of the user's: no token.
 */
import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { PROTOCOL_VERSION_META_KEY, type JSONRPCMessage, type Transport, type TransportSendOptions } from '@modelcontextprotocol/server';
import type { McpServerOptions } from './options';
import { answerTaskMethod, TASK_METHODS } from './task-methods';
import { buildMcpServer } from './tools';

type Request = { jsonrpc: '2.0'; id: string | number; method: string; params?: Record<string, unknown> };

function taskRequest(message: JSONRPCMessage): Request | undefined {
  const candidate = message as Partial<Request>;
  if (typeof candidate.method !== 'string' || candidate.id === undefined || !TASK_METHODS.includes(candidate.method)) return undefined;
  // Only on the modern era: a request carrying the revision's envelope.
  const meta = candidate.params?._meta as Record<string, unknown> | undefined;
  return meta?.[PROTOCOL_VERSION_META_KEY] === undefined ? undefined : (candidate as Request);
}

/** A transport that takes the tasks extension's requests off the stream and answers them. */
class TasksTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];

  constructor(
    private readonly inner: Transport,
    private readonly options: McpServerOptions,
  ) {}

  async start(): Promise<void> {
    this.inner.onclose = () => this.onclose?.();
    this.inner.onerror = (error) => this.onerror?.(error);
    this.inner.onmessage = (message, extra) => {
      const request = taskRequest(message);
      if (!request) return this.onmessage?.(message, extra);
      void answerTaskMethod(request.method, request.params ?? {}, this.options).then(
        (answer) =>
          this.inner.send({ jsonrpc: '2.0', id: request.id, ...('error' in answer ? { error: answer.error } : { result: answer.result }) } as JSONRPCMessage),
        (error: unknown) => this.onerror?.(error as Error),
      );
    };
    await this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export function serveMcpStdio(options: McpServerOptions): { close(): Promise<void>; closed: Promise<void> } {
  let onClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (onClosed = resolve));
  const transport = new TasksTransport(new StdioServerTransport(), options);
  const handle = serveStdio(({ era }) => buildMcpServer(options, era), {
    transport,
    onerror: (error) => process.stderr.write(`mcp-server: ${error.message}\n`),
  });
  process.stdin.once('end', onClosed);
  return { close: () => handle.close(), closed };
}
