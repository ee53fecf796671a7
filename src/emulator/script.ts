import { z } from 'zod';
import type { CreateResponseRequest } from '../core/schemas';
import { invalidRequest, type EmulatorApiError } from './errors';
import { pinnedOrRealToday } from '../core/today';
import type { PlannedCall } from './planner';

/**
 * Tests script the model through `metadata.mcpflow_script`, a JSON string (the API limits a
 * metadata value to 512 characters), so requests keep the real API's shape. See README.md.
 */
export const SCRIPT_METADATA_KEY = 'mcpflow_script';
export const TODAY_METADATA_KEY = 'mcpflow_today';

/** Ten minutes: longer than any test should hold a response, short enough to end on its own. */
export const MAX_SCRIPT_DELAY_MS = 600_000;

export const ScriptedCallSchema = z.strictObject({
  /** server_label of an MCP tool; absent for a function tool. */
  server: z.string().min(1).optional(),
  tool: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()).default({}),
});

export const ModelScriptSchema = z.strictObject({
  /** Calls to make instead of the planner's choice; `[]` means answer without tools. */
  calls: z.array(ScriptedCallSchema).optional(),
  /** The final answer text, used verbatim instead of the composed one. */
  answer: z.string().optional(),
  /** How long the model "thinks" before its first item (after the listings): holds a response in progress. */
  delayMs: z.number().int().nonnegative().max(MAX_SCRIPT_DELAY_MS).optional(),
  /** How long it takes after the tool calls, before the answer (the calls have run by then). */
  answerDelayMs: z.number().int().nonnegative().max(MAX_SCRIPT_DELAY_MS).optional(),
});
export type ModelScript = z.infer<typeof ModelScriptSchema>;

/** Parses the script; a malformed one is the caller's mistake and becomes a 400 naming the key. */
export function parseScript(raw: string): { ok: true; script: ModelScript } | { ok: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, message: 'is not valid JSON' };
  }
  const parsed = ModelScriptSchema.safeParse(json);
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
  return { ok: true, script: parsed.data };
}

/** The request's script, if any; a malformed one is refused before the response starts. */
export function readScript(request: CreateResponseRequest): ModelScript | undefined {
  const raw = request.metadata?.[SCRIPT_METADATA_KEY];
  if (raw === undefined) return undefined;
  const parsed = parseScript(raw);
  if (!parsed.ok) throw invalidScriptError(parsed.message);
  return parsed.script;
}

/** A script that is malformed or names a tool the request does not offer: 400 naming the metadata key. */
export function invalidScriptError(problem: string): EmulatorApiError {
  const param = `metadata.${SCRIPT_METADATA_KEY}`;
  return invalidRequest(`Invalid '${param}': ${problem}.`, param, 'invalid_value');
}

/** The emulator's "today" when its starter names none: the demo servers' (src/core/today.ts). */
export const defaultToday = (): string => pinnedOrRealToday(process.env, new Date());

/**
 * What "today" means for relative dates: `metadata.mcpflow_today`, else the emulator's `today`
 * option (default: the date the demo servers use, the real date or MCPFLOW_DEMO_TODAY when a
 * test pins it), so the model asks the calendar for the same day the calendar calls today. An
 * unusable value falls back rather than failing.
 */
export function todayOf(request: CreateResponseRequest, today: () => string = defaultToday): string {
  const asked = request.metadata?.[TODAY_METADATA_KEY];
  return asked && /^\d{4}-\d{2}-\d{2}$/.test(asked) ? asked : today();
}

export function scriptedCalls(script: ModelScript): PlannedCall[] | undefined {
  return script.calls?.map((call) => ({
    kind: call.server ? 'mcp' : 'function',
    ...(call.server ? { server: call.server } : {}),
    tool: call.tool,
    arguments: call.arguments,
  }));
}
