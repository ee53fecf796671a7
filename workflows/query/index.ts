/**
 * runQuery: the Responses loop of a query (ask, run or approve tools, ask again), made durable. Each model turn is one
 * activity; each approval request is a durable wait for an `approve`/`deny` update (it survives
 * worker and server restarts, for days); every tool call becomes a call record.
 *
 * Hosted mode (hosted.ts): OpenAI calls the MCP servers inside a Responses call, so the unit of
 * durability is one Responses call; if it is cut off and retried, OpenAI runs that turn's tools
 * again — except approved ones: a stored response is followed by id, and otherwise the approved
 * calls are recorded with an unknown outcome and the run fails (never sent twice). Direct mode
 * (direct.ts): each call is its own activity, retried on its own.
 */
import { setHandler } from '@temporalio/workflow';
import type { ResponsesCallResult } from '../../activities/responses';
import { functionToolsFromCatalog } from '../../src/core/function-tools';
import { outputText } from '../../src/core/parser';
import { filterHistory, HistoryFilterSchema, workflowStatistics, type QueryResult } from '../../src/core/records';
import { MCP_SERVERS } from '../../src/core/search-attributes';
import type { InputItem } from '../../src/core/schemas';
import { catalogTools } from '../../src/core/tools';
import { describeFailure, isActivityOrChildFailure, isListingFailure } from '../failures';
import { parseInput } from '../input';
import {
  approveUpdate,
  catalogQuery,
  denyUpdate,
  historyQuery,
  progressQuery,
  QueryInputSchema,
  resultQuery,
  statsQuery,
  type ParsedQueryInput,
  type QueryInput,
} from '../messages';
import { Approvals } from './approvals';
import { checkBudgetInput, stopWhenOverBudget } from './budget';
import { discover, serversForQuery, type QueryServers } from './catalog';
import { DirectCalls } from './direct';
import { absorbOutput, answerApprovalRequests, recordUnknownOutcomes } from './hosted';
import { Conversation } from './conversation';
import { callModel } from './model';
import { fail, finish } from './outcome';
import { QueryRunState } from './run-state';
import { QueryStop } from './stop';

export async function runQuery(rawInput: QueryInput): Promise<QueryResult> {
  const input = parseInput(QueryInputSchema, rawInput, 'runQuery');
  checkBudgetInput(input);
  const run = new QueryRunState(input);
  const approvals = new Approvals(run);
  registerHandlers(run, approvals);
  run.upsertSearchAttributes([{ key: MCP_SERVERS, value: input.servers.map((server) => server.label) }]);
  try {
    const text = await converse(run, approvals, await serversForQuery(run));
    return finish(run, { success: true, text_response: text, error: null, error_type: null, stale: false });
  } catch (failure) {
    if (!isActivityOrChildFailure(failure) && !(failure instanceof QueryStop)) throw failure;
    return fail(run, failure);
  }
}

/** Model turns until one answers without asking for anything. */
async function converse(run: QueryRunState, approvals: Approvals, { servers, listInFirstTurn }: QueryServers): Promise<string> {
  const { input: options } = run;
  const direct =
    options.mode === 'direct'
      ? functionToolsFromCatalog(
          run.catalog,
          servers.map((server) => server.label),
        )
      : null;
  const directCalls = direct && new DirectCalls(run, approvals, direct.bindings, servers);
  const conversation = Conversation.of(options);
  let input: string | InputItem[] = options.query;
  let listing = listInFirstTurn;
  /** The last turn answered: where this turn's approval answers come from. */
  let asked: ResponsesCallResult | null = null;
  for (;;) {
    if (run.step >= options.max_steps) {
      throw new QueryStop(`the step limit (${options.max_steps} model turns) was reached before a final answer`);
    }
    run.step++;
    run.setState('executing', `asking the model (turn ${run.step}) with ${servers.map((server) => server.label).join(', ')}`);
    let response: ResponsesCallResult;
    try {
      const turn = conversation.turn(input);
      if (conversation.lastClipped)
        run.emit('state', `${conversation.lastClipped} older tool output(s) clipped to keep the conversation under the payload budget`);
      // A tool the server no longer has (direct mode) is not offered again.
      const functionTools = direct?.tools.filter((tool) => !directCalls?.gone.has(tool.name));
      response = await callModel(options, { step: run.step, servers, ...turn, functionTools, failOnListingError: listing }, (detail) =>
        run.emit('state', detail),
      );
    } catch (failure) {
      if (!listing || !isListingFailure(failure)) {
        recordUnknownOutcomes(run, asked, input, failure);
        throw failure;
      }
      // A server could not be listed: find out which by listing each, and ask again without it.
      run.countAttempts(describeFailure(failure).attempts);
      run.step--;
      listing = false;
      servers = await discover(run);
      continue;
    }
    listing = false;
    conversation.answered(input, response);
    run.countAttempts(response.attempt, response.attempt_errors);
    run.addUsage(response.usage);
    run.lastResponseId = response.response_id;
    absorbOutput(run, approvals, response);
    asked = response;
    if (response.status === 'failed' || response.error) {
      throw new QueryStop(`the model run failed: ${response.error?.code ?? response.status}: ${response.error?.message ?? ''}`);
    }
    stopWhenOverBudget(run, response);
    const next = directCalls ? await answerFunctionCalls(directCalls, response.output) : await answerApprovalRequests(approvals, response);
    if (!next) return outputText(response);
    input = next;
  }
}

async function answerFunctionCalls(directCalls: DirectCalls, output: ResponsesCallResult['output']): Promise<InputItem[] | null> {
  const calls = output.filter((item) => item.type === 'function_call');
  return calls.length ? directCalls.execute(calls) : null;
}

function registerHandlers(run: QueryRunState, approvals: Approvals) {
  const input: ParsedQueryInput = run.input;
  setHandler(progressQuery, () => ({
    state: run.state,
    step: run.step,
    max_steps: input.max_steps,
    detail: run.detail,
    pending_approvals: approvals.open(),
    calls_so_far: run.calls.length,
    retries: run.retries,
    events: run.events,
    pending_input: run.openInputs(),
    tasks: run.followedTasks(),
    tokens: run.tokens,
    tokens_by_turn: run.turnTokens,
  }));
  setHandler(statsQuery, () =>
    workflowStatistics({
      results: run.result ? [run.result] : [],
      calls: run.calls,
      errors: run.errors,
      serversConfigured: input.servers.length,
      toolsCached: catalogTools(run.catalog).length,
      tokens: run.tokens,
    }),
  );
  setHandler(historyQuery, (filter) => filterHistory(run.calls, HistoryFilterSchema.parse(filter ?? {})));
  setHandler(catalogQuery, () => run.catalog);
  setHandler(resultQuery, () => run.result);
  // Validators run synchronously: the SDK does not await them.
  setHandler(approveUpdate, (answer) => approvals.answer(true, answer), { validator: (answer) => approvals.validate(answer) });
  setHandler(denyUpdate, (answer) => approvals.answer(false, answer), { validator: (answer) => approvals.validate(answer) });
}
