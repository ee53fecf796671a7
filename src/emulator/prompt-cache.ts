import { createHash } from 'node:crypto';

/** The API caches prompts of at least 1,024 tokens, and counts hits in steps of 128 tokens. */
export const MIN_CACHED_TOKENS = 1024;
export const CACHE_BLOCK_TOKENS = 128;
/** Tokens are estimated at four characters each (responses.ts), so a block is 512 characters. */
const BLOCK_CHARS = CACHE_BLOCK_TOKENS * 4;
export const DEFAULT_PROMPT_CACHE_BLOCKS = 50_000;

/**
 * Prompt caching: a prompt is cut into blocks of 128 tokens, each named by a hash of everything
 * up to its end, so a block matches only when the whole prefix before it matches. A request's
 * cached tokens are its leading blocks already seen under the same `prompt_cache_key` (no key is
 * a key of its own, as the API caches without one too), when they make 1,024 tokens or more.
 * Bounded: the least recently used blocks are dropped past `maxBlocks`.
 */
export class PromptCache {
  private readonly blocks = new Map<string, true>();

  constructor(private readonly maxBlocks = DEFAULT_PROMPT_CACHE_BLOCKS) {}

  /** The cached tokens of this prompt, then remembers its blocks for the next request. */
  lookupAndStore(cacheKey: string | null, prompt: string): number {
    const names = blockNames(cacheKey ?? '', prompt);
    let hits = 0;
    while (hits < names.length && this.blocks.has(names[hits] as string)) hits++;
    for (const name of names) {
      this.blocks.delete(name);
      this.blocks.set(name, true);
    }
    while (this.blocks.size > this.maxBlocks) {
      const oldest = this.blocks.keys().next().value;
      if (oldest === undefined) break;
      this.blocks.delete(oldest);
    }
    const cached = hits * CACHE_BLOCK_TOKENS;
    return cached >= MIN_CACHED_TOKENS ? cached : 0;
  }

  clear(): void {
    this.blocks.clear();
  }
}

/** One name per whole block of the prompt: the hash chained from the key through that block. */
function blockNames(cacheKey: string, prompt: string): string[] {
  const names: string[] = [];
  let previous = createHash('sha256').update(`key:${cacheKey}`).digest('hex');
  for (let end = BLOCK_CHARS; end <= prompt.length; end += BLOCK_CHARS) {
    previous = createHash('sha256')
      .update(previous)
      .update(prompt.slice(end - BLOCK_CHARS, end))
      .digest('hex');
    names.push(previous);
  }
  return names;
}
