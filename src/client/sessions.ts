/**
 * Sessions (mcpSession): one long-lived workflow per session id that holds servers, the tool
 * cache, standing approvals and the history of every query it ran. Each query runs as a child
 * runQuery (`<session>/<query id>`) that can be watched and approved like any other query.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateStage } from '@temporalio/client';
import type { QueryResult, WorkflowStatistics } from '../core/records';
import type { ServerConfig } from '../core/servers';
import {
  addServerUpdate,
  childQueryId,
  executeQueryUpdate,
  exportQuery,
  isQueryStarted,
  refreshToolsUpdate,
  rememberApprovalUpdate,
  sessionProgressQuery,
  type ExecuteQueryArgs,
  type SessionExport,
  type SessionInput,
  type SessionProgress,
  type SessionRefreshResult,
  type StandingApproval,
} from '../../workflows/messages';
import type { mcpSession } from '../../workflows/session';
import type { McpflowClient, WorkflowSummary } from './client';
import { NotFoundError, WrongWorkflowTypeError } from './errors';
import { retryingUpdate } from './update-retries';
import { withRunDefaults } from './run-defaults';

export interface SessionQueryStart {
  session_id: string;
  /** The child runQuery's workflow id: watch and approve it like any query. */
  query_workflow_id: string;
  /** Settles with the query's result (the session's executeQuery update). */
  result: Promise<QueryResult>;
}

const CHILD_APPEAR_TIMEOUT_MS = 30_000;

export class SessionApi {
  constructor(private readonly client: McpflowClient) {}

