/**
 * What the call records of one run keep of their tools' structured content: each call's is capped
 * by the activity; together they stay under MAX_RUN_STRUCTURED_BYTES, past which a note says it
 * was left out. Shared by runQuery's direct calls and a batch line run as an activity, so both
 * record the same.
 */
import { jsonBytes } from './payload-size';
import type { CallRecord } from './records';

/** Structured content every call record of one run keeps together. */
export const MAX_RUN_STRUCTURED_BYTES = 256 * 1024;

export type StructuredFields = Pick<CallRecord, 'structured_content' | 'structured_content_error'>;

export class StructuredBudget {
  private spent = 0;

  /** The result's structured content while the run's budget lasts; past it, a note says it was left out. */
  keep(result: StructuredFields): StructuredFields {
    const kept: StructuredFields = {};
    if (result.structured_content_error !== undefined) kept.structured_content_error = result.structured_content_error;
    if (result.structured_content === undefined) return kept;
    const bytes = jsonBytes(result.structured_content);
    if (this.spent + bytes > MAX_RUN_STRUCTURED_BYTES) {
      const note = `structuredContent left out: the run's records already hold ${this.spent} bytes of it (at most ${MAX_RUN_STRUCTURED_BYTES})`;
      kept.structured_content_error = kept.structured_content_error ? `${kept.structured_content_error}; ${note}` : note;
      return kept;
    }
    this.spent += bytes;
    kept.structured_content = result.structured_content;
    return kept;
  }
}
