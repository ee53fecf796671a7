/**
 * Floor (c): the plain direct loop a competent user writes without Temporal — one `openai` client
 * and one MCP SDK client per server, connected once and reused. Per query, as mcpflow's direct
 * mode does for a query without a cached catalog: `tools/list` on every server, a Responses call
 * with the tools as function tools, the function calls run with `tools/call` (in parallel), and a
 * second Responses call with their outputs (previous_response_id).
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import OpenAI from 'openai';
import { answerText, checkPlainCalls, MODEL, SEED_QUERY } from './scenario';
import type { ServicesInfo } from './services-main';

interface Bound {
  server: string;
  client: Client;
  tool: string;
}

const MAX_TURNS = 10;

export interface PlainDirectLoop {
  run: () => Promise<void>;
  close(): Promise<void>;
}

export async function plainDirectLoop(services: ServicesInfo): Promise<PlainDirectLoop> {
  const openai = new OpenAI({ baseURL: services.emulator.url, apiKey: 'mcpflow-bench', maxRetries: 0, timeout: 60_000 });
  const servers = [
    { label: 'weather', url: services.weather.url },
    { label: 'calendar', url: services.calendar.url },
  ];
  const connections = await Promise.all(
    servers.map(async ({ label, url }) => {
      const client = new Client({ name: 'plain-loop', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      return { label, client };
    }),
  );

  const run = async () => {
    const bound = new Map<string, Bound>();
    const tools: OpenAI.Responses.FunctionTool[] = [];
    const listings = await Promise.all(connections.map(async ({ label, client }) => ({ label, client, tools: (await client.listTools()).tools })));
    for (const { label, client, tools: listed } of listings) {
      for (const tool of listed) {
        const name = `${label}__${tool.name}`;
        bound.set(name, { server: label, client, tool: tool.name });
        tools.push({ type: 'function', name, description: tool.description ?? null, parameters: tool.inputSchema as Record<string, unknown>, strict: false });
      }
    }
    const calls: string[] = [];
    let response = await openai.responses.create({ model: MODEL, input: SEED_QUERY, tools });
    for (let turn = 1; turn < MAX_TURNS; turn++) {
      const requested = response.output.filter((item) => item.type === 'function_call');
      if (!requested.length) break;
      const outputs = await Promise.all(
        requested.map(async (call): Promise<OpenAI.Responses.ResponseInputItem.FunctionCallOutput> => {
          const target = bound.get(call.name);
          if (!target) throw new Error(`plain direct loop: the model called an unknown function ${call.name}`);
          const result = await target.client.callTool({ name: target.tool, arguments: JSON.parse(call.arguments) as Record<string, unknown> });
          calls.push(`${target.server}.${target.tool}`);
          const content = Array.isArray(result.content) ? (result.content as Array<{ type: string; text?: string }>) : [];
          return { type: 'function_call_output', call_id: call.call_id, output: content.map((part) => part.text ?? '').join('\n') };
        }),
      );
      response = await openai.responses.create({ model: MODEL, input: outputs, previous_response_id: response.id, tools });
    }
    checkPlainCalls(calls, answerText(response), 'plain direct loop');
  };

  return { run, close: async () => void (await Promise.all(connections.map(({ client }) => client.close()))) };
}
