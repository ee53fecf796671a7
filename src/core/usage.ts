/**
 * Tokens and their estimated cost: each model turn's `usage` as the API reports it, summed per
 * query, session and batch, and priced from the config's price table. A price is never fetched
 * and never guessed: a turn of a model without a row is counted as unpriced, and a total with an
 * unpriced turn has no estimated cost (`null`), not a made-up one.
 */
import { z } from 'zod';
import type { Usage } from './response-schemas';

/** USD per million tokens, as the provider's price list gives them. */
export const ModelPriceSchema = z.strictObject({
  input: z.number().nonnegative(),
  /** Input tokens served from the prompt cache; absent = billed as `input`. */
  cached_input: z.number().nonnegative().optional(),
  /** Output tokens, reasoning tokens included (the API counts them as output). */
  output: z.number().nonnegative(),
});
export type ModelPrice = z.infer<typeof ModelPriceSchema>;

/** The config's `prices`: one row per model name, exactly as the query's `model` says it. */
export const PriceTableSchema = z.record(z.string().min(1), ModelPriceSchema);
export type PriceTable = z.infer<typeof PriceTableSchema>;

const count = z.number().int().nonnegative();

/** Sums of the turns' usage: added together across queries, so a session or batch keeps exact totals. */
export const TokenTotalsSchema = z.object({
  /** Model turns that reported usage. */
  turns: count,
  input_tokens: count,
  /** Of the input tokens, those served from the prompt cache. */
  cached_tokens: count,
  output_tokens: count,
  /** Of the output tokens, those spent reasoning. */
  reasoning_tokens: count,
  total_tokens: count,
  /** The cost of the priced turns, in USD. */
  priced_cost_usd: z.number().nonnegative(),
  /** Turns of a model the price table has no row for: their cost is unknown. */
  unpriced_turns: count,
});
export type TokenTotals = z.infer<typeof TokenTotalsSchema>;

export const EMPTY_TOKENS: TokenTotals = {
  turns: 0,
  input_tokens: 0,
  cached_tokens: 0,
  output_tokens: 0,
  reasoning_tokens: 0,
  total_tokens: 0,
  priced_cost_usd: 0,
  unpriced_turns: 0,
};

/** One turn's usage as totals, priced when the model has a price (a turn without usage counts nothing). */
export function turnTokens(usage: Usage | null | undefined, price: ModelPrice | undefined): TokenTotals {
  if (!usage) return EMPTY_TOKENS;
  const cached = Math.min(usage.input_tokens, usage.input_tokens_details?.cached_tokens ?? 0);
  const tokens: TokenTotals = {
    turns: 1,
    input_tokens: usage.input_tokens,
    cached_tokens: cached,
    output_tokens: usage.output_tokens,
    reasoning_tokens: usage.output_tokens_details?.reasoning_tokens ?? 0,
    total_tokens: usage.total_tokens,
    priced_cost_usd: 0,
    unpriced_turns: price ? 0 : 1,
  };
  if (price) {
    const perToken = (tokensOf: number, perMillion: number) => (tokensOf * perMillion) / 1_000_000;
    tokens.priced_cost_usd =
      perToken(usage.input_tokens - cached, price.input) + perToken(cached, price.cached_input ?? price.input) + perToken(usage.output_tokens, price.output);
  }
  return tokens;
}

export function addTokens(a: TokenTotals, b: TokenTotals): TokenTotals {
  return {
    turns: a.turns + b.turns,
    input_tokens: a.input_tokens + b.input_tokens,
    cached_tokens: a.cached_tokens + b.cached_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    reasoning_tokens: a.reasoning_tokens + b.reasoning_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
    priced_cost_usd: a.priced_cost_usd + b.priced_cost_usd,
    unpriced_turns: a.unpriced_turns + b.unpriced_turns,
  };
}

/** The estimated cost in USD, or null when a turn's model had no price (unknown, never guessed). */
export function estimatedCostUsd(tokens: TokenTotals): number | null {
  return tokens.unpriced_turns ? null : tokens.priced_cost_usd;
}

/** Token and cost limits of a query (all its turns) or a batch (all its lines). */
export const BudgetShape = {
  /** Total tokens (input + output) at most; checked after each model turn. */
  max_tokens: z.number().int().positive().optional(),
  /** Estimated cost in USD at most; needs a price for the model. */
  max_cost_usd: z.number().positive().optional(),
};
export type Budget = { max_tokens?: number | undefined; max_cost_usd?: number | undefined };

/** Why a budget is exceeded ("the token budget …"), or null while it holds. */
export function budgetExceeded(tokens: TokenTotals, budget: Budget): string | null {
  if (budget.max_tokens !== undefined && tokens.total_tokens > budget.max_tokens) {
    return `the token budget was exceeded: ${tokens.total_tokens} tokens used, max_tokens ${budget.max_tokens}`;
  }
  const cost = estimatedCostUsd(tokens);
  if (budget.max_cost_usd !== undefined && cost !== null && cost > budget.max_cost_usd) {
    return `the cost budget was exceeded: an estimated $${formatUsd(cost)} spent, max_cost_usd ${budget.max_cost_usd}`;
  }
  return null;
}

/** Why a cost budget cannot be kept: no price for the model (the cost would be unknown). */
export function costBudgetProblem(budget: Budget, model: string, price: ModelPrice | undefined): string | null {
  if (budget.max_cost_usd === undefined || price) return null;
  return `max_cost_usd needs a price for the model "${model}": add a row for it to "prices" in mcpflow.config.json (USD per million tokens: input, cached_input, output)`;
}

export function formatUsd(usd: number): string {
  return usd >= 1 ? usd.toFixed(2) : usd.toFixed(6).replace(/0+$/, '').replace(/\.$/, '.00');
}

/** One line for people: "1,234 tokens (1,000 in of which 200 cached, 234 out of which 0 reasoning), est. $0.0012". */
export function describeTokens(tokens: TokenTotals): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const cost = estimatedCostUsd(tokens);
  const costText =
    cost !== null
      ? `estimated cost $${formatUsd(cost)}`
      : tokens.priced_cost_usd > 0
        ? `estimated cost unknown (${tokens.unpriced_turns} turn(s) of a model without a price; $${formatUsd(tokens.priced_cost_usd)} for the others)`
        : 'estimated cost unknown (no price for the model in the config)';
  return (
    `${n(tokens.total_tokens)} (${n(tokens.input_tokens)} input, ${n(tokens.cached_tokens)} of them cached; ` +
    `${n(tokens.output_tokens)} output, ${n(tokens.reasoning_tokens)} of them reasoning); ${costText}`
  );
}
