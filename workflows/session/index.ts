/**
 * mcpSession: one long-lived workflow for a set of servers and the queries asked of them. It holds
 * the servers, the tool catalog with its TTL and the standing approvals (tools.ts), and the
 * history and statistics of every query it ran (history.ts); each query is a runQuery child
 * (child.ts). The session continues as new when Temporal suggests it, carrying all of that.
 *
 * executeQuery starts the child and returns its id at once ('session-query-returns-at-once'):
 * Temporal allows 10 in-flight updates per workflow, and a query may wait days for an approval.
 * The session follows its running children (carried across continue-as-new) and records each
 * result when the child ends.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import { CARRY_BUDGET_BYTES, jsonBytes } from '../../src/core/payload-size';
import { MCP_SERVERS, MCP_STATE, MCP_TOOL_CALL_COUNT } from '../../src/core/search-attributes';
import type { QueryResult } from '../../src/core/records';
import { parseInput } from '../input';
import {
  childQueryId,
  SessionInputSchema,
  type ExecuteQueryArgs,
  type QueryStarted,
  type SessionExport,
  type SessionInput,
  type SessionRefreshResult,
  type SessionState,
} from '../messages';
import type { Activities } from '../../activities';
import { searchAttributeWriter } from '../search-attributes';
import { childResult, runChildQuery, startChildQuery, unknownFailure, type ParsedSessionInput } from './child';
import { SessionHistory } from './history';
import { SessionTools } from './tools';
import { assertTakesWork, untilQuiet, type DrainState } from './draining';
import { DRAIN_ACCEPTS_WORK, QUERY_RETURNS_AT_ONCE } from '../patches';
import { registerSessionHandlers, type HandledSession, type Tracked } from './handlers';
import { mcpflowFailure } from '../../src/core/failures';

const { awaitQueryResult } = proxyActivities<Activities>({
  // A carried query may wait days for an approval; heartbeats tell a lost worker apart within
  // seconds (a 1-minute timeout left a session 13–73 s behind a SIGKILL at continue-as-new).
  startToCloseTimeout: '365 days',
  heartbeatTimeout: '10 seconds',
  retry: { maximumInterval: '10 seconds', nonRetryableErrorTypes: ['invalid_arguments'] },
  summary: 'Wait for a query started before continue-as-new',
});

export async function mcpSession(rawInput: SessionInput): Promise<SessionExport> {
  const input = parseInput(SessionInputSchema, rawInput, 'mcpSession');
  const session = new Session(input);
  session.followCarried();
  await condition(() => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > input.continue_as_new_after_events);
  // Let running updates finish (since 'session-query-returns-at-once' none waits for a query's
  // end: running children are carried, not awaited). New work is taken for a while still, then
  // refused with a message the client retries on the next run (./draining.ts).
  session.drain = { since: workflowInfo().historyLength, acceptsWork: patched(DRAIN_ACCEPTS_WORK) };
  await condition(allHandlersFinished);
  if (session.drain.acceptsWork) await untilQuiet(() => session.arrivals);
  return continueAsNew<typeof mcpSession>(session.nextRunInput());
}

class Session implements HandledSession {
  state: SessionState = 'idle';
  readonly tools: SessionTools;
  readonly history: SessionHistory;
  readonly active = new Map<string, Tracked>();
  private refreshing: Promise<SessionRefreshResult> | null = null;
  /** Set when the session is about to continue as new (./draining.ts). */
  drain: DrainState = { acceptsWork: false };
  /** Updates taken, signals and child ends so far: a draining run continues as new once a moment passed without one (./draining.ts). */
  arrivals = 0;

  private readonly upsertSearchAttributes: ReturnType<typeof searchAttributeWriter>;

  constructor(readonly input: ParsedSessionInput) {
    this.upsertSearchAttributes = searchAttributeWriter(input.search_attributes);
    this.tools = new SessionTools(input.servers, input.carried);
    this.history = new SessionHistory(input.max_history, input.carried);
    for (const query of input.carried?.running ?? []) this.active.set(query.workflow_id, { ...query, waiting: false, carried: true });
    registerSessionHandlers(this);
    this.publish();
  }

  nextRunInput(): SessionInput {
    const rest = jsonBytes([this.input, [...this.tools.servers.values()], this.tools.catalog, this.tools.standingApprovals, [...this.active.values()]]);
    return {
      ...this.input,
      servers: [...this.tools.servers.values()],
      carried: {
        catalog: this.tools.catalog,
        standing_approvals: this.tools.standingApprovals,
        ...this.history.carry(Math.max(64 * 1024, CARRY_BUDGET_BYTES - rest)),
        running: [...this.active.values()].map(({ workflow_id, query, started_at }) => ({ workflow_id, query, started_at })),
      },
    };
  }

  /** Queries started by an earlier run: an activity waits for each one's end (not continue-as-new, which carries them again). */
  followCarried() {
    for (const query of this.active.values()) {
      if (!query.carried) continue;
      const { workflow_id, started_at } = query;
      awaitQueryResult({ workflow_id, query: query.query, started_at })
        .then((result) => this.finish(workflow_id, result))
        .catch((error: unknown) => {
          const message = error instanceof Error ? ((error.cause instanceof Error ? error.cause.message : undefined) ?? error.message) : String(error);
          log.warn(`could not read the result of ${workflow_id}: ${message}`);
          this.finish(workflow_id, unknownFailure(query.query, `its result could not be read: ${message}`));
        });
    }
  }

  /** A child's end: recorded once, whichever way it was learned. */
  private finish(workflowId: string, result: QueryResult) {
    this.arrivals++;
    if (!this.active.delete(workflowId)) return;
    this.history.record(result);
    this.upsertSearchAttributes([{ key: MCP_TOOL_CALL_COUNT, value: this.history.totalCalls() }]);
    this.setState(this.active.size ? this.busyState() : result.success ? 'idle' : 'error');
  }

  /** One refresh at a time: a second caller shares the one in flight. */
  refreshTools(force: boolean): Promise<SessionRefreshResult> {
    this.refreshing ??= this.doRefresh(force).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(force: boolean): Promise<SessionRefreshResult> {
    const now = new Date().toISOString();
    if (!force && this.tools.isFresh(this.input.cache_ttl_ms)) {
      return {
        catalog: this.tools.catalog,
        diff: { added: [], removed: [], changed: [] },
        servers: [],
        discovered_at: now,
        from_cache: true,
        invalidated_approvals: [],
      };
    }
    this.setState('discovering');
    try {
      const { catalog, servers, diff, invalidated } = await this.tools.refresh(this.input);
      for (const server of servers) if (server.error) this.history.errors.push(server.error);
      return { catalog, servers, diff, discovered_at: now, from_cache: false, invalidated_approvals: invalidated };
    } finally {
      this.setState(this.active.size ? this.busyState() : 'idle');
    }
  }

  executeQuery(args: ExecuteQueryArgs): Promise<QueryResult | QueryStarted> {
    return patched(QUERY_RETURNS_AT_ONCE) ? this.startQuery(args) : this.executeQueryToTheEnd(args);
  }

  /** Refreshes the catalog if it is stale, starts the child and returns its id; the result is recorded when the child ends. */
  private async startQuery(args: ExecuteQueryArgs): Promise<QueryStarted> {
    const workflowId = this.track(args);
    let handle;
    try {
      await this.refreshTools(args.force_refresh ?? false);
      handle = await startChildQuery(workflowId, args, this.input, this.tools, this.history.lastSuccessFor(args.query));
    } catch (error) {
      const message = `the query could not start: ${error instanceof Error ? error.message : String(error)}`;
      this.finish(workflowId, unknownFailure(args.query, message));
      throw error instanceof ApplicationFailure ? error : mcpflowFailure('unknown', message, { retryable: false });
    }
    void childResult(handle, args.query).then((result) => this.finish(workflowId, result));
    return { started: true, workflow_id: workflowId };
  }

  /** Histories from before QUERY_RETURNS_AT_ONCE: the update waited for the child's result. */
  private async executeQueryToTheEnd(args: ExecuteQueryArgs): Promise<QueryResult> {
    const workflowId = this.track(args);
    let result: QueryResult;
    try {
      await this.refreshTools(args.force_refresh ?? false);
      result = await runChildQuery(workflowId, args, this.input, this.tools, this.history.lastSuccessFor(args.query));
    } catch (error) {
      this.active.delete(workflowId);
      throw error;
    }
    this.finish(workflowId, result);
    return result;
  }

  /** A new query of this session: its child's id, counted and tracked from now on. */
  private track(args: ExecuteQueryArgs): string {
    const workflowId = childQueryId(workflowInfo().workflowId, args.query_id ?? `query-${this.history.queryCount + 1}`);
    if (this.active.has(workflowId)) {
      throw mcpflowFailure('invalid_arguments', `a query ${workflowId} is already running: choose another query_id`, { retryable: false });
    }
    this.history.queryCount++;
    this.active.set(workflowId, { workflow_id: workflowId, query: args.query, started_at: new Date().toISOString(), waiting: false, carried: false });
    this.setState('executing');
    return workflowId;
  }

  /** While queries run: waiting when any of them waits for an approval. */
  busyState(): SessionState {
    return [...this.active.values()].some((query) => query.waiting) ? 'waiting' : 'executing';
  }

  assertCanWork() {
    if (!this.tools.servers.size) throw new Error('the session has no servers: add one with addServer first');
    assertTakesWork(this.drain, workflowInfo().historyLength);
  }

  setState(state: SessionState) {
    this.state = state;
    this.publish();
  }

  publish() {
    const waiting = [...this.active.values()].filter((query) => query.waiting).map((query) => query.workflow_id);
    setCurrentDetails(
      `**Session ${this.state}** — servers: ${this.tools.labels().join(', ') || 'none'}; ` +
        `${this.tools.toolCount()} tools cached; ${this.history.queryCount} queries run` +
        (waiting.length ? `\n\nwaiting for approval in: ${waiting.join(', ')}` : ''),
    );
    this.upsertSearchAttributes([
      { key: MCP_STATE, value: this.state },
      { key: MCP_SERVERS, value: this.tools.labels() },
    ]);
  }
}
