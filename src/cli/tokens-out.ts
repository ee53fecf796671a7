/** Tokens and their estimated cost in words, for `stats`, `batch progress` and the batch summary. */
import { describeTokens, type TokenTotals } from '../core/usage';

/** "Tokens: 1,234 (… input, … output); estimated cost $0.0012" — or that the run reported none (older runs). */
export function tokensLine(tokens: TokenTotals | undefined): string {
  if (!tokens) return 'Tokens: not recorded (a run from before mcpflow counted them)';
  return `Tokens: ${describeTokens(tokens)}`;
}

/** The batch summary's token lines: the totals of the finished lines, and why the budget stopped it. */
export function batchTokenLines(progress: { tokens?: TokenTotals; budget_stop?: string | null }): string[] {
  return [`  ${tokensLine(progress.tokens)}`, ...(progress.budget_stop ? [`  Stopped by the budget: ${progress.budget_stop}`] : [])];
}
