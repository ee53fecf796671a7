import { setTimeout as delay } from 'node:timers/promises';
import type { PendingApproval, PendingFunctionCall, StoredResponse } from './conversations';
import { chooseCalls, resolveMcpCall } from './choose-calls';
import { turnInputText } from './context-accounting';
import { functionOutcomes, requestFunctionCall } from './function-tools';
import type { McpBridge } from './mcp-bridge';
import { answerApprovals } from './mcp-approvals';
import { callMcpTool, type McpCallContext } from './mcp-calls';
import { OutputWriter } from './output-writer';
import { composeAnswer, type ToolOutcome } from './planner-answer';
import type { PreparedTurn, TurnHooks } from './prepared-turn';
import { inProgressResponse, usageFor } from './responses';
import { quoted, Reasoner } from './reasoner';
import { isFlex, requestedServiceTier } from './service-tier';
import type { EventSink } from './stream';
import { needsApproval } from './tool-policy';

/** How a background turn is held and stopped (./background.ts). */
export interface TurnControl {
  /** Aborted when the response is cancelled: the turn stops at its next step. */
  signal?: AbortSignal;
  /** How long a background response stays `queued` before it starts. */
  queueMs?: number;
}

/** Runs the prepared turn, emitting stream events as items are produced; returns what to store. */
export async function runTurn(
  prepared: PreparedTurn,
  bridge: McpBridge,
  sink: EventSink,
  hooks: TurnHooks,
  control: TurnControl = {},
): Promise<StoredResponse> {
  const response = inProgressResponse(prepared);
  const pause = (ms: number | undefined) => (ms ? delay(ms, undefined, control.signal ? { signal: control.signal } : {}) : control.signal?.throwIfAborted());
  if (response.background) response.status = 'queued';
  const output = OutputWriter.start(response, sink, requestedServiceTier(prepared.request));
  if (response.background) {
    await pause(control.queueMs);
    output.begin();
  }
  for (const [label, tools] of prepared.newListings) output.listTools(label, tools);
  // Flex is slower: a fixed latency on the model call, before its first item.
  const flexMs = isFlex(prepared.request) ? (hooks.flexLatencyMs?.() ?? 0) : 0;
  await pause(flexMs + (prepared.script?.delayMs ?? 0));

  const mcp: McpCallContext = { mcpTools: prepared.mcpTools, bridge, output, hooks };
  const reasoner = new Reasoner(prepared.reasoning, hooks.reasoningSeal, output);
  // Outcomes of earlier turns still count while the question is the same.
  const outcomes: ToolOutcome[] = prepared.isNewQuestion ? [] : [...prepared.previous.outcomes];
  outcomes.push(...(await answerApprovals(mcp, prepared.approvals)));
  outcomes.push(...functionOutcomes(prepared.functionOutputs));

  const pendingApprovals: Record<string, PendingApproval> = {};
  const pendingFunctionCalls: Record<string, PendingFunctionCall> = {};
  const calls = chooseCalls(prepared);
  if (calls.length > 0)
    reasoner.think('Choosing tools', `The question is ${quoted(prepared.question)}. I will call ${calls.map((call) => call.tool).join(', ')}.`);
  for (const call of calls) {
    await pause(0);
    if (call.kind === 'function') {
      const [callId, pending] = requestFunctionCall(output, call);
      pendingFunctionCalls[callId] = pending;
      continue;
    }
    const { server, config, tool } = resolveMcpCall(prepared, call);
    if (!config || !tool) continue;
    const pending: PendingApproval = { server, tool: call.tool, arguments: JSON.stringify(call.arguments) };
    if (needsApproval(config.require_approval, tool)) {
      pendingApprovals[output.approvalRequest(pending)] = pending;
    } else {
      outcomes.push(await callMcpTool(mcp, pending, null));
    }
  }
  await pause(prepared.script?.answerDelayMs);

  // The model answers only when it waits for nothing: an approval or a function output ends the turn.
  const waiting = Object.keys(pendingApprovals).length > 0 || Object.keys(pendingFunctionCalls).length > 0;
  if (!waiting) {
    const thought =
      outcomes.length > 0
        ? `I have ${outcomes.length} tool result(s) to answer ${quoted(prepared.question)}.`
        : `No tool is needed for ${quoted(prepared.question)}.`;
    reasoner.thinkBeforeAnswer('Writing the answer', thought);
    output.message(prepared.script?.answer ?? composeAnswer(prepared.question, outcomes));
  }

  output.complete(usageFor(turnInputText(prepared), response.output, reasoner.tokens));
  return { response, items: [...prepared.context.map(({ item }) => item), ...response.output] };
}
