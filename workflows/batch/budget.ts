/**
 * A batch's token and cost budget (`max_tokens`, `max_cost_usd`): the finished lines' tokens are
 * summed; once past the budget no new line starts, and lines already running finish (their tokens
 * are spent and a side effect may be half done: cancelling them would waste the one and risk the other).
 */
import { patched } from '@temporalio/workflow';
import { addTokens, budgetExceeded, EMPTY_TOKENS, type Budget } from '../../src/core/usage';
import { TOKEN_BUDGET } from '../patches';
import type { BatchCarry, LineOutcome } from './messages';

/** Adds a finished line's tokens; sets the `budget` stop when they pass the budget (asked only then: older runs never stop so). */
export function addLineTokens(state: BatchCarry, budget: Budget, outcome: LineOutcome): void {
  if (outcome.usage) state.tokens = addTokens(state.tokens ?? EMPTY_TOKENS, outcome.usage);
  if (state.stop === null && budgetExceeded(state.tokens, budget) && patched(TOKEN_BUDGET)) state.stop = 'budget';
}

/** Why the budget stopped the batch, for its progress and summary; null when it did not. */
export function budgetStopReason(state: BatchCarry, budget: Budget): string | null {
  return state.stop === 'budget' ? `${budgetExceeded(state.tokens, budget)}; no new line starts, lines already running finish` : null;
}
