import type { PendingFunctionCall } from './conversations';
import { functionOutputText, type ConversationView } from './context';
import { invalidRequest } from './errors';
import type { OutputWriter } from './output-writer';
import type { PlannedCall } from './planner';
import type { ToolOutcome } from './planner-answer';
import type { FunctionOutput } from './prepared-turn';

/** The client's new `function_call_output` items, each matched to the call it answers. */
export function readFunctionOutputs(state: ConversationView): FunctionOutput[] {
  return state.answers.flatMap(({ item: result, inputIndex }) => {
    if (result.type !== 'function_call_output') return [];
    const callId = String(result['call_id']);
    const pending = state.pendingFunctionCalls[callId];
    if (!pending) {
      throw invalidRequest(`No tool call found for function call output with call_id ${callId}.`, `input[${inputIndex ?? 0}].call_id`, 'invalid_value');
    }
    return [{ callId, output: functionOutputText(result['output']), pending }];
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
