/**
 * Workflow inputs and update arguments are checked with their zod schema: a bad input fails the
 * run at once, a bad update is refused by its validator, each naming the field.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { describeZodError } from '../src/core/zod-errors';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw ApplicationFailure.create({
    type: 'invalid_arguments',
    nonRetryable: true,
    message: `invalid ${what} input: ${describeZodError(parsed.error)}`,
  });
}

/** An update validator's check: the parsed arguments, or an error (the update is refused, history untouched). */
export function checkArgs<S extends z.ZodType>(schema: S, args: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(args);
  if (!parsed.success) throw new Error(`invalid ${what}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}
