/**
 * What the inbox lists: every pending approval and every MCP server's question across runs
 * (queries on their own, a session's, a batch's lines: all are runQuery runs, found by
 * src/client/pending.ts through the McpState search attribute), with what a person needs to
 * decide: server, tool, arguments (redacted), the question, the run's age and its Web UI link.
 *
 * One snapshot serves every browser: it is read from Temporal at most once per `maxAgeMs`, only
 * while someone asks, and a decision makes the next read fresh.
 */
import { listWaiting, type WaitingRows } from '../client/pending';
import type { McpflowClient } from '../client/client';
import type { RequestedSchema } from '../core/mcp-input';
import { decodeArrayFromPayloads } from '../codec/sdk-internals';
import { redactText } from '../../activities/secrets';
import { redactArguments } from './redact';

interface RunFacts {
  workflow_id: string;
  /** The run's start time (its age is counted from it). */
  run_started_at: string | null;
  /** The session or batch the run belongs to. */
  parent_id: string | null;
  /** What the run was asked (its input's `query`), clipped. */
  query: string | null;
  ui_url: string | null;
}

export interface ApprovalItem extends RunFacts {
  kind: 'approval';
  id: string;
  server: string;
  tool: string;
  arguments: Record<string, unknown>;
  requested_at: string;
  call_hash: string | null;
}

export interface InputItem extends RunFacts {
  kind: 'input';
  id: string;
  server: string;
  tool: string;
  message: string;
  mode: 'form' | 'url';
  requested_schema: RequestedSchema | null;
  url: string | null;
  requested_at: string;
}

export interface InboxSnapshot {
  generated_at: string;
  approvals: ApprovalItem[];
  inputs: InputItem[];
  /** Runs that may wait but could not be read (no worker, no key…): said, never hidden. */
  unreadable: Array<{ workflow_id: string; error: string }>;
  /** Set when Temporal could not be listed at all. */
  error: string | null;
}

const QUERY_TEXT_CHARS = 300;
const QUERY_TEXT_CACHE = 5_000;

export class InboxFeed {
  /** The latest finished read, and when it finished. */
  private latest: { at: number; value: InboxSnapshot } | undefined;
  /** One read at a time, however many browsers ask: a slow namespace is not read twice at once. */
  private reading: Promise<InboxSnapshot> | undefined;
  /** Set by a decision: the next answer must come from a read started after it. */
  private stale = false;
  /** A run's input never changes: read once per run. */
  private readonly queries = new Map<string, Promise<string | null>>();

  constructor(
    private readonly client: McpflowClient,
    private readonly uiUrl: (workflowId: string) => string | undefined,
    private readonly maxAgeMs = 1_500,
  ) {}

  async current(): Promise<InboxSnapshot> {
    if (this.latest && !this.stale && Date.now() - this.latest.at <= this.maxAgeMs) return this.latest.value;
    // A read in flight that began before a decision may still list what was just answered: wait for it, then read again.
    while (this.reading) await this.reading;
    if (this.latest && !this.stale && Date.now() - this.latest.at <= this.maxAgeMs) return this.latest.value;
    this.stale = false;
    this.reading = this.read().finally(() => (this.reading = undefined));
    const value = await this.reading;
    this.latest = { at: Date.now(), value };
    return value;
  }

  /** After a decision: the next request reads Temporal again. */
  invalidate(): void {
    this.stale = true;
  }

  private async read(): Promise<InboxSnapshot> {
    let rows: WaitingRows;
    try {
      rows = await listWaiting(this.client, {});
    } catch (error) {
      return { generated_at: new Date().toISOString(), approvals: [], inputs: [], unreadable: [], error: (error as Error).message };
    }
    const facts = async (workflowId: string): Promise<RunFacts> => ({
      workflow_id: workflowId,
      run_started_at: rows.runs[workflowId]?.started_at ?? null,
      parent_id: rows.runs[workflowId]?.parent_id ?? null,
      query: await this.queryText(workflowId),
      ui_url: this.uiUrl(workflowId) ?? null,
    });
    const approvals = await Promise.all(
      rows.approvals.map(async ({ workflow_id, approval }): Promise<ApprovalItem> => ({
        ...(await facts(workflow_id)),
        kind: 'approval',
        id: approval.id,
        server: approval.server,
        tool: approval.tool,
        arguments: redactArguments(approval.arguments),
        requested_at: approval.requested_at,
        call_hash: approval.call_hash ?? null,
      })),
    );
    const inputs = await Promise.all(
      rows.inputs.map(async ({ workflow_id, input }): Promise<InputItem> => ({
        ...(await facts(workflow_id)),
        kind: 'input',
        id: input.id,
        server: input.server,
        tool: input.tool,
        message: redactText(input.message, []),
        mode: input.mode,
        requested_schema: input.requested_schema ?? null,
        url: input.url ?? null,
        requested_at: input.requested_at,
      })),
    );
    const byAge = (a: { requested_at: string }, b: { requested_at: string }) => a.requested_at.localeCompare(b.requested_at);
    this.forgetGone(new Set(Object.keys(rows.runs)));
    return { generated_at: new Date().toISOString(), approvals: approvals.sort(byAge), inputs: inputs.sort(byAge), unreadable: rows.unreadable, error: null };
  }

  /** The run's question, from its start event's input (decoded with the client's converter: encrypted inputs too). */
  private queryText(workflowId: string): Promise<string | null> {
    let text = this.queries.get(workflowId);
    if (!text) {
      text = this.client.connection.workflowService
        .getWorkflowExecutionHistory({ namespace: this.client.namespace, execution: { workflowId }, maximumPageSize: 1 })
        .then(async (response) => {
          const payloads = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
          const [input] = await decodeArrayFromPayloads(this.client.temporal.options.loadedDataConverter, payloads);
          const query = (input as { query?: unknown } | undefined)?.query;
          return typeof query === 'string' ? redactText(query.slice(0, QUERY_TEXT_CHARS), []) : null;
        })
        .catch(() => null);
      this.queries.set(workflowId, text);
    }
    return text;
  }

  private forgetGone(listed: ReadonlySet<string>): void {
    if (this.queries.size < QUERY_TEXT_CACHE) return;
    for (const id of this.queries.keys()) if (!listed.has(id)) this.queries.delete(id);
  }
}
