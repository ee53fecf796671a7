/** A reason to end a query that is not an activity failure (step limit, no usable server). */
import type { RecordedError } from '../../src/core/errors';
import { McpflowError } from '../../src/core/mcpflow-error';

export class QueryStop extends McpflowError {
  /** The recorded error behind the stop, if there was one. */
  constructor(
    message: string,
    override readonly cause?: RecordedError,
  ) {
    super(message);
  }
}
