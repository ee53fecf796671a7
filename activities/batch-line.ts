/**
 * runBatchLine: one batch line run inside one activity (issue 26; the rules are
 * src/core/batch-line.ts): the direct-mode query loop of runQuery — list, ask the model, run the
 * read-only calls it asks for, ask again — built from the same activity functions the workflow
 * schedules one by one (listToolsDirect, callToolDirect, callResponsesApi), called here in
 * process. Before anything that needs a person or may have a side effect it returns `escalate`,
 * having sent nothing of it; so does any failure an attempt of a part does not fix, so that
 * the line's runQuery child produces the very result (or failure) it produces today.
 *
 * A retry of this activity (worker SIGKILL, server restart) starts the line from its first
 * turn: only listings, model turns and read-only calls are repeated.
 *
 * A hosted line (allowed only as src/core/batch-line.ts's hostedChildReason says) is the child's
 * first turn, sent from here: the API runs its tools, and a retry re-sends it as the child's
 * retry would.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { callEscalation, resolveCall, type BatchLineActivityResult, type CallTarget } from '../src/core/batch-line';
import { carriedItem, defaultConversationMode, fitConversation, MAX_CARRIED_BYTES } from '../src/core/conversation';
import { functionToolsFromCatalog } from '../src/core/function-tools';
import { isReasoningModel, setModelOptions } from '../src/core/model-options';
import { listedServerCatalog, outputText, parseArguments, recordFromMcpCall } from '../src/core/parser';
import { OutputBudget } from '../src/core/payload-size';
import { callFailureCounts, durationMs, type CallRecord, type QueryResult } from '../src/core/records';
import { StructuredBudget } from '../src/core/structured-budget';
import type { FunctionCallItem, InputItem } from '../src/core/schemas';
import { isToolAllowed, type ServerConfig } from '../src/core/servers';
import { KEEP_ALIVE_HEARTBEAT_MS } from '../src/core/timing';
import { discoveredToolFromListed, type Catalog } from '../src/core/tools';
import { addTokens, EMPTY_TOKENS, turnTokens, type TokenTotals } from '../src/core/usage';
import { McpflowError } from '../src/core/mcpflow-error';
import { errorTypeOf, readActivityFailureDetails } from '../src/core/failures';
import type { ParsedQueryInput } from '../workflows/messages';
import type { DirectCallInput, DirectCallResult, DirectListInput, DirectListResult } from './mcp';
import type { ResponsesCallInput, ResponsesCallResult } from './responses';

export interface BatchLineParts {
  listToolsDirect(input: DirectListInput): Promise<DirectListResult>;
  callToolDirect(input: DirectCallInput): Promise<DirectCallResult>;
  callResponsesApi(input: ResponsesCallInput): Promise<ResponsesCallResult>;
}

/** A part failed in a way its own retries would not fix here: the line goes to its child, which retries and records it as today. */
class Escalate extends McpflowError {}

export function createBatchLineActivities(parts: BatchLineParts) {
  /** The line's runQuery input, parsed by the batch (servers at the top, so the worker's server registry resolves them like any activity's). */
  async function runBatchLine(input: ParsedQueryInput): Promise<BatchLineActivityResult> {
    const startedAt = Date.now();
    // Beats between the parts too (a non-streamed turn does not), so a lost worker is noticed in seconds whatever the line does.
    const context = Context.current();
    const keepAlive = setInterval(() => context.heartbeat({ line: 'running' }), KEEP_ALIVE_HEARTBEAT_MS);
    try {
      const result = await new LineLoop(parts, input).run();
      return { kind: 'done', result: { ...result, duration_ms: Date.now() - startedAt } };
    } catch (error) {
      if (error instanceof Escalate) return { kind: 'escalate', reason: error.message };
      // A retryable failure of a part retries the whole line (read-only work only); any other goes to the child.
      if (error instanceof ApplicationFailure && error.nonRetryable) return { kind: 'escalate', reason: `${error.type ?? 'failure'}: ${error.message}` };
      throw error;
    } finally {
      clearInterval(keepAlive);
    }
  }
  return { runBatchLine };
}

