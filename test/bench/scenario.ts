/**
 * The query every latency figure is about: the seed's, with both servers `require_approval:
 * "never"` — one answer that needs the weather and the calendar tool — and the checks that a
 * run really answered (a fast failure is not a result).
 */
import type OpenAI from 'openai';
import type { QueryResult } from '../../src/core/records';
import type { ServerConfigInput } from '../../src/core/servers';
import type { ServicesInfo } from './services-main';

export const SEED_QUERY = "What's the weather in London and do I have any meetings today?";
export const MODEL = 'gpt-4o-mini';
/** The tool calls the seed query makes, as `server.tool`. */
export const SEED_CALLS = ['calendar.list_events', 'weather.get_current_weather'];

export function seedServers(services: ServicesInfo, calendarApproval: 'never' | 'always' = 'never'): ServerConfigInput[] {
  return [
    { label: 'weather', url: services.weather.url, require_approval: 'never' },
    { label: 'calendar', url: services.calendar.url, require_approval: calendarApproval },
  ];
}

/** Throws unless the run succeeded with exactly the seed's two completed calls. */
export function checkSeedResult(result: QueryResult | null, what: string): void {
  const calls = (result?.tool_calls ?? []).map((call) => `${call.server}.${call.tool}:${call.status}`).sort();
  const expected = SEED_CALLS.map((call) => `${call}:completed`);
  if (!result?.success || JSON.stringify(calls) !== JSON.stringify(expected) || !result.text_response) {
    throw new Error(`${what}: unexpected result (success ${String(result?.success)}, calls ${JSON.stringify(calls)}, error ${String(result?.error)})`);
  }
}

/** Throws unless a plain loop made exactly the seed's two calls and has an answer. */
export function checkPlainCalls(calls: readonly string[], answer: string, what: string): void {
  if (JSON.stringify([...calls].sort()) !== JSON.stringify(SEED_CALLS) || !answer) {
    throw new Error(`${what}: unexpected calls ${JSON.stringify(calls)} (answer ${JSON.stringify(answer.slice(0, 80))})`);
  }
}

/** The text of a response's output messages (a streamed final response has no `output_text` helper). */
export function answerText(response: OpenAI.Responses.Response | undefined): string {
  return (response?.output ?? [])
    .flatMap((item) => (item.type === 'message' ? item.content : []))
    .map((part) => (part.type === 'output_text' ? part.text : ''))
    .join('');
}
