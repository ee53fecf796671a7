/** `--max-tokens` / `--max-cost` as workflow input fields, refused before anything starts when the cost could not be known. */
import { costBudgetProblem, type Budget } from '../core/usage';
import type { CommandContext } from './context';
import { UsageError } from './errors';

export interface BudgetFlags {
  model?: string;
  maxTokens?: number;
  maxCost?: number;
}

export function budgetFromFlags(context: CommandContext, flags: BudgetFlags): { max_tokens?: number; max_cost_usd?: number } {
  const budget: Budget = { max_tokens: flags.maxTokens, max_cost_usd: flags.maxCost };
  const model = flags.model ?? context.loaded.config.defaults.model;
  const problem = costBudgetProblem(budget, model, context.loaded.config.prices?.[model]);
  if (problem) throw new UsageError(`--max-cost: ${problem}`);
  return {
    ...(flags.maxTokens !== undefined ? { max_tokens: flags.maxTokens } : {}),
    ...(flags.maxCost !== undefined ? { max_cost_usd: flags.maxCost } : {}),
  };
}
