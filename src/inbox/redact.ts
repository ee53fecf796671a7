/**
 * Tool arguments as the inbox shows them. The people who read the inbox need not see what a
 * model put in a secret-looking field: values under secret-sounding keys are hidden, and
 * anything shaped like an API key or bearer token is hidden by the project's redaction helper
 * (activities/secrets.ts, the same one that cleans tool outputs).
 */
import { redactDeep } from '../../activities/secrets';

const SECRET_KEY = /(pass(word|phrase)?|secret|token|api[-_]?key|authorization|credential|private[-_]?key|cookie|session[-_]?id)/i;

function hideSecretKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hideSecretKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, SECRET_KEY.test(key) && item !== null && item !== '' ? '***' : hideSecretKeys(item)]),
    );
  }
  return value;
}

export function redactArguments(args: Record<string, unknown>): Record<string, unknown> {
  return redactDeep(hideSecretKeys(args), []) as Record<string, unknown>;
}
