import type { AllowedTools, McpListedTool, McpToolFilter, RequireApproval } from '../core/schemas';

/** Whether a listed tool matches a `{tool_names, read_only}` filter (all given conditions hold). */
export function matchesFilter(filter: McpToolFilter | undefined, tool: McpListedTool): boolean {
  if (!filter || (filter.tool_names === undefined && filter.read_only === undefined)) return false;
  if (filter.tool_names !== undefined && !filter.tool_names.includes(tool.name)) return false;
  if (filter.read_only !== undefined && filter.read_only !== isReadOnly(tool)) return false;
  return true;
}

export function isReadOnly(tool: McpListedTool): boolean {
  return tool.annotations?.['read_only'] === true || tool.annotations?.['readOnlyHint'] === true;
}

/** `allowed_tools`: a list of names or a filter; absent means every tool. */
export function isAllowed(allowed: AllowedTools | null | undefined, tool: McpListedTool): boolean {
  if (allowed == null) return true;
  if (Array.isArray(allowed)) return allowed.includes(tool.name);
  return matchesFilter(allowed, tool);
}

/**
 * `require_approval`: "always" (the API's default when absent), "never", or filters. With
 * filters, `never` wins for the tools it names, `always` for the ones it names; a tool named by
 * neither needs approval unless only an `always` filter was given (then the rest run freely).
 */
export function needsApproval(setting: RequireApproval | null | undefined, tool: McpListedTool): boolean {
  if (setting == null || setting === 'always') return true;
  if (setting === 'never') return false;
  if (matchesFilter(setting.never, tool)) return false;
  if (matchesFilter(setting.always, tool)) return true;
  return !(setting.always !== undefined && setting.never === undefined);
}
