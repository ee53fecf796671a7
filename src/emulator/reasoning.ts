/**
 * Reasoning models (the description: "gpt-5 and o-series models only"): what a request asks of
 * the reasoning (effort, summary, encrypted content), what the response echoes, and the checks
 * of reasoning items sent back as input. The "model" does not reason; it writes a short plan as
 * its summary and counts reasoning tokens by effort.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { CreateResponseRequest } from '../core/schemas';
import type { ContextItem, ItemLookup } from './context';
import { EmulatorApiError, invalidRequest } from './errors';

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';
export type ReasoningSummary = 'auto' | 'concise' | 'detailed';

/** The description's default effort (models released after gpt-5 may default lower; the emulator keeps one default). */
export const DEFAULT_REASONING_EFFORT: ReasoningEffort = 'medium';

/** Reasoning tokens one reasoning item costs at each effort, before its summary. */
export const REASONING_TOKENS_BY_EFFORT: Record<ReasoningEffort, number> = {
  none: 0,
  minimal: 16,
  low: 64,
  medium: 192,
  high: 512,
  xhigh: 1024,
  max: 2048,
};

/** What this request asks of the reasoning; null for a model that does not reason. */
export interface ReasoningPlan {
  effort: ReasoningEffort;
  summary: ReasoningSummary | null;
  /** `include: ['reasoning.encrypted_content']`. */
  encrypted: boolean;
}

/**
 * gpt-5 family (not the `-chat` models, which do not reason), the o-series (o1, o3, o3-mini,
 * o4-mini, ...) and codex-mini; dated snapshots of these too.
 */
export function isReasoningModel(model: string): boolean {
  const name = model.toLowerCase();
  if (/^o\d/.test(name)) return true;
  if (/^gpt-5/.test(name)) return !/-chat(-|$)/.test(name);
  return name.startsWith('codex-mini');
}

interface AskedReasoning {
  effort?: ReasoningEffort | null;
  summary?: ReasoningSummary | null;
  generate_summary?: ReasoningSummary | null;
}

/** Reads `reasoning` and `include`; a reasoning option on a model that does not reason is refused as the API does. */
export function reasoningPlanOf(request: CreateResponseRequest): ReasoningPlan | null {
  const asked = (request['reasoning'] ?? {}) as AskedReasoning;
  if (!isReasoningModel(request.model)) {
    for (const key of ['effort', 'summary', 'generate_summary'] as const) {
      if (asked[key] !== undefined && asked[key] !== null) throw unsupportedParameter(`reasoning.${key}`);
    }
    return null;
  }
  const include = Array.isArray(request['include']) ? (request['include'] as unknown[]) : [];
  return {
    effort: asked.effort ?? DEFAULT_REASONING_EFFORT,
    summary: asked.summary ?? asked.generate_summary ?? null,
    encrypted: include.includes('reasoning.encrypted_content'),
  };
}

/** What the response's `reasoning` field says: the effort in use (the default when not asked) and the summary asked. */
export function reasoningEcho(plan: ReasoningPlan | null): { effort: ReasoningEffort | null; summary: ReasoningSummary | null } {
  return plan ? { effort: plan.effort, summary: plan.summary } : { effort: null, summary: null };
}

function unsupportedParameter(param: string): EmulatorApiError {
  return invalidRequest(`Unsupported parameter: '${param}' is not supported with this model.`, param, 'unsupported_parameter');
}

/**
 * Seals and opens `encrypted_content`: AES-256-GCM under a key made when the emulator starts, so
 * it accepts back exactly what it issued (the API's blobs are opaque to the client too).
 */
export class ReasoningSeal {
  private readonly key = randomBytes(32);

  seal(payload: { id: string; summary: string }): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** Whether this emulator issued the text. */
  opens(text: string): boolean {
    try {
      const raw = Buffer.from(text, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'));
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Reasoning items of this request's input: one with `encrypted_content` must carry content this
 * emulator issued; a bare one (id only) must be an item of a stored response — the API keeps no
 * items of a `store: false` response, and says so.
 */
export function checkReasoningInputs(context: readonly ContextItem[], lookup: ItemLookup, seal: ReasoningSeal): void {
  for (const { item, inputIndex } of context) {
    if (inputIndex === null || item.type !== 'reasoning') continue;
    const id = String(item.id);
    const encrypted = item['encrypted_content'];
    if (typeof encrypted === 'string') {
      if (!seal.opens(encrypted)) {
        throw invalidRequest(
          `The encrypted content for item ${id} could not be verified. Reason: Encrypted content could not be decrypted or parsed.`,
          `input[${inputIndex}].encrypted_content`,
          'invalid_encrypted_content',
        );
      }
    } else if (!lookup(id)) {
      throw new EmulatorApiError(
        404,
        'invalid_request_error',
        `Item with id '${id}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`,
        'input',
        null,
      );
    }
  }
}
