/**
 * A demo tool as data: name, zod input schema, annotations and handler. Keeping tools as values
 * (not registered straight onto an McpServer) lets every request build a fresh stateless server
 * from the current catalog, lets the admin endpoint remove or add tools, and lets one wrapper count
 * executions for the exactly-once checks.
 */
import type { CallToolResult, McpServer, ToolAnnotations, ToolCallback } from '@modelcontextprotocol/server';
import type { z } from 'zod';

export interface DemoToolSpec<S extends z.ZodObject> {
  name: string;
  title?: string;
  description: string;
  inputSchema: S;
  annotations: ToolAnnotations;
  handler: (args: z.output<S>) => CallToolResult | Promise<CallToolResult>;
}

/** A tool with its argument type erased, so tools of different shapes fit in one catalog. */
export interface DemoTool {
  readonly name: string;
  readonly annotations: ToolAnnotations;
  /** Registers the tool on `server`; `onExecuted` runs once each time the handler really runs. */
  register(server: McpServer, onExecuted: (toolName: string) => void): void;
}

export function defineTool<S extends z.ZodObject>(spec: DemoToolSpec<S>): DemoTool {
  return {
    name: spec.name,
    annotations: spec.annotations,
    register(server, onExecuted) {
      const callback = async (args: z.output<S>): Promise<CallToolResult> => {
        // Counted here, after the SDK validated the arguments: a call rejected for bad arguments
        // or an injected fault never reaches this line, so counters show real executions only.
        onExecuted(spec.name);
        return spec.handler(args);
      };
      // The SDK types the callback through a conditional type that TypeScript cannot resolve for a
      // generic schema S; the cast states what holds at run time: the SDK passes z.output<S>.
      server.registerTool(
        spec.name,
        { title: spec.title, description: spec.description, inputSchema: spec.inputSchema, annotations: spec.annotations },
        callback as unknown as ToolCallback<S>,
      );
    },
  };
}

/** A successful result: readable JSON text for models plus the same data as structuredContent. */
export function jsonResult(data: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(data, null, 2) }], structuredContent: data };
}

/** A tool-level failure (isError: true), the way MCP reports errors the model should see. */
export function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}
