/**
 * The MCP server of one request: a fresh SDK 2.x `McpServer` built from the demo server's current
 * state, for the era the request speaks (the `createMcpHandler` / `legacyStatelessFallback` factory).
 * Both eras get the same catalog; a 2026-07-28 calendar adds the tools that talk back
 * (./interactive.ts), the tasks extension in its capabilities, and verifies `requestState`.
 */
import { McpServer, type CacheHint, type Implementation } from '@modelcontextprotocol/server';
import type { CalendarStore } from './calendar';
import { registerInteractiveTools, TASK_TOOLS } from './interactive';
import type { InteractiveState } from './interactive-state';
import { TASKS_EXTENSION } from './protocol';
import type { DemoServerState } from './state';

export interface DemoMcpContext {
  state: DemoServerState;
  serverInfo: Implementation;
  /** The calendar's store and interactive state; absent on weather and database. */
  interactive?: { store: CalendarStore; state: InteractiveState };
  /** `ttlMs` of tools/list and server/discover results (2026-07-28; the SDK leaves 2025 results alone). */
  listTtlMs: () => number;
  adminUrl: () => string;
}

/** Whether a modern request to this server can meet a tool that only runs as a task. */
export function taskToolsOf(context: DemoMcpContext): readonly string[] {
  return context.interactive ? TASK_TOOLS : [];
}

export function buildDemoMcpServer(context: DemoMcpContext, era: 'legacy' | 'modern'): McpServer {
  const { state, interactive } = context;
  const modern = era === 'modern';
  const listHint: CacheHint = { ttlMs: context.listTtlMs(), cacheScope: 'public' };
  const server = new McpServer(context.serverInfo, {
    instructions: state.instructions,
    capabilities: {
      // A 2026 client hears of catalog changes on a subscriptions/listen stream (the handler's
      // notify); a stateless 2025 request has no standing stream, so those clients list again.
      tools: { listChanged: modern },
      ...(modern && interactive ? { extensions: { [TASKS_EXTENSION]: {} } } : {}),
    },
    cacheHints: { 'tools/list': listHint, 'server/discover': listHint },
    ...(interactive
      ? { requestState: { verify: (wire: string, ctx: Parameters<InteractiveState['verifyState']>[1]) => interactive.state.verifyState(wire, ctx) } }
      : {}),
  });
  const onExecuted = (name: string): void => state.recordExecuted(name);
  const tools = state.tools();
  for (const tool of tools) tool.register(server, onExecuted);
  if (modern && interactive) registerInteractiveTools(server, { ...interactive, adminUrl: context.adminUrl(), onExecuted });
  else if (tools.length === 0) {
    // McpServer installs its tools/list and tools/call handlers on the first registration only;
    // with every tool removed, register and drop a placeholder so tools/list answers "no tools"
    // instead of "method not found".
    server.registerTool('placeholder', { description: 'placeholder' }, () => ({ content: [] })).remove();
  }
  return server;
}
