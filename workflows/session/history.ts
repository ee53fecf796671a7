/**
 * What a session remembers of its queries: results, call records and errors, bounded in memory;
 * what falls out is folded into totals, so the statistics still count everything.
 */
import type { RecordedError } from '../../src/core/errors';
import { clipText, MAX_KEPT_OUTPUT_CHARS } from '../../src/core/limits';
import { addTotals, EMPTY_TOTALS, statisticsFromTotals, totalsOf, type CallRecord, type QueryResult, type StatisticsTotals, type WorkflowStatistics } from '../../src/core/records';
import { toSessionResult, type SessionCarry, type SessionResult } from '../messages';

export class SessionHistory {
  results: SessionResult[];
  calls: CallRecord[];
  errors: RecordedError[];
  queryCount: number;
  /** Statistics of records no longer kept in memory. */
  private baseTotals: StatisticsTotals;

  constructor(
    private readonly maxHistory: number,
    carried: SessionCarry | undefined,
  ) {
    this.results = carried?.results ?? [];
    this.calls = carried?.calls ?? [];
    this.errors = carried?.errors ?? [];
    this.queryCount = carried?.query_count ?? 0;
    this.baseTotals = carried?.base_totals ?? EMPTY_TOTALS;
  }

  record(result: QueryResult) {
    this.results.push(toSessionResult(result));
    // The full output stays in the query's own history; the session keeps enough to read.
    this.calls.push(...result.tool_calls.map((call) => ({ ...call, output: call.output && clipText(call.output, MAX_KEPT_OUTPUT_CHARS) })));
    for (const call of result.tool_calls) {
      if (call.error_type) this.errors.push({ type: call.error_type, message: call.error_message ?? '', retryable: false });
    }
    if (result.error_type && (!result.success || result.stale)) {
      this.errors.push({ type: result.error_type, message: result.error ?? '', retryable: false });
    }
    this.trim();
  }

  /** Every call the session ran, also those folded into the totals. */
  totalCalls(): number {
    return this.baseTotals.calls + this.calls.length;
  }

  /** The last good answer to the same question: returned, marked stale, when a query's retries run out. */
  lastSuccessFor(query: string): QueryResult | undefined {
    const earlier = [...this.results].reverse().find((result) => result.query === query && result.success && !result.stale);
    return earlier ? { ...earlier, tool_calls: [] } : undefined;
  }

  statistics(serversConfigured: number, toolsCached: number): WorkflowStatistics {
    return statisticsFromTotals(addTotals(this.baseTotals, totalsOf(this.results, this.calls, this.errors)), serversConfigured, toolsCached);
  }

  /** Everything but the catalog and approvals, for continue-as-new. */
  carry(): Omit<SessionCarry, 'catalog' | 'standing_approvals' | 'running'> {
    return { results: this.results, calls: this.calls, errors: this.errors, query_count: this.queryCount, base_totals: this.baseTotals };
  }

  /** Keeps at most max_history results and calls in memory; what falls out stays in the totals. */
  private trim() {
    const limit = this.maxHistory;
    const droppedResults = this.results.length > limit ? this.results.splice(0, this.results.length - limit) : [];
    const droppedCalls = this.calls.length > limit ? this.calls.splice(0, this.calls.length - limit) : [];
    const droppedErrors = this.errors.length > limit ? this.errors.splice(0, this.errors.length - limit) : [];
    if (droppedResults.length || droppedCalls.length || droppedErrors.length) {
      this.baseTotals = addTotals(this.baseTotals, totalsOf(droppedResults, droppedCalls, droppedErrors));
    }
  }
}
