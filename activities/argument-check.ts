/**
 * checkToolArguments: the arguments of calls waiting for approval, against their tools' input
 * schemas (Ajv, src/core/validation.ts), so that the person asked sees a mismatch before deciding.
 * A local activity: pure work on its input, run in the worker's process, because Ajv in the
 * workflow sandbox would cost every run about 1 MiB (docs/ARCHITECTURE.md, elicitation).
 */
import { validateArguments } from '../src/core/validation';
import type { ArgumentCheck, ArgumentCheckResult } from '../src/core/wait-notice';

export function createArgumentCheckActivities() {
  async function checkToolArguments(input: { calls: ArgumentCheck[] }): Promise<ArgumentCheckResult> {
    const problems: ArgumentCheckResult = {};
    for (const call of input.calls) {
      try {
        const result = validateArguments(call, call.arguments);
        if (!result.valid) problems[call.id] = result.errors.slice(0, 20);
      } catch (error) {
        // A schema Ajv cannot compile: said so, the person decides anyway.
        problems[call.id] = [`the tool's input schema could not be checked: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500)];
      }
    }
    return problems;
  }
  return { checkToolArguments };
}
