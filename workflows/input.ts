/** Workflow inputs are checked with their zod schema; a bad input fails the run at once, naming the field. */
import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { describeZodError } from '../src/core/schemas';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw ApplicationFailure.create({
    type: 'invalid_arguments',
    nonRetryable: true,
    message: `invalid ${what} input: ${describeZodError(parsed.error)}`,
  });
}
