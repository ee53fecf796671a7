/**
 * mcpSession: the seed's MCPWorkflow and RobustMCPWorkflow as one long-lived workflow. It holds
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
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { CARRY_BUDGET_BYTES, jsonBytes } from '../../src/core/payload-size';
import { MCP_SERVERS, MCP_STATE, MCP_TOOL_CALL_COUNT } from '../../src/core/search-attributes';
import { hostedModeProblem, ServerConfigSchema } from '../../src/core/servers';
import { findTool } from '../../src/core/tools';
import { filterHistory, HistoryFilterSchema, type QueryResult } from '../../src/core/records';
import { checkArgs, parseInput, parseSignal } from '../input';
import {
  addServerUpdate,
  catalogQuery,
  childQueryId,
  executeQueryUpdate,
  ExecuteQueryArgsSchema,
  exportQuery,
  historyQuery,
  QueryStateChangeSchema,
  queryStateSignal,
  RefreshToolsArgsSchema,
  refreshToolsUpdate,
  RememberApprovalArgsSchema,
  rememberApprovalUpdate,
  RemoveServerArgsSchema,
  removeServerUpdate,
  SessionInputSchema,
  sessionProgressQuery,
  statsQuery,
  type ActiveQuery,
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

/** A session's mode is fixed when it starts. */
const SESSION_HOSTED_FIX = 'this session runs in hosted mode: start a direct-mode session for it (mcpflow session start <new id> --mode direct)';

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

interface Tracked extends ActiveQuery {
  waiting: boolean;
  /** Started by an earlier run: its end is learned from awaitQueryResult. */
  carried: boolean;
}

class Session {
  private state: SessionState = 'idle';
  private readonly tools: SessionTools;
  private readonly history: SessionHistory;
  private readonly active = new Map<string, Tracked>();
  private refreshing: Promise<SessionRefreshResult> | null = null;
  /** Set when the session is about to continue as new (./draining.ts). */
  drain: DrainState = { acceptsWork: false };
  /** Updates taken, signals and child ends so far: a draining run continues as new once a moment passed without one (./draining.ts). */
  arrivals = 0;

  private readonly upsertSearchAttributes: ReturnType<typeof searchAttributeWriter>;

