/**
 * The last byte check before an activity's result becomes a Temporal payload. Each activity
 * keeps what it returns under its own budgets (tool outputs, turn outputs); what can still pass
 * 2 MiB is what a server lists: 3,000 tools with long descriptions are megabytes. Without this,
 * the server refuses the completion ("Complete result exceeds size limit"), the attempt counts
 * as an unknown error and is retried into the same wall. With it, the attempt fails at once,
 * non-retryable, naming the activity, the bytes, the limit and what to do.
 */
import { jsonBytes, PAYLOAD_LIMIT_BYTES } from '../src/core/payload-size';
import { currentActivityContext } from './context';
import { nonRetryableFailure } from './errors';

/** Room for the payload's metadata and an encryption codec's overhead. */
export const MAX_ACTIVITY_RESULT_BYTES = PAYLOAD_LIMIT_BYTES - 64 * 1024;

const HINTS: Record<string, string> = {
  listToolsDirect: 'the server lists more tools than fit: split the server, or have it list fewer',
  listToolsHosted: 'the server lists more tools than fit: narrow them with allowed_tools (the API lists only those), or split the server',
  callResponsesApi: "the model's reply is too large, most likely a server's tool listing: narrow its tools with allowed_tools",
};

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;

export function checkResultBytes(activity: string, result: unknown, attempt = 1): void {
  const bytes = jsonBytes(result);
  if (bytes <= MAX_ACTIVITY_RESULT_BYTES) return;
  throw nonRetryableFailure(
    'unknown',
    `${activity} returned ${megabytes(bytes)} (${bytes} bytes as JSON), more than the ${megabytes(MAX_ACTIVITY_RESULT_BYTES)} an activity result may take in a Temporal payload: ${HINTS[activity] ?? 'the result is too large'}`,
    attempt,
  );
}

type AnyActivity = (...args: never[]) => Promise<unknown>;

/** The same activities, each result checked by checkResultBytes. */
export function withResultBudget<T extends Record<string, AnyActivity>>(activities: T): T {
  const checked: Record<string, AnyActivity> = {};
  for (const [name, activity] of Object.entries(activities)) {
    checked[name] = async (...args: never[]) => {
      const result = await activity(...args);
      checkResultBytes(name, result, currentActivityContext()?.info.attempt ?? 1);
      return result;
    };
  }
  return checked as T;
}
