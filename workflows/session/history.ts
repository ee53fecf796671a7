/**
 * What a session remembers of its queries: results, call records and errors, bounded in memory;
 * what falls out is folded into totals, so the statistics still count everything.
 */
import { ERROR_TABLE, type MCPErrorType, type RecordedError } from '../../src/core/errors';
import { CARRY_BUDGET_BYTES, clipToBytes, jsonBytes, MAX_KEPT_BYTES } from '../../src/core/payload-size';
import {
  addTotals,
  EMPTY_TOTALS,
  statisticsFromTotals,
  totalsOf,
  type CallRecord,
  type QueryResult,
  type StatisticsTotals,
  type WorkflowStatistics,
} from '../../src/core/records';
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
    // The full texts stay in the query's own history; the session keeps enough to read, by bytes,
    // so that 200 kept records still fit one continue-as-new payload.
    const keep = (text: string) => clipToBytes(text, MAX_KEPT_BYTES);
    this.results.push({
      ...toSessionResult(result),
      query: keep(result.query),
      text_response: keep(result.text_response),
      error: result.error && keep(result.error),
    });
    this.calls.push(
      ...result.tool_calls.map((call) => ({
        ...call,
        output: call.output && keep(call.output),
        error_message: call.error_message && keep(call.error_message),
      })),
    );
    // A result keeps only each error's type: its retryability is the table's (src/core/errors.ts), not "never".
    for (const call of result.tool_calls) {
      if (call.error_type) this.errors.push({ type: call.error_type, message: keep(call.error_message ?? ''), retryable: retryableType(call.error_type) });
    }
    if (result.error_type && (!result.success || result.stale)) {
      this.errors.push({ type: result.error_type, message: keep(result.error ?? ''), retryable: retryableType(result.error_type) });
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
    return statisticsFromTotals(addTotals(this.baseTotals, totalsOf(this.results, this.calls, this.errors)), serversConfigured, toolsCached, this.errors);
  }

  /**
   * Everything but the catalog and approvals, for continue-as-new, within `budgetBytes` (what the
   * rest of the carry leaves): the oldest records fold into the totals until it fits.
   */
  carry(budgetBytes = CARRY_BUDGET_BYTES): Omit<SessionCarry, 'catalog' | 'standing_approvals' | 'running'> {
    while (this.results.length + this.calls.length + this.errors.length > 0 && jsonBytes([this.results, this.calls, this.errors]) > budgetBytes) {
      this.trim(Math.floor(Math.max(this.results.length, this.calls.length, this.errors.length) * 0.8));
    }
    return { results: this.results, calls: this.calls, errors: this.errors, query_count: this.queryCount, base_totals: this.baseTotals };
  }

  /** Keeps at most max_history results and calls in memory; what falls out stays in the totals. */
  private trim(limit = this.maxHistory) {
    const droppedResults = this.results.length > limit ? this.results.splice(0, this.results.length - limit) : [];
    const droppedCalls = this.calls.length > limit ? this.calls.splice(0, this.calls.length - limit) : [];
    const droppedErrors = this.errors.length > limit ? this.errors.splice(0, this.errors.length - limit) : [];
    if (droppedResults.length || droppedCalls.length || droppedErrors.length) {
      this.baseTotals = addTotals(this.baseTotals, totalsOf(droppedResults, droppedCalls, droppedErrors));
    }
  }
}

function retryableType(type: MCPErrorType): boolean {
  return ERROR_TABLE[type].kind !== 'never';
}