  constructor(private readonly input: ParsedSessionInput) {
    this.upsertSearchAttributes = searchAttributeWriter(input.search_attributes);
    this.tools = new SessionTools(input.servers, input.carried);
    this.history = new SessionHistory(input.max_history, input.carried);
    for (const query of input.carried?.running ?? []) this.active.set(query.workflow_id, { ...query, waiting: false, carried: true });
    this.registerHandlers();
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
  private refreshTools(force: boolean): Promise<SessionRefreshResult> {
    this.refreshing ??= this.doRefresh(force).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(force: boolean): Promise<SessionRefreshResult> {
    const now = new Date().toISOString();
    if (!force && this.tools.isFresh(this.input.cache_ttl_ms)) {
      return { catalog: this.tools.catalog, diff: { added: [], removed: [], changed: [] }, servers: [], discovered_at: now, from_cache: true, invalidated_approvals: [] };
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

  private executeQuery(args: ExecuteQueryArgs): Promise<QueryResult | QueryStarted> {
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
      throw error instanceof ApplicationFailure ? error : ApplicationFailure.create({ type: 'unknown', nonRetryable: true, message });
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
      throw ApplicationFailure.create({ type: 'invalid_arguments', nonRetryable: true, message: `a query ${workflowId} is already running: choose another query_id` });
    }
    this.history.queryCount++;
    this.active.set(workflowId, { workflow_id: workflowId, query: args.query, started_at: new Date().toISOString(), waiting: false, carried: false });
    this.setState('executing');
    return workflowId;
  }

  // -------------------------------------------------------------------------------------------
  // What a user sees

  private statistics() {
    return this.history.statistics(this.tools.servers.size, this.tools.toolCount());
  }

  private exportHistory(): SessionExport {
    return {
      exported_at: new Date().toISOString(),
      servers: this.tools.labels(),
      call_history: this.history.calls,
      results: this.history.results,
      errors: this.history.errors,
      statistics: this.statistics(),
    };
  }

  /** Counts the updates the run took (in handlers, which replay runs too; validators it does not). */
  private counted<A extends unknown[], R>(handler: (...args: A) => R): (...args: A) => R {
    return (...args) => {
      this.arrivals++;
      return handler(...args);
    };
  }

  private registerHandlers() {
    setHandler(sessionProgressQuery, () => ({
      state: this.state,
      servers: this.tools.labels(),
      tools_cached: this.tools.toolCount(),
      catalog_fetched_at: this.tools.fetchedAt(),
      queries_run: this.history.queryCount,
      active_queries: [...this.active.values()].map(({ workflow_id, query, started_at }) => ({ workflow_id, query, started_at })),
      standing_approvals: this.tools.standingApprovals,
    }));
    setHandler(statsQuery, () => this.statistics());
    setHandler(historyQuery, (filter) => filterHistory(this.history.calls, HistoryFilterSchema.parse(filter ?? {})));
    setHandler(catalogQuery, () => this.tools.catalog);
    setHandler(exportQuery, () => this.exportHistory());

    setHandler(
      addServerUpdate,
      this.counted((server) => {
        this.tools.addServer(ServerConfigSchema.parse(server));
        this.publish();
        return this.tools.labels();
      }),
      {
        validator: (server) => {
          const parsed = checkArgs(ServerConfigSchema, server, 'server');
          // The model's platform cannot reach a program on the worker's machine: refused here, before any query fails on it.
          const problem = this.input.mode === 'hosted' ? hostedModeProblem([parsed], SESSION_HOSTED_FIX) : undefined;
          if (problem) throw new Error(problem);
        },
      },
    );
    setHandler(
      removeServerUpdate,
      this.counted((args) => {
        this.tools.removeServer(args.label);
        this.publish();
        return this.tools.labels();
      }),
      {
        validator: (args) => {
          const { label } = checkArgs(RemoveServerArgsSchema, args, 'removeServer arguments');
          if (!this.tools.servers.has(label)) throw new Error(`no server labelled ${label}; servers: ${this.tools.labels().join(', ') || 'none'}`);
        },
      },
    );
    setHandler(refreshToolsUpdate, this.counted((args) => this.refreshTools(RefreshToolsArgsSchema.parse(args ?? {}).force_refresh)), {
      validator: (args) => {
        checkArgs(RefreshToolsArgsSchema, args ?? {}, 'refreshTools arguments');
        this.assertCanWork();
      },
    });
    setHandler(executeQueryUpdate, this.counted((args) => this.executeQuery(ExecuteQueryArgsSchema.parse(args))), {
      validator: (args) => {
        const { query_id: id } = checkArgs(ExecuteQueryArgsSchema, args, 'executeQuery arguments');
        this.assertCanWork();
        if (id && this.active.has(childQueryId(workflowInfo().workflowId, id))) throw new Error(`a query with id ${id} is already running in this session`);
      },
    });
    setHandler(rememberApprovalUpdate, this.counted((args) => this.tools.remember(args.server, args.tool)), {
      validator: (args) => {
        const { server, tool } = checkArgs(RememberApprovalArgsSchema, args, 'rememberApproval arguments');
        if (!findTool(this.tools.catalog, tool, server)) throw new Error(`${server} has no tool ${tool} in the catalog: refresh the tools first`);
      },
    });
    setHandler(queryStateSignal, (change) => {
      this.arrivals++;
      // Anyone can signal a workflow: a malformed payload must not fail the workflow task.
      const parsed = parseSignal(QueryStateChangeSchema, change, 'queryState');
      const active = parsed ? this.active.get(parsed.workflow_id) : undefined;
      if (!parsed || !active) return;
      active.waiting = parsed.state === 'waiting_approval';
      this.setState(this.busyState());
    });
  }

  /** While queries run: waiting when any of them waits for an approval. */
  private busyState(): SessionState {
    return [...this.active.values()].some((query) => query.waiting) ? 'waiting' : 'executing';
  }

  private assertCanWork() {
    if (!this.tools.servers.size) throw new Error('the session has no servers: add one with addServer first');
    assertTakesWork(this.drain, workflowInfo().historyLength);
  }

  private setState(state: SessionState) {
    this.state = state;
    this.publish();
  }

  private publish() {
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
