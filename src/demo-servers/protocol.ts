/** The two MCP revisions a demo server can speak (`--protocol`), one era each. */
import { z } from 'zod';

export const PROTOCOL_2026 = '2026-07-28';
export const PROTOCOL_2025 = '2025-11-25';
export const DemoProtocolSchema = z.enum([PROTOCOL_2026, PROTOCOL_2025]);
export type DemoProtocol = z.infer<typeof DemoProtocolSchema>;

/** The tasks extension's identifier (modelcontextprotocol/ext-tasks), in capabilities and `-32021` data. */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
