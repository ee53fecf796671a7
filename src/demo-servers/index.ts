/**
 * The demo MCP servers (weather, calendar, database): real MCP over Streamable HTTP on
 * loopback, deterministic data, and fault knobs for reliability tests.
 */
export { startDemoServer, DemoServerStartError } from './server';
export type { DemoServerHandle, StartDemoServerOptions } from './server';
export { startDemoServers } from './multi';
export type { DemoServersHandle, StartDemoServersOptions } from './multi';
export { DemoServerAdminClient, DemoServerAdminError } from './admin-client';
export { DEMO_TODAY, resolveDemoDate } from './today';
export { ToolConflictError } from './state';
export {
  AddToolSchema,
  CountersSchema,
  DEMO_SERVER_KINDS,
  DemoServerKindSchema,
  FailNextSchema,
  FaultKindSchema,
  FaultSettingsSchema,
  FaultStatusSchema,
  InvalidInputError,
  ServerInfoSchema,
  ToolListSchema,
} from './schemas';
export type { AddTool, Counters, DemoServerKind, FailNext, FaultKind, FaultSettings, FaultStatus, ServerInfo, ToolList } from './schemas';
export { DemoProtocolSchema, PROTOCOL_2025, PROTOCOL_2026 } from './protocol';
export type { DemoProtocol } from './protocol';
export type { DemoTaskView } from './interactive-state';
