/**
 * Everything one running demo server remembers between requests: its catalog (built-in tools,
 * tools added or removed through the admin interface), execution counters, faults and domain data.
 * The MCP side is stateless: every request gets a fresh McpServer built from this state (./mcp-server.ts).
 */
import { echoTool } from './echo-tool';
import { FaultController } from './faults';
import type { DemoServerDefinition } from './kinds';
import type { AddTool, Counters, DemoServerKind } from './schemas';
import type { DemoTool } from './tool';
import { McpflowError } from '../core/mcpflow-error';

export class ToolConflictError extends McpflowError {}

export class DemoServerState {
  readonly faults = new FaultController();
  private readonly executed = new Map<string, number>();
  private readonly faulted = new Map<string, number>();
  private readonly added = new Map<string, DemoTool>();
  private readonly removed = new Set<string>();

  /** Called when the catalog changes (a tool added or removed, a reset), to tell subscribed clients. */
  onCatalogChange: () => void = () => undefined;

  constructor(private readonly definition: DemoServerDefinition) {}

  get instructions(): string {
    return this.definition.instructions;
  }

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
    this.onCatalogChange();
  }

  /** Removes an added tool, or hides a built-in one (until reset). False if no such tool is listed. */
  removeTool(name: string): boolean {
    if (this.added.delete(name)) {
      this.onCatalogChange();
      return true;
    }
    if (this.definition.tools.some((t) => t.name === name) && !this.removed.has(name)) {
      this.removed.add(name);
      this.onCatalogChange();
      return true;
    }
    return false;
  }

  /** A tool really ran (counted by the tools' own handlers, so faults and rejected arguments never count). */
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
    this.onCatalogChange();
  }
}