class LineLoop {
  private catalog: Catalog = { servers: {} };
  private readonly calls: CallRecord[] = [];
  /** What the line's call records keep of the outputs, as runQuery keeps them (the model gets each output whole). */
  private readonly outputBudget = new OutputBudget();
  private readonly structured = new StructuredBudget();
  private tokens: TokenTotals = EMPTY_TOKENS;
  private previousResponseId: string | null = null;
  /** Stateless conversation: every item so far (runQuery's Conversation, without the workflow). */
  private carried: InputItem[] = [];
  private readonly stateless: boolean;

  constructor(
    private readonly parts: BatchLineParts,
    private readonly input: ParsedQueryInput,
  ) {
    this.stateless = (input.conversation ?? defaultConversationMode(input.approval_timeout_ms)) === 'stateless';
  }

  async run(): Promise<Omit<QueryResult, 'duration_ms'>> {
    return this.input.mode === 'direct' ? this.runDirect() : this.runHosted();
  }

  /**
   * A hosted line (allowed by hostedChildReason): one turn in which the API lists the servers and
   * runs their tools, sent as the child's first turn would be. An approval request (servers that
   * ask for every tool: none ran) goes to the child; a model run that failed ends the line as the
   * child's would end, and so does a failure no retry fixes once tools may have run (never sent twice).
   */
  private async runHosted(): Promise<Omit<QueryResult, 'duration_ms'>> {
    Context.current().heartbeat({ step: 1 });
    let response: ResponsesCallResult;
    try {
      response = await this.parts.callResponsesApi({ ...this.request(this.input.query), servers: [...this.input.servers], fail_on_listing_error: true });
    } catch (failure) {
      // Tools that need no approval may have run before a failure no retry fixes: end the line as its child would, never send it again.
      if (
        !(failure instanceof ApplicationFailure) ||
        !failure.nonRetryable ||
        readActivityFailureDetails(failure.details)?.listing_failed ||
        !this.toolsRunUnasked()
      )
        throw failure;
      return { ...this.result(null, ''), success: false, error: failure.message, error_type: errorTypeOf(failure.type) ?? 'unknown' };
    }
    this.tokens = addTokens(this.tokens, turnTokens(response.usage, this.input.price));
    if (response.output.some((item) => item.type === 'mcp_approval_request')) throw new Escalate('a tool needs approval');
    for (const item of response.output) {
      if (item.type !== 'mcp_call') continue;
      const { record } = recordFromMcpCall(item, response.call_times[item.id]);
      this.calls.push(record.output === null ? record : { ...record, output: this.outputBudget.keep(record.output) });
    }
    if (response.status === 'failed' || response.error) {
      // As the child's first turn ends (workflows/query/index.ts): failed, not sent again.
      const failure = `the model run failed: ${response.error?.code ?? response.status}: ${response.error?.message ?? ''}`;
      return { ...this.result(response, ''), success: false, error: failure, error_type: 'unknown' };
    }
    return this.result(response, outputText(response));
  }

  /** Whether the API runs this hosted line's tools without asking (servers that never ask: hostedChildReason allows no mix). */
  private toolsRunUnasked(): boolean {
    return this.input.servers.some((server) => server.require_approval === 'never');
  }

  private result(response: ResponsesCallResult | null, text: string): Omit<QueryResult, 'duration_ms'> {
    return {
      query: this.input.query,
      success: true,
      text_response: text,
      error: null,
      error_type: null,
      stale: false,
      tool_calls: this.calls,
      // The parts are not retried inside the activity (a failure retries the whole line): their `attempt` is the line's.
      retries: Context.current().info.attempt - 1,
      response_id: response?.response_id ?? null,
      ...callFailureCounts(this.calls),
      usage: this.tokens,
    };
  }

  private async runDirect(): Promise<Omit<QueryResult, 'duration_ms'>> {
    const servers = await this.list();
    const direct = functionToolsFromCatalog(
      this.catalog,
      servers.map((server) => server.label),
    );
    let next: string | InputItem[] = this.input.query;
    for (let step = 1; ; step++) {
      if (step > this.input.max_steps) throw new Escalate(`the step limit (${this.input.max_steps} model turns) was reached`);
      Context.current().heartbeat({ step });
      const response = await this.parts.callResponsesApi(this.request(next, direct.tools));
      this.tokens = addTokens(this.tokens, turnTokens(response.usage, this.input.price));
      this.answered(next, response);
      if (response.status === 'failed' || response.error) throw new Escalate(`the model run failed: ${response.error?.code ?? response.status}`);
      const calls = response.output.filter((item): item is FunctionCallItem => item.type === 'function_call');
      if (!calls.length) return this.result(response, outputText(response));
      // Every call of the turn is checked before any is sent: one that needs the child sends none.
      const targets = calls.map((call) => {
        const target = resolveCall(call.name, direct.bindings, this.catalog, servers);
        const reason = callEscalation(call.name, target);
        if (reason) throw new Escalate(reason);
        return target!;
      });
      next = await Promise.all(calls.map((call, index) => this.call(call, targets[index]!.server, targets[index]!.tool)));
    }
  }

