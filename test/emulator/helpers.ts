import OpenAI from 'openai';
import type { EmulatorHandle } from '../../src/emulator';

export function clientFor(emulator: EmulatorHandle, apiKey = 'test'): OpenAI {
  return new OpenAI({ baseURL: emulator.url, apiKey, maxRetries: 0 });
}

export interface SseEvent {
  event: string;
  data: Record<string, unknown> & { type: string; sequence_number: number };
}

/** Sends a raw request and returns the parsed server-sent events (to check the wire format itself). */
export async function postStream(emulator: EmulatorHandle, body: unknown): Promise<{ status: number; contentType: string | null; events: SseEvent[] }> {
  const response = await fetch(`${emulator.url}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const events: SseEvent[] = [];
  for (const block of text.split('\n\n')) {
    if (!block.trim()) continue;
    const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
    const data = /^data: (.*)$/m.exec(block)?.[1] ?? 'null';
    events.push({ event, data: JSON.parse(data) as SseEvent['data'] });
  }
  return { status: response.status, contentType: response.headers.get('content-type'), events };
}

export async function postJson(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer test', ...headers }, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Left as text: the caller's assertion will show it.
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** Event types with runs of text deltas collapsed, to compare sequences of different lengths. */
export function collapseDeltas(types: readonly string[]): string[] {
  return types.filter((type, index) => !(type === 'response.output_text.delta' && types[index - 1] === type));
}

/** Rejects when an awaited promise does not reject, returning the error to inspect. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}
