import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addTotals,
  CallStatusSchema,
  durationMs,
  EMPTY_TOTALS,
  filterHistory,
  statisticsFromTotals,
  StatisticsTotalsSchema,
  totalsOf,
  workflowStatistics,
  type CallRecord,
  type QueryResult,
} from '../../src/core/records';
import { errorSummaryLines } from '../../src/cli/commands/stats';
import { errorSummary } from '../../src/core/errors';
import { activityRetryPolicy, DEFAULT_RETRY_SETTINGS, nextRetryDelayMs } from '../../src/core/retry';

function call(overrides: Partial<CallRecord>): CallRecord {
  return {
    id: 'mcp_1',
    tool: 'get_current_weather',
    server: 'weather',
    arguments: {},
    status: 'completed',
    output: 'ok',
    error_type: null,
    error_message: null,
    approval_request_id: null,
    started_at: '2026-11-26T10:00:00.000Z',
    completed_at: '2026-11-26T10:00:00.250Z',
    duration_ms: 250,
    ...overrides,
  };
}

const calls = [
  call({}),
  call({ id: 'mcp_2', tool: 'list_events', server: 'calendar', duration_ms: 750 }),
  call({ id: 'mcp_3', tool: 'list_events', server: 'calendar', status: 'failed', error_type: 'execution_error', duration_ms: null }),
];

describe('call history and statistics', () => {
  it('offers only the statuses a call is recorded with (a call is recorded once it has ended)', () => {
    assert.deepEqual(CallStatusSchema.options, ['completed', 'failed', 'denied']);
  });

  it('filters by status, tool and server', () => {
    assert.deepEqual(
      filterHistory(calls, { tool: 'list_events' }).map((c) => c.id),
      ['mcp_2', 'mcp_3'],
    );
    assert.deepEqual(
      filterHistory(calls, { status: 'failed' }).map((c) => c.id),
      ['mcp_3'],
    );
    assert.deepEqual(
      filterHistory(calls, { server: 'weather', status: 'completed' }).map((c) => c.id),
      ['mcp_1'],
    );
  });

  it('call statistics (the seed keys)', () => {
    const stats = workflowStatistics({ results: [], calls, errors: [], serversConfigured: 2, toolsCached: 5 });
    assert.equal(stats.tool_calls, 3);
    assert.deepEqual(stats.calls_by_status, { completed: 2, failed: 1 });
    assert.deepEqual(stats.server_usage, { weather: 1, calendar: 2 });
    assert.equal(stats.avg_call_duration_ms, 500);
    assert.equal(stats.max_call_duration_ms, 750);
    assert.equal(durationMs('2026-11-26T10:00:00.000Z', '2026-11-26T10:00:01.500Z'), 1500);
  });

  it('workflow statistics (the seed keys plus errors by type)', () => {
    const result = (success: boolean, duration: number, retries: number): QueryResult => ({
      query: 'q',
      success,
      text_response: '',
      tool_calls: [],
      duration_ms: duration,
      retries,
      error: null,
      error_type: null,
      stale: false,
      response_id: null,
    });
    const errors = [
      { type: 'rate_limit' as const, message: '429', retryable: true },
      { type: 'authentication' as const, message: '401', retryable: false },
    ];
    const stats = workflowStatistics({
      results: [result(true, 100, 1), result(true, 300, 0), result(false, 50, 3)],
      calls,
      errors,
      serversConfigured: 2,
      toolsCached: 5,
    });
    assert.equal(stats.total_queries, 3);
    assert.equal(stats.successful, 2);
    assert.equal(stats.failed, 1);
    assert.ok(Math.abs(stats.success_rate - 66.666) < 0.01);
    assert.equal(stats.avg_duration_ms, 200);
    assert.equal(stats.max_duration_ms, 300);
    assert.equal(stats.total_retries, 4);
    assert.equal(stats.tool_calls, 3);
    assert.deepEqual(stats.tool_usage, { get_current_weather: 1, list_events: 2 });
    assert.deepEqual(stats.errors_by_type, { rate_limit: 1, authentication: 1 });
    assert.equal(errorSummary(errors).recoverable_count, 1);
    assert.deepEqual(stats.error_summary, { total_errors: 2, by_type: { rate_limit: 1, authentication: 1 }, recoverable_count: 1, last_errors: errors });
  });

  it('the error summary counts errors folded into totals; its last errors are those still kept', () => {
    const old = totalsOf(
      [],
      [],
      [
        { type: 'connection', message: 'refused', retryable: true },
        { type: 'timeout', message: 'slow', retryable: true },
      ],
    );
    const kept = [{ type: 'authentication' as const, message: '401', retryable: false }];
    const stats = statisticsFromTotals(addTotals(old, totalsOf([], [], kept)), 1, 0, kept);
    assert.deepEqual(stats.error_summary, {
      total_errors: 3,
      by_type: { connection: 1, timeout: 1, authentication: 1 },
      recoverable_count: 2,
      last_errors: kept,
    });
    assert.deepEqual(errorSummaryLines(stats), [
      'Errors: 3 (connection ×1, timeout ×1, authentication ×1), 2 of them retryable.',
      'Last errors:',
      '  authentication: 401',
    ]);
    assert.deepEqual(errorSummaryLines(statisticsFromTotals(EMPTY_TOTALS, 1, 0)), []);
  });

  it('totals carried before recoverable_errors existed parse with 0', () => {
    const { recoverable_errors: _dropped, ...older } = totalsOf([], [], [{ type: 'timeout', message: 'slow', retryable: true }]);
    assert.equal(StatisticsTotalsSchema.parse(older).recoverable_errors, 0);
  });
});

describe('retry delays by error type', () => {
  it('follows the seed defaults', () => {
    assert.deepEqual(
      [1, 2, 3, 8].map((n) => nextRetryDelayMs('connection', n, DEFAULT_RETRY_SETTINGS)),
      [1000, 2000, 4000, 60000],
    );
    assert.equal(nextRetryDelayMs('rate_limit', 1, DEFAULT_RETRY_SETTINGS), 60000);
    assert.equal(nextRetryDelayMs('rate_limit', 1, DEFAULT_RETRY_SETTINGS, 2000), 2000);
    assert.equal(nextRetryDelayMs('timeout', 4, DEFAULT_RETRY_SETTINGS), 5000);
    const policy = activityRetryPolicy(DEFAULT_RETRY_SETTINGS);
    assert.equal(policy.maximumAttempts, 4);
    assert.deepEqual(policy.nonRetryableErrorTypes, ['authentication', 'tool_not_found', 'invalid_arguments', 'outcome_unknown', 'budget_exceeded']);
  });
});
