/** Zod errors as one line that names each field: `servers[0].url: Invalid URL; query: the query is empty`. */
import type { z } from 'zod';

export function describeZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? formatPath(issue.path) : '(root)'}: ${issue.message}`).join('; ');
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`)).join('');
}
