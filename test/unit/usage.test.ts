/** Tokens and cost as pure sums (src/core/usage.ts), their place in the statistics totals, and how the CLI says them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchTokenLines, tokensLine } from '../../src/cli/tokens-out';
import { parseUsd } from '../../src/cli/options';
import { McpflowConfigSchema } from '../../src/config/schema';
import { resultOutcome } from '../../src/core/line-outcome';
import { addTotals, EMPTY_TOTALS, QueryResultSchema, StatisticsTotalsSchema, statisticsFromTotals, totalsOf, type QueryResult } from '../../src/core/records';
import { addTokens, budgetExceeded, costBudgetProblem, EMPTY_TOKENS, estimatedCostUsd, turnTokens } from '../../src/core/usage';
import { BatchCarrySchema, BatchInputSchema } from '../../workflows/batch/messages';
import { emptyCarry } from '../../workflows/batch/carry';
import { SessionHistory } from '../../workflows/session/history';

const USAGE = {
  input_tokens: 2_000,
  input_tokens_details: { cached_tokens: 1_500 },
  output_tokens: 300,
  output_tokens_details: { reasoning_tokens: 200 },
  total_tokens: 2_300,
};
const PRICE = { input: 1, cached_input: 0.1, output: 4 };

function result(overrides: Partial<QueryResult> = {}): QueryResult {
  return {
    query: 'q',
    success: true,
    text_response: 'a',
    tool_calls: [],
    duration_ms: 10,
    retries: 0,
    error: null,
    error_type: null,
    stale: false,
    response_id: 'resp_1',
    ...overrides,
  };
}

describe('tokens and cost', () => {
  it('a turn: input, cached, output and reasoning tokens, priced per million (cached input at its own price)', () => {
    const tokens = turnTokens(USAGE, PRICE);
    assert.deepEqual(
      { ...tokens, priced_cost_usd: undefined },
      {
        turns: 1,
        input_tokens: 2_000,
        cached_tokens: 1_500,
        output_tokens: 300,
        reasoning_tokens: 200,
        total_tokens: 2_300,
        priced_cost_usd: undefined,
        unpriced_turns: 0,
      },
    );
    // 500 uncached × $1 + 1,500 cached × $0.10 + 300 output × $4, per million.
    assert.ok(Math.abs(tokens.priced_cost_usd - (500 + 150 + 1_200) / 1e6) < 1e-15);
    assert.equal(estimatedCostUsd(tokens), tokens.priced_cost_usd);
    // Cached input without its own price is billed as input.
    assert.ok(Math.abs(turnTokens(USAGE, { input: 1, output: 4 }).priced_cost_usd - (2_000 + 1_200) / 1e6) < 1e-15);
  });

  it('no price: the cost is unknown, never a made-up number, and stays unknown in any sum', () => {
    const unpriced = turnTokens(USAGE, undefined);
    assert.equal(unpriced.unpriced_turns, 1);
    assert.equal(estimatedCostUsd(unpriced), null);
    const sum = addTokens(turnTokens(USAGE, PRICE), unpriced);
    assert.equal(sum.total_tokens, 4_600);
    assert.equal(estimatedCostUsd(sum), null);
    assert.match(tokensLine(sum), /estimated cost unknown \(1 turn\(s\) of a model without a price; \$0\.00185 for the others\)/);
    assert.match(tokensLine(unpriced), /estimated cost unknown \(no price for the model in the config\)/);
    // A turn the API reported no usage for counts nothing.
    assert.deepEqual(turnTokens(null, PRICE), EMPTY_TOKENS);
  });

  it('budgets: exceeded only past the limit, the cost only when known; a cost budget without a price is refused by name', () => {
    const tokens = turnTokens(USAGE, PRICE);
    assert.equal(budgetExceeded(tokens, { max_tokens: 2_300 }), null);
    assert.match(budgetExceeded(tokens, { max_tokens: 2_299 }) ?? '', /token budget was exceeded: 2300 tokens used, max_tokens 2299/);
    assert.match(budgetExceeded(tokens, { max_cost_usd: 0.001 }) ?? '', /cost budget was exceeded: an estimated \$0\.00185 spent, max_cost_usd 0\.001/);
    assert.equal(budgetExceeded(tokens, { max_cost_usd: 0.002 }), null);
    assert.equal(budgetExceeded(turnTokens(USAGE, undefined), { max_cost_usd: 0.000001 }), null);
    assert.equal(costBudgetProblem({ max_cost_usd: 1 }, 'gpt-5-mini', PRICE), null);
    assert.equal(costBudgetProblem({ max_tokens: 1 }, 'gpt-5-mini', undefined), null);
    assert.match(
      costBudgetProblem({ max_cost_usd: 1 }, 'gpt-5-mini', undefined) ?? '',
      /max_cost_usd needs a price for the model "gpt-5-mini": add a row for it to "prices"/,
    );
    const batch = BatchInputSchema.safeParse({ total: 1, servers: [{ label: 'w', url: 'http://127.0.0.1:1/mcp' }], max_cost_usd: 1 });
    assert.equal(batch.success, false);
    assert.match(String(batch.error), /max_cost_usd needs a price/);
  });

  it('statistics totals add tokens across queries; totals and results recorded before tokens existed parse', () => {
    const one = totalsOf([result({ usage: turnTokens(USAGE, PRICE) })], [], []);
    const two = addTotals(one, totalsOf([result({ usage: turnTokens(USAGE, PRICE) }), result()], [], []));
    assert.equal(two.tokens.total_tokens, 4_600);
    assert.equal(two.tokens.turns, 2);
    const stats = statisticsFromTotals(two, 1, 1);
    assert.equal(stats.tokens.reasoning_tokens, 400);
    assert.ok(stats.tokens.estimated_cost_usd !== null && Math.abs(stats.tokens.estimated_cost_usd - 0.0037) < 1e-12);
    const { tokens: _tokens, ...older } = EMPTY_TOTALS;
    assert.deepEqual(StatisticsTotalsSchema.parse(older).tokens, EMPTY_TOKENS);
    assert.equal(QueryResultSchema.parse(result()).usage, undefined);
    const { tokens: _carried, ...olderCarry } = emptyCarry(0);
    assert.deepEqual(BatchCarrySchema.parse(olderCarry).tokens, EMPTY_TOKENS, 'a batch carried by an older run starts its tokens at 0');
  });

  it('a session keeps exact token totals when old results fall out of memory', () => {
    const history = new SessionHistory(2, undefined);
    for (let i = 0; i < 5; i++) history.record(result({ query: `q ${i}`, usage: turnTokens(USAGE, PRICE) }));
    history.record(result({ query: 'older run without usage' }));
    assert.equal(history.results.length, 2);
    const tokens = history.statistics(1, 1).tokens;
    assert.equal(tokens.total_tokens, 5 * 2_300);
    assert.equal(tokens.cached_tokens, 5 * 1_500);
    assert.equal(tokens.turns, 5);
    assert.ok(tokens.estimated_cost_usd !== null && Math.abs(tokens.estimated_cost_usd - 5 * 0.00185) < 1e-12);
  });

  it("a batch line's outcome carries its result's tokens; the summary says the totals and why the budget stopped it", () => {
    const usage = turnTokens(USAGE, PRICE);
    assert.deepEqual(resultOutcome(result({ usage })).usage, usage);
    assert.equal(resultOutcome(result()).usage, undefined);
    assert.deepEqual(batchTokenLines({ tokens: usage, budget_stop: 'the token budget was exceeded: 2300 tokens used, max_tokens 10' }), [
      '  Tokens: 2,300 (2,000 input, 1,500 of them cached; 300 output, 200 of them reasoning); estimated cost $0.00185',
      '  Stopped by the budget: the token budget was exceeded: 2300 tokens used, max_tokens 10',
    ]);
    assert.deepEqual(batchTokenLines({}), ['  Tokens: not recorded (a run from before mcpflow counted them)']);
  });

  it('the config takes a price table (per model, USD per million tokens) and refuses a malformed row by name', () => {
    const config = McpflowConfigSchema.parse({ prices: { 'gpt-5-mini': { input: 0.25, cached_input: 0.025, output: 2 } } });
    assert.deepEqual(config.prices?.['gpt-5-mini'], { input: 0.25, cached_input: 0.025, output: 2 });
    const bad = McpflowConfigSchema.safeParse({ prices: { 'gpt-5-mini': { input: 0.25, outptu: 2 } } });
    assert.equal(bad.success, false);
    assert.match(JSON.stringify(bad.error?.issues), /gpt-5-mini/);
    assert.equal(parseUsd('$0.50'), 0.5);
    assert.equal(parseUsd('2'), 2);
    assert.throws(() => parseUsd('0'), /not an amount of US dollars above zero/);
    assert.throws(() => parseUsd('abc'), /not an amount/);
  });
});
