import { newId } from './ids';
import type { OutputWriter } from './output-writer';
import { REASONING_TOKENS_BY_EFFORT, type ReasoningPlan, type ReasoningSeal } from './reasoning';
import { estimateTokens } from './responses';

/**
 * The reasoning items of one turn: one before the model's calls and one before its answer (none
 * at effort `none` or for a model that does not reason), with the tokens they cost.
 */
export class Reasoner {
  /** Reasoning tokens of this turn, for `usage.output_tokens_details.reasoning_tokens`. */
  tokens = 0;

  constructor(
    private readonly plan: ReasoningPlan | null,
    private readonly seal: ReasoningSeal,
    private readonly output: OutputWriter,
  ) {}

  think(title: string, thought: string): void {
    if (!this.plan || this.plan.effort === 'none') return;
    const summary = this.plan.summary ? [summaryText(title, thought, this.plan.summary)] : [];
    const id = newId('rs');
    this.output.reasoning(id, summary, this.plan.encrypted ? this.seal.seal({ id, summary: summary.join('\n') }) : null);
    this.tokens += REASONING_TOKENS_BY_EFFORT[this.plan.effort] + estimateTokens(thought);
  }

  /** Before the answer, unless the model has just reasoned (no call in between). */
  thinkBeforeAnswer(title: string, thought: string): void {
    if (this.output.lastItemType !== 'reasoning') this.think(title, thought);
  }
}

/** A summary as the API writes them: a bold title, then the thought (its first sentence when `concise`). */
function summaryText(title: string, thought: string, kind: NonNullable<ReasoningPlan['summary']>): string {
  const body = kind === 'concise' ? (/^.*?[.!?](\s|$)/.exec(thought)?.[0]?.trim() ?? thought) : thought;
  return `**${title}**\n\n${body}`;
}

/** The question as a thought quotes it: one line, at most 200 characters. */
export function quoted(question: string): string {
  const line = question.replace(/\s+/g, ' ').trim();
  return `"${line.length > 200 ? `${line.slice(0, 199)}…` : line}"`;
}
