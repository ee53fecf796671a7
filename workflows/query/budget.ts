/**
 * A query's token and cost budget (`max_tokens`, `max_cost_usd`), checked after each model turn
 * in workflow code, so the stop is part of the history and replays as it ran. A turn that
 * answered ends the query anyway (its tokens are spent); a turn that asks for more (tool calls
 * to run, approvals to wait for) is not followed past the budget.
 */
import { ApplicationFailure, patched } from '@temporalio/workflow';
import type { ResponsesCallResult } from '../../activities/responses';
import type { RecordedError } from '../../src/core/errors';
import { budgetExceeded, costBudgetProblem } from '../../src/core/usage';
import type { ParsedQueryInput } from '../messages';
import { TOKEN_BUDGET } from '../patches';
import type { QueryRunState } from './run-state';
import { QueryStop } from './stop';

/** A cost budget needs a price: without one the cost is unknown and the budget could never hold. */
export function checkBudgetInput(input: ParsedQueryInput): void {
  const problem = costBudgetProblem(input, input.model, input.price);
  if (problem) throw ApplicationFailure.create({ type: 'invalid_arguments', nonRetryable: true, message: `invalid runQuery input: ${problem}` });
}

/** Throws a QueryStop (error type `budget_exceeded`) when the turn asks for more and the budget is spent. */
export function stopWhenOverBudget(run: QueryRunState, response: ResponsesCallResult): void {
  const asksForMore = response.output.some((item) => item.type === 'function_call' || item.type === 'mcp_approval_request');
  if (!asksForMore) return;
  const reason = budgetExceeded(run.tokens, run.input);
  // Asked only when a budget stops the run: runs without one (all runs before it existed) never reach it.
  if (!reason || !patched(TOKEN_BUDGET)) return;
  const error: RecordedError = { type: 'budget_exceeded', message: `${reason} after model turn ${run.step}; the query stopped there`, retryable: false };
  run.errors.push(error);
  throw new QueryStop(error.message, error);
}
