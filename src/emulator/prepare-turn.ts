import type { CreateResponseRequest } from '../core/schemas';
import { checkScriptedCalls } from './choose-calls';
import type { StoredResponse } from './conversations';
import { buildContext, viewOf, type ItemLookup } from './context';
import { modelNotFoundError } from './errors';
import { readFunctionOutputs } from './function-tools';
import { newId } from './ids';
import type { McpBridge } from './mcp-bridge';
import { readApprovals } from './mcp-approvals';
import { listUnlistedServers } from './mcp-listing';
import { checkReasoningInputs, reasoningPlanOf } from './reasoning';
import type { PreparedTurn, TurnHooks } from './prepared-turn';
import { indexTools } from './request-input';
import { readScript, scriptedCalls, todayOf } from './script';

/**
 * Checks the request against the conversation (stored chain and input items) and lists new MCP servers, so that every
 * refusal is an HTTP error status: once `runTurn` starts, a stream has already begun.
 */
export async function prepareTurn(
  request: CreateResponseRequest,
  previous: StoredResponse | undefined,
  bridge: McpBridge,
  hooks: TurnHooks,
  lookup: ItemLookup,
  now: () => number = Date.now,
): Promise<PreparedTurn> {
  if (request.model.startsWith('missing-')) throw modelNotFoundError(request.model);
  const reasoning = reasoningPlanOf(request);
  const { mcpTools, functionTools } = indexTools(request);
  const context = buildContext(request, previous, lookup);
  checkReasoningInputs(context, lookup, hooks.reasoningSeal);
  const state = viewOf(context);
  const script = readScript(request);
  const approvals = readApprovals(state, mcpTools);
  const functionOutputs = readFunctionOutputs(state);
  const newListings = await listUnlistedServers(mcpTools, state.listedServers, bridge, hooks);
  const prepared: PreparedTurn = {
    id: newId('resp'),
    createdAt: Math.floor(now() / 1000),
    request,
    previous: state,
    context,
    mcpTools,
    functionTools,
    newListings,
    listings: { ...state.listedServers, ...Object.fromEntries(newListings) },
    // A follow-up without words (approvals, function outputs) continues the question at hand.
    question: state.question,
    isNewQuestion: state.isNewQuestion,
    approvals,
    functionOutputs,
    script,
    today: todayOf(request, hooks.today),
    reasoning,
  };
  if (script?.calls) checkScriptedCalls(prepared, scriptedCalls(script) ?? []);
  return prepared;
}
