/**
 * Everything one running demo server remembers between requests: its catalog (built-in tools,
 * tools added or removed through the admin interface), execution counters, faults and domain data.
 * The MCP side is stateless: every request gets a fresh McpServer built from this state.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { echoTool } from './echo-tool';
import { FaultController } from './faults';
import type { DemoServerDefinition } from './kinds';
import type { AddTool, Counters, DemoServerKind } from './schemas';
import type { DemoTool } from './tool';

export class ToolConflictError extends Error {
  override name = 'ToolConflictError';
}

export class DemoServerState {
  readonly faults = new FaultController();
  private readonly executed = new Map<string, number>();
  private readonly faulted = new Map<string, number>();
  private readonly added = new Map<string, DemoTool>();
  private readonly removed = new Set<string>();

  constructor(private readonly definition: DemoServerDefinition) {}

  get kind(): DemoServerKind {
    return this.definition.kind;
  }

  /** The catalog as clients see it now: built-ins not removed, then added tools. */
  tools(): DemoTool[] {
    return [...this.definition.tools.filter((t) => !this.removed.has(t.name)), ...this.added.values()];
  }

  toolNames(): string[] {
    return this.tools().map((t) => t.name);
  }

  addTool(spec: AddTool): void {
    if (this.toolNames().includes(spec.name)) throw new ToolConflictError(`tool "${spec.name}" already exists on the ${this.kind} server`);
    // Re-adding a removed built-in name gives the echo tool, not the built-in: the catalog change is the point.
    this.added.set(spec.name, echoTool(spec));
  }

  /** Removes an added tool, or hides a built-in one (until reset). False if no such tool is listed. */
  removeTool(name: string): boolean {
    if (this.added.delete(name)) return true;
    if (this.definition.tools.some((t) => t.name === name) && !this.removed.has(name)) {
      this.removed.add(name);
      return true;
    }
    return false;
  }

  /** A tool really ran (the 2026 endpoint counts here; the SDK one through buildMcpServer). */
  recordExecuted(name: string): void {
    this.executed.set(name, (this.executed.get(name) ?? 0) + 1);
  }

  recordFaulted(kind: string): void {
    this.faulted.set(kind, (this.faulted.get(kind) ?? 0) + 1);
  }

  counters(): Counters {
    const executed = Object.fromEntries(this.executed);
    const totalExecuted = [...this.executed.values()].reduce((a, b) => a + b, 0);
    return { executed, faulted: Object.fromEntries(this.faulted), totalExecuted };
  }

  reset(): void {
    this.faults.reset();
    this.executed.clear();
    this.faulted.clear();
    this.added.clear();
    this.removed.clear();
    this.definition.resetData();
  }

  /** A fresh MCP server for one request, carrying the current catalog. */
  buildMcpServer(): McpServer {
    const server = new McpServer(
      { name: `mcpflow-demo-${this.kind}`, version: '1.0.0' },
      // No listChanged notifications can reach a client in stateless mode (no standing stream):
      // clients see catalog changes by listing again.
      { instructions: this.definition.instructions },
    );
    const onExecuted = (name: string): void => this.recordExecuted(name);
    const tools = this.tools();
    for (const tool of tools) tool.register(server, onExecuted);
    if (tools.length === 0) {
      // McpServer installs its tools/list and tools/call handlers on the first registration only;
      // with every tool removed, register and drop a placeholder so tools/list answers "no tools"
      // instead of "method not found".
      server.registerTool('placeholder', { description: 'placeholder' }, () => ({ content: [] })).remove();
    }
    return server;
  }
}
