/**
 * Floor (a): the plain hosted loop a competent user writes without Temporal — one `openai` client
 * for the whole process, one Responses call with both MCP servers as hosted tools. The API lists
 * the tools, calls them and answers in that one call. `stream: true` reads the same call as
 * server-sent events, as mcpflow's default does.
 */
import OpenAI from 'openai';
import { answerText, checkPlainCalls, MODEL, SEED_QUERY } from './scenario';
import type { ServicesInfo } from './services-main';

export function plainHostedLoop(services: ServicesInfo, options: { stream: boolean }): () => Promise<void> {
  const openai = new OpenAI({ baseURL: services.emulator.url, apiKey: 'mcpflow-bench', maxRetries: 0, timeout: 60_000 });
  const tools: OpenAI.Responses.Tool[] = [
    { type: 'mcp', server_label: 'weather', server_url: services.weather.url, require_approval: 'never' },
    { type: 'mcp', server_label: 'calendar', server_url: services.calendar.url, require_approval: 'never' },
  ];
  return async () => {
    let response: OpenAI.Responses.Response | undefined;
    if (options.stream) {
      const stream = await openai.responses.create({ model: MODEL, input: SEED_QUERY, tools, stream: true });
      for await (const event of stream) if (event.type === 'response.completed') response = event.response;
    } else {
      response = await openai.responses.create({ model: MODEL, input: SEED_QUERY, tools });
    }
    const calls = (response?.output ?? []).flatMap((item) => (item.type === 'mcp_call' && !item.error ? [`${item.server_label}.${item.name}`] : []));
    checkPlainCalls(calls, answerText(response), 'plain hosted loop');
  };
}
