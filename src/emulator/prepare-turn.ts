import type { CreateResponseRequest } from '../core/schemas';
import { checkScriptedCalls } from './choose-calls';
import { emptyConversation, type StoredResponse } from './conversations';
import { modelNotFoundError } from './errors';
import { readFunctionOutputs } from './function-tools';
import { newId } from './ids';
import type { McpBridge } from './mcp-bridge';
import { readApprovals } from './mcp-approvals';
import { listUnlistedServers } from './mcp-listing';
import type { PreparedTurn, TurnHooks } from './prepared-turn';
import { indexTools, userText } from './request-input';
import { readScript, scriptedCalls, todayOf } from './script';

/**
 * Checks the request against the stored conversation and lists new MCP servers, so that every
 * refusal is an HTTP error status: once `runTurn` starts, a stream has already begun.
 */
export async function prepareTurn(
  request: CreateResponseRequest,
  previous: StoredResponse | undefined,
  bridge: McpBridge,
  hooks: TurnHooks,
  now: () => number = Date.now,
): Promise<PreparedTurn> {
  if (request.model.startsWith('missing-')) throw modelNotFoundError(request.model);
  const state = previous?.state ?? emptyConversation();
  const { mcpTools, functionTools } = indexTools(request);
  const script = readScript(request);
  const question = userText(request);
  const approvals = readApprovals(request, state, mcpTools);
  const functionOutputs = readFunctionOutputs(request, state);
  const newListings = await listUnlistedServers(mcpTools, state.listedServers, bridge, hooks);
  const prepared: PreparedTurn = {
    id: newId('resp'),
    createdAt: Math.floor(now() / 1000),
    request,
    previous: state,
    mcpTools,
    functionTools,
    newListings,
    listings: { ...state.listedServers, ...Object.fromEntries(newListings) },
    // A follow-up without words (approvals, function outputs) continues the stored question.
    question: question || state.question,
    isNewQuestion: question.length > 0 || previous === undefined,
    approvals,
    functionOutputs,
    script,
    today: todayOf(request),
  };
  if (script?.calls) checkScriptedCalls(prepared, scriptedCalls(script) ?? []);
  return prepared;
}