  /** Every server listed directly (runQuery's `discover`); a server that cannot be listed sends the line to its child. */
  private async list(): Promise<ServerConfig[]> {
    const fetchedAt = new Date().toISOString();
    await Promise.all(
      this.input.servers.map(async (server) => {
        const listed = await this.parts.listToolsDirect({ server, retry: this.input.retry, timeout_ms: this.input.call_timeout_ms });
        const tools = listed.tools
          .map((tool) => discoveredToolFromListed(tool, server.label))
          .filter((tool) => isToolAllowed(server, tool.name, tool.read_only));
        const entry = listedServerCatalog(server.label, tools, fetchedAt);
        if (listed.ttl_ms !== undefined) entry.ttl_ms = listed.ttl_ms;
        if (listed.cache_scope !== undefined) entry.cache_scope = listed.cache_scope;
        this.catalog.servers[server.label] = entry;
      }),
    );
    return [...this.input.servers];
  }

  private request(next: string | InputItem[], functionTools?: ResponsesCallInput['function_tools']): ResponsesCallInput {
    const { input } = this;
    let turn: Pick<ResponsesCallInput, 'input' | 'previous_response_id' | 'store' | 'include'>;
    if (this.stateless) {
      const fitted = fitConversation([...this.carried, ...asItems(next)]);
      if (fitted.bytes > MAX_CARRIED_BYTES) throw new Escalate('the conversation is over the budget for carried items');
      turn = {
        input: fitted.items,
        previous_response_id: null,
        store: false,
        ...(isReasoningModel(input.model) ? { include: ['reasoning.encrypted_content' as const] } : {}),
      };
    } else {
      turn = { input: next, previous_response_id: this.previousResponseId };
    }
    return {
      model: input.model,
      ...turn,
      servers: [],
      ...(functionTools ? { function_tools: functionTools } : {}),
      instructions: input.instructions,
      stream: input.stream,
      metadata: input.metadata,
      retry: input.retry,
      timeout_ms: input.call_timeout_ms,
      ...setModelOptions(input),
    };
  }

  private answered(next: string | InputItem[], response: ResponsesCallResult) {
    this.previousResponseId = response.response_id;
    if (!this.stateless) return;
    const output = response.output.map(carriedItem).filter((item): item is InputItem => item !== null);
    this.carried = [...this.carried, ...asItems(next), ...output];
  }

  /** One read-only call, no approval needed (checked by the caller); an elicitation or a task sends the line to its child. */
  private async call(call: FunctionCallItem, server: ServerConfig, tool: CallTarget['tool']): Promise<InputItem> {
    const args = parseArguments(call.arguments);
    const result = await this.parts.callToolDirect({ server, tool, arguments: args, retry: this.input.retry, timeout_ms: this.input.call_timeout_ms });
    if (result.interaction) throw new Escalate(`${server.label} · ${tool.name} asked for ${result.interaction.kind}`);
    const record: CallRecord = {
      id: call.call_id,
      tool: tool.name,
      server: server.label,
      arguments: args,
      status: result.is_error ? 'failed' : 'completed',
      output: this.outputBudget.keep(result.output),
      error_type: result.is_error ? 'execution_error' : null,
      error_message: result.is_error ? result.output : null,
      approval_request_id: null,
      started_at: result.started_at,
      completed_at: result.completed_at,
      duration_ms: durationMs(result.started_at, result.completed_at),
      ...this.structured.keep(result),
    };
    this.calls.push(record);
    return { type: 'function_call_output', call_id: call.call_id, output: result.output };
  }
}

function asItems(next: string | InputItem[]): InputItem[] {
  return typeof next === 'string' ? [{ type: 'message', role: 'user', content: next }] : next;
}
