import type { z } from 'zod';
import { InputMessageSchema, type CreateResponseRequest, type FunctionToolConfig, type McpToolConfig } from '../core/schemas';
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
        if (tool.connector_id) throw invalidRequest(`Connectors are not supported by the emulator: 'tools[${index}].connector_id'.`, `tools[${index}].connector_id`, 'invalid_value');
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

/** The user's words in this request: a string input or the text of user messages. */
export function userText(request: CreateResponseRequest): string {
  const input = request.input;
  if (input === undefined) return '';
  if (typeof input === 'string') return input.trim();
  const texts: string[] = [];
  for (const item of input) {
    const message = InputMessageSchema.safeParse(item);
    if (!message.success || message.data.role !== 'user') continue;
    const content = message.data.content;
    if (typeof content === 'string') texts.push(content);
    else for (const part of content) texts.push(part.text);
  }
  return texts.join('\n').trim();
}

/** The input items a schema accepts, with their index for the `param` of a refusal; a string input has none. */
export function inputItemsMatching<S extends z.ZodType>(request: CreateResponseRequest, schema: S): [item: z.output<S>, index: number][] {
  const items: [z.output<S>, number][] = [];
  (Array.isArray(request.input) ? request.input : []).forEach((item, index) => {
    const parsed = schema.safeParse(item);
    if (parsed.success) items.push([parsed.data, index]);
  });
  return items;
}