  /**
   * Starts the session, or uses the running one with that id (USE_EXISTING), then adds any of
   * `input.servers` it does not have yet. Returns the session's servers.
   */
  async startOrGet(sessionId: string, input: SessionInput = {}): Promise<string[]> {
    // USE_EXISTING only finds a running workflow: a closed session (or another workflow's
    // closed run) would silently become a new, empty session under the same id.
    const existing = await this.client.describe(sessionId).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    if (existing) this.assertRunningSession(sessionId, existing);
    const servers = input.servers ?? [];
    const { search_attributes, typedSearchAttributes } = await this.client.searchAttributesFor(servers.map((server) => server.label));
    await this.client.call(sessionId, () =>
      this.client.temporal.workflow.start<typeof mcpSession>('mcpSession', {
        taskQueue: this.client.taskQueue,
        workflowId: sessionId,
        args: [{ ...withRunDefaults(input, this.client.runDefaults), search_attributes }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        typedSearchAttributes,
        staticSummary: `mcpflow session ${sessionId}`,
      }),
    );
    const progress = await this.progress(sessionId);
    let labels = progress.servers;
    for (const server of servers) {
      if (!labels.includes(server.label)) labels = await this.addServer(sessionId, server as ServerConfig);
    }
    return labels;
  }

  // Every update below is sent again, to the latest run, when it met a continue-as-new (./update-retries.ts).

  addServer(sessionId: string, server: ServerConfig): Promise<string[]> {
    return retryingUpdate(() =>
      this.client.update(sessionId, () =>
        this.client.handle(sessionId).startUpdate(addServerUpdate, { args: [server], waitForStage: WorkflowUpdateStage.ACCEPTED }),
      ),
    );
  }

  /** A standing approval: the session approves calls of this tool until its definition changes, or for `ttlMs` at most. */
  trust(sessionId: string, server: string, tool: string, options: { ttlMs?: number } = {}): Promise<StandingApproval[]> {
    const args = { server, tool, ...(options.ttlMs ? { ttl_ms: options.ttlMs } : {}) };
    return retryingUpdate(() =>
      this.client.update(sessionId, () =>
        this.client.handle(sessionId).startUpdate(rememberApprovalUpdate, { args: [args], waitForStage: WorkflowUpdateStage.ACCEPTED }),
      ),
    );
  }

  async progress(sessionId: string): Promise<SessionProgress> {
    await this.assertSession(sessionId);
    return this.client.query(sessionId, sessionProgressQuery);
  }

  async export(sessionId: string): Promise<SessionExport> {
    await this.assertSession(sessionId);
    return this.client.query(sessionId, exportQuery);
  }

  stats(sessionId: string): Promise<WorkflowStatistics> {
    return this.client.stats(sessionId);
  }

  refresh(sessionId: string, force = true): Promise<SessionRefreshResult> {
    return retryingUpdate(() =>
      this.client.update(sessionId, () =>
        this.client.handle(sessionId).startUpdate(refreshToolsUpdate, { args: [{ force_refresh: force }], waitForStage: WorkflowUpdateStage.ACCEPTED }),
      ),
    );
  }

  /**
   * Sends executeQuery and returns as soon as the session accepted it, with the id of the child
   * runQuery so that the caller can watch it (and answer its approvals) while it runs.
   */
  async startQuery(sessionId: string, args: ExecuteQueryArgs): Promise<SessionQueryStart> {
    const queryId = args.query_id ?? `query-${randomUUID().slice(0, 8)}`;
    const queryWorkflowId = childQueryId(sessionId, queryId);
    // Only the start is sent again: once accepted, the query runs, and its outcome is awaited once.
    const update = await retryingUpdate(() =>
      this.client.acceptedUpdate(sessionId, () =>
        this.client.handle(sessionId).startUpdate(executeQueryUpdate, { args: [{ ...args, query_id: queryId }], waitForStage: WorkflowUpdateStage.ACCEPTED }),
      ),
    );
    // A session since 'session-query-returns-at-once' answers with the child's id at once: its
    // result is the child's; a session run from before answers with the result itself.
    const result = this.client
      .call(sessionId, () => update.result())
      .then((outcome) => (isQueryStarted(outcome) ? this.childResult(outcome.workflow_id, args.query) : outcome));
    // Callers may never await it if they fail first; an unobserved rejection would crash the process.
    result.catch(() => undefined);
    // The session may still be refreshing its tools: wait until the child run exists (or all is over).
    const deadline = Date.now() + CHILD_APPEAR_TIMEOUT_MS;
    for (;;) {
      const started = await this.client.describe(queryWorkflowId).then(
        () => true,
        () => false,
      );
      if (started) return { session_id: sessionId, query_workflow_id: queryWorkflowId, result };
      const settled = await Promise.race([
        result.then(
          () => true,
          () => true,
        ),
        delay(200).then(() => false),
      ]);
      if (settled) return { session_id: sessionId, query_workflow_id: queryWorkflowId, result };
      if (Date.now() > deadline) throw new Error(`session ${sessionId} accepted the query but did not start it within ${CHILD_APPEAR_TIMEOUT_MS / 1000} s`);
    }
  }

  private async childResult(workflowId: string, query: string): Promise<QueryResult> {
    const outcome = await this.client.waitForQuery(workflowId);
    return outcome.result ?? { ...failedQuery(query), error: outcome.error ?? `query run ${workflowId} ended without a result` };
  }

  /** Refuses anything but a running mcpSession (e.g. as the target of a refresh schedule). */
  async requireRunningSession(sessionId: string): Promise<void> {
    this.assertRunningSession(sessionId, await this.client.describe(sessionId));
  }

  private assertRunningSession(sessionId: string, description: WorkflowSummary): void {
    if (description.type !== 'mcpSession') {
      throw new WrongWorkflowTypeError(`${sessionId} is a ${description.type} workflow, not a session (mcpSession): choose another session id`);
    }
    if (description.status !== 'RUNNING') {
      throw new WrongWorkflowTypeError(
        `session ${sessionId} has ended (${description.status.toLowerCase()}): its history stays readable (mcpflow export ${sessionId}); choose another id for a new session`,
      );
    }
  }

  private async assertSession(sessionId: string): Promise<void> {
    const description = await this.client.describe(sessionId);
    if (description.type !== 'mcpSession') {
      throw new WrongWorkflowTypeError(
        `${sessionId} is a ${description.type} workflow, not a session (mcpSession): sessions are started by \`mcpflow query --session <id>\` or \`mcpflow session start\``,
      );
    }
  }
}

function failedQuery(query: string): QueryResult {
  return {
    query,
    success: false,
    text_response: '',
    tool_calls: [],
    duration_ms: 0,
    retries: 0,
    error: null,
    error_type: 'unknown',
    stale: false,
    response_id: null,
  };
}
