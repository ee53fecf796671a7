/**
 * Direct mode shows MCP tools to the model as `function` tools built from each tool's input
 * schema. Function names must match ^[a-zA-Z0-9_-]{1,64}$, so `server__tool` is cleaned and,
 * when too long, shortened with a hash that keeps it unique.
 */
import type { FunctionToolConfig } from './schemas';
import { catalogTools, hashToolDefinition, type Catalog } from './tools';

export interface ToolBinding {
  server: string;
  tool: string;
}

const MAX_NAME = 64;

export function functionToolName(server: string, tool: string, taken: ReadonlySet<string> = new Set()): string {
  const name = `${server}__${tool}`.replace(/[^A-Za-z0-9_-]/g, '_');
  if (name.length <= MAX_NAME && !taken.has(name)) return name;
  // Too long, or cleaned into a name another tool has ("a__b"+"c" and "a"+"b__c"): the hash of the real pair tells them apart.
  const suffix = hashToolDefinition({ name: `${server}\u0000${tool}`, input_schema: {} }).slice(0, 8);
  return `${name.slice(0, MAX_NAME - suffix.length - 1)}_${suffix}`;
}

export function functionToolsFromCatalog(catalog: Catalog, serverLabels: readonly string[]) {
  const tools: FunctionToolConfig[] = [];
  const bindings: Record<string, ToolBinding> = {};
  for (const tool of catalogTools(catalog)) {
    if (!serverLabels.includes(tool.server_label)) continue;
    const name = functionToolName(tool.server_label, tool.name, new Set(Object.keys(bindings)));
    const { $schema: _draft, ...parameters } = tool.input_schema;
    tools.push({
      type: 'function',
      name,
      description: `[${tool.server_label}] ${tool.description}`.trim(),
      parameters: { type: 'object', properties: {}, ...parameters },
      strict: false,
    });
    bindings[name] = { server: tool.server_label, tool: tool.name };
  }
  return { tools, bindings };
}
