/**
 * Direct mode: the model sees the MCP tools as function tools; the workflow asks for approval
 * before a call, then runs each call as its own activity (read-only tools retried, tools with
 * side effects tried once), and answers the model with `function_call_output` items.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { RecordedError } from '../../src/core/errors';
import type { ToolBinding } from '../../src/core/function-tools';
import { parseArguments } from '../../src/core/parser';
import { durationMs, type CallRecord } from '../../src/core/records';
import { StructuredBudget } from '../../src/core/structured-budget';
import { heartbeatTimeoutFor } from '../../src/core/timing';
import { activityRetryPolicy } from '../../src/core/retry';
import type { FunctionCallItem, InputItem } from '../../src/core/schemas';
import { requiresApproval, type ServerConfig } from '../../src/core/servers';
import { findTool, type DiscoveredTool } from '../../src/core/tools';
import { refreshCatalog } from '../discovery';
import { describeFailure, isActivityOrChildFailure } from '../failures';
import type { DirectCallInput, DirectCallResult } from '../../activities/mcp';
import { MAX_INPUT_ROUNDS } from '../../src/core/mcp-input';
import type { Approvals } from './approvals';
import { Elicitations } from './elicitation';
import { Tasks } from './tasks';
import { isCutOff, outcomeUnknown } from './cut-calls';
import { CUT_CALL_OUTCOME_UNKNOWN, TOOL_GONE_REFRESH } from '../patches';
import type { QueryRunState } from './run-state';
import { QueryStop } from './stop';

interface Target {
  server: ServerConfig;
  tool: DiscoveredTool;
}

type CallOutcome = Pick<CallRecord, 'status' | 'output' | 'started_at' | 'completed_at' | 'structured_content' | 'structured_content_error'>;

export class DirectCalls {
  /** Function names of tools found gone: no longer offered to the model. */
  readonly gone = new Set<string>();
  private readonly refreshed = new Set<string>();
  private readonly structured = new StructuredBudget();
  /** Calls of this turn cut off after they were sent (./cut-calls.ts): the run stops after the turn. */
  private readonly cut: RecordedError[] = [];
  /** MCP 2026-07-28 servers' questions and tasks (nothing happens there for 2025 servers). */
  private readonly elicitations: Elicitations;
  private readonly tasks: Tasks;

  constructor(
    private readonly run: QueryRunState,
    private readonly approvals: Approvals,
    private readonly bindings: Record<string, ToolBinding>,
    private readonly servers: readonly ServerConfig[],
  ) {
    this.elicitations = new Elicitations(run);
    this.tasks = new Tasks(run, this.elicitations);
  }

  /** Asks for the approvals the calls need, then runs them all; returns the outputs for the next turn. */
  async execute(calls: FunctionCallItem[]): Promise<InputItem[]> {
    const approvalIds: string[] = [];
    for (const call of calls) {
      const target = this.resolve(call);
      if (!target || !requiresApproval(target.server, target.tool.name, target.tool.read_only)) continue;
      const id = directApprovalId(call);
      this.approvals.request({
        id,
        server: target.server.label,
        tool: target.tool.name,
        arguments: parseArguments(call.arguments),
        requested_at: new Date().toISOString(),
      });
      approvalIds.push(id);
    }
    if (approvalIds.length) {
      await this.approvals.settle(approvalIds);
      this.run.setState('executing', `running ${calls.length} tool call(s)`);
    }
    const outputs = await Promise.all(calls.map((call) => this.runCall(call, this.resolve(call))));
    const [cut] = this.cut;
    if (cut) throw new QueryStop(cut.message, cut);
    return outputs;
  }

  private resolve(call: FunctionCallItem): Target | undefined {
    const binding = this.bindings[call.name];
    const server = binding && this.servers.find((each) => each.label === binding.server);
    const tool = binding && findTool(this.run.catalog, binding.tool, binding.server);
    return server && tool ? { server, tool } : undefined;
  }

  private async runCall(call: FunctionCallItem, target: Target | undefined): Promise<InputItem> {
    const reply = (output: string): InputItem => ({ type: 'function_call_output', call_id: call.call_id, output });
    const record = (outcome: CallOutcome, error: RecordedError | null) => this.record(call, target, outcome, error);
    if (!target) {
      const message = `the model called ${call.name}, which is not in the catalog`;
      record({ status: 'failed', output: null, started_at: null, completed_at: null }, { type: 'tool_not_found', message, retryable: false });
      return reply(`Error: ${message}`);
    }
    const decision = this.approvals.decision(directApprovalId(call));
    if (decision && !decision.approve) return reply(`The user denied this call${decision.reason ? `: ${decision.reason}` : ''}.`);
    const options = this.run.input;
    const activities = proxyActivities<Activities>({
      startToCloseTimeout: options.call_timeout_ms,
      // The activity beats while it waits (activities/mcp/deadline.ts): a dead worker is noticed in seconds.
      heartbeatTimeout: heartbeatTimeoutFor(options.call_timeout_ms),
      // A call cut off after it was sent may have run: a tool with side effects gets one attempt.
      retry: target.tool.read_only ? activityRetryPolicy(options.retry) : { ...activityRetryPolicy(options.retry), maximumAttempts: 1 },
      summary: `Call ${target.server.label} · ${target.tool.name} (direct mode)`,
    });
    try {
      const base: DirectCallInput = {
        server: target.server,
        tool: target.tool,
        arguments: parseArguments(call.arguments),
        retry: options.retry,
        timeout_ms: options.call_timeout_ms,
      };
      // A result without `interaction` (every 2025 server's) is final as it is: no new commands.
      const result = await this.untilFinished(await activities.callToolDirect(base), base, call.call_id, activities);
      this.run.countAttempts(result.attempt, result.attempt_errors);
      const error: RecordedError | null = result.is_error ? { type: 'execution_error', message: result.output, retryable: false } : null;
      record(
        {
          status: result.is_error ? 'failed' : 'completed',
          output: result.output,
          started_at: result.started_at,
          completed_at: result.completed_at,
          ...this.structured.keep(result),
        },
        error,
      );
      return reply(result.output);
    } catch (failure) {
      if (!isActivityOrChildFailure(failure)) throw failure;
      const described = describeFailure(failure);
      let { error } = described;
      this.run.countAttempts(described.attempts);
      if (isCutOff(target.tool.read_only, error) && patched(CUT_CALL_OUTCOME_UNKNOWN)) {
        error = outcomeUnknown(target.server.label, target.tool.name, failure, error);
        this.cut.push(error);
      }
      record({ status: 'failed', output: null, started_at: null, completed_at: new Date().toISOString() }, error);
      if (error.type === 'tool_not_found' && patched(TOOL_GONE_REFRESH) && (await this.isGone(target))) {
        this.gone.add(call.name);
        return reply(
          `Error (tool_not_found): ${target.server.label} no longer offers ${target.tool.name} (its tool list was just refreshed); do not call it again.`,
        );
      }
      return reply(`Error (${error.type}): ${error.message}`);
    }
  }

  /**
   * A 2026-07-28 server may not be done after one `tools/call`: it asks for input (the person is
   * asked, durably; then the call is issued again with the answers and the server's
   * `requestState`), refuses a `requestState` that expired meanwhile (the call starts over and the
   * person is asked again), or returns a task (followed until it ends).
   */
  private async untilFinished(
    first: DirectCallResult,
    base: DirectCallInput,
    callId: string,
    activities: { callToolDirect: (input: DirectCallInput) => Promise<DirectCallResult> },
  ): Promise<DirectCallResult> {
    const startedAt = Date.parse(first.started_at);
    const asker = { server: base.server.label, tool: base.tool.name, call_id: callId };
    let result = first;
    let rounds = 0;
    let askedAgain = false;
    while (result.interaction) {
      const interaction = result.interaction;
      this.run.countAttempts(result.attempt, result.attempt_errors);
      if (interaction.kind === 'task') {
        result = await this.tasks.follow(interaction, { ...base, call_id: callId }, Number.isNaN(startedAt) ? Date.now() : startedAt);
        break;
      }
      if (++rounds > MAX_INPUT_ROUNDS) {
        return {
          output: `${asker.server} asked for input ${MAX_INPUT_ROUNDS} times without finishing the call; given up`,
          is_error: true,
          started_at: first.started_at,
          completed_at: new Date().toISOString(),
          attempt: 1,
        };
      }
      if (interaction.kind === 'request_state_rejected') {
        this.run.emit(
          'state',
          `${asker.server} · ${asker.tool} no longer accepts the earlier answer (${interaction.message}): calling it again from the start; the question will be asked again`,
        );
        askedAgain = true;
        result = await activities.callToolDirect(base);
        continue;
      }
      const responses = Object.keys(interaction.input_requests).length ? await this.elicitations.ask(asker, interaction.input_requests, askedAgain) : {};
      askedAgain = false;
      // With only `requestState` (the server shedding load), the retry carries no inputResponses.
      const retry: DirectCallInput = Object.keys(responses).length ? { ...base, input_responses: responses } : { ...base };
      if (interaction.request_state !== undefined) retry.request_state = interaction.request_state;
      result = await activities.callToolDirect(retry);
    }
    return { ...result, started_at: first.started_at };
  }

  /**
   * The server said the tool does not exist (JSON-RPC -32601): lists that server once per run,
   * keeps the new catalog, and tells whether the tool is really gone.
   */
  private async isGone(target: Target): Promise<boolean> {
    if (!this.refreshed.has(target.server.label)) {
      this.refreshed.add(target.server.label);
      const { catalog } = await refreshCatalog([target.server], this.run.catalog, this.run.input);
      this.run.catalog = { servers: { ...this.run.catalog.servers, ...catalog.servers } };
      this.run.emit('discovery', `${target.server.label}: tool list refreshed after ${target.tool.name} was not found`);
    }
    const entry = this.run.catalog.servers[target.server.label];
    return entry?.status === 'ok' && !findTool(this.run.catalog, target.tool.name, target.server.label);
  }

  private record(call: FunctionCallItem, target: Target | undefined, outcome: CallOutcome, error: RecordedError | null) {
    const approvalId = directApprovalId(call);
    this.run.addCall(
      {
        id: call.call_id,
        tool: target?.tool.name ?? call.name,
        server: target?.server.label ?? 'unknown',
        arguments: parseArguments(call.arguments),
        ...outcome,
        error_type: error?.type ?? null,
        error_message: error?.message ?? null,
        approval_request_id: this.approvals.decision(approvalId) ? approvalId : null,
        duration_ms: durationMs(outcome.started_at, outcome.completed_at),
        // Who approved it and who answered the server's questions.
        ...this.approvals.recordOf(approvalId),
        ...inputAnswers(this.elicitations.answersFor(call.call_id)),
      },
      error,
    );
  }
}

function inputAnswers(answers: CallRecord['input_answers']): Pick<CallRecord, 'input_answers'> {
  return answers?.length ? { input_answers: answers } : {};
}

/** Direct mode has no API-issued approval ids; the call id makes a stable one. */
function directApprovalId(call: FunctionCallItem): string {
  return `apr_${call.call_id}`;
}
