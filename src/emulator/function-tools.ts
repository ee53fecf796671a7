import { FunctionCallOutputItemSchema, type CreateResponseRequest } from '../core/schemas';
import type { ConversationState, PendingFunctionCall } from './conversations';
import { invalidRequest } from './errors';
import type { OutputWriter } from './output-writer';
import type { PlannedCall } from './planner';
import type { ToolOutcome } from './planner-answer';
import type { FunctionOutput } from './prepared-turn';
import { inputItemsMatching } from './request-input';

/** The `function_call_output` items of the input, each matched to the call it answers. */
export function readFunctionOutputs(request: CreateResponseRequest, state: ConversationState): FunctionOutput[] {
  return inputItemsMatching(request, FunctionCallOutputItemSchema).map(([result, index]) => {
    const pending = state.pendingFunctionCalls[result.call_id];
    if (!pending) {
      throw invalidRequest(`No tool call found for function call output with call_id ${result.call_id}.`, `input[${index}].call_id`, 'invalid_value');
    }
    return { callId: result.call_id, output: result.output, pending };
  });
}

/** The client ran the function: its output counts as a successful call. */
export function functionOutcomes(outputs: readonly FunctionOutput[]): ToolOutcome[] {
  return outputs.map((result) => ({ kind: 'function', tool: result.pending.tool, status: 'ok', output: result.output }));
}

/**
 * Writes the `function_call` item. The client runs the function, so the call stays pending until
 * a follow-up brings its output; returns the call_id with what to remember.
 */
export function requestFunctionCall(output: OutputWriter, call: PlannedCall): [callId: string, pending: PendingFunctionCall] {
  const args = JSON.stringify(call.arguments);
  return [output.functionCall(call.tool, args), { tool: call.tool, arguments: args }];
}
