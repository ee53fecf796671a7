/** Shared test helpers: real MCP SDK 2.x clients over real HTTP against the demo servers. */
import { Client, StreamableHTTPClientTransport, type CallToolResult, type ClientOptions } from '@modelcontextprotocol/client';

/** `legacy` (the default): the 2025 initialize handshake; `modern`: 2026-07-28 only; `auto`: probe, then fall back. */
export type ClientEra = 'legacy' | 'modern' | 'auto';

function negotiation(era: ClientEra): ClientOptions['versionNegotiation'] {
  if (era === 'modern') return { mode: { pin: '2026-07-28' } };
  return era === 'auto' ? { mode: 'auto' } : undefined;
}

/** Opens MCP clients and closes them all at the end of a test file. */
export class ClientPool {
  private readonly clients: Client[] = [];

  async connect(url: string, era: ClientEra = 'legacy', options: ClientOptions = {}): Promise<Client> {
    const client = new Client({ name: 'demo-servers-test', version: '1.0.0' }, { ...options, versionNegotiation: negotiation(era) });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    this.clients.push(client);
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.close().catch(() => undefined)));
  }
}

/** Calls a tool. */
export async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return client.callTool({ name, arguments: args });
}

/** The text of a result's first content item. */
export function text(result: CallToolResult): string {
  const first = result.content[0];
  if (first?.type !== 'text') throw new Error(`expected text content, got ${JSON.stringify(result.content)}`);
  return first.text;
}

/** The JSON a successful demo tool returned (its text content parsed). */
export function json(result: CallToolResult): Record<string, unknown> {
  if (result.isError) throw new Error(`tool returned an error: ${text(result)}`);
  return JSON.parse(text(result)) as Record<string, unknown>;
}

/** A raw JSON-RPC POST to /mcp, for what the SDK client hides (status codes, headers). */
export async function rawPost(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}
