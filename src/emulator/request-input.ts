import type { CreateResponseRequest, FunctionToolConfig, McpToolConfig } from '../core/schemas';
import { invalidRequest } from './errors';

export interface RequestTools {
  /** By server_label. */
  mcpTools: Map<string, McpToolConfig>;
  /** By function name. */
  functionTools: Map<string, FunctionToolConfig>;
}

/** The request's tools by the name calls refer to them with, refusing what the emulator cannot serve. */
export function indexTools(request: CreateResponseRequest): RequestTools {
  const mcpTools = new Map<string, McpToolConfig>();
  const functionTools = new Map<string, FunctionToolConfig>();
  (request.tools ?? []).forEach((tool, index) => {
    if (tool.type === 'mcp') {
      if (!tool.server_url) {
        if (tool.connector_id)
          throw invalidRequest(
            `Connectors are not supported by the emulator: 'tools[${index}].connector_id'.`,
            `tools[${index}].connector_id`,
            'invalid_value',
          );
        throw invalidRequest(`Missing required parameter: 'tools[${index}].server_url'.`, `tools[${index}].server_url`, 'missing_required_parameter');
      }
      addUnique(mcpTools, tool.server_label, tool, 'MCP server_label', `tools[${index}].server_label`);
    } else {
      addUnique(functionTools, tool.name, tool, 'function name', `tools[${index}].name`);
    }
  });
  return { mcpTools, functionTools };
}

/** Two tools under one name would make a call ambiguous. */
function addUnique<T>(tools: Map<string, T>, name: string, tool: T, nameKind: string, param: string): void {
  if (tools.has(name)) throw invalidRequest(`Duplicate ${nameKind} '${name}' in '${param}'.`, param, 'invalid_value');
  tools.set(name, tool);
}
