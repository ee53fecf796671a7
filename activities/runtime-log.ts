/**
 * The worker's log for activity code that logs outside an activity's context (connection pools,
 * stdio programs, token files): its own module so that those pieces need not import each other.
 */
import { Runtime } from '@temporalio/worker';

export type McpLog = (level: 'info' | 'warn', message: string, meta: Record<string, unknown>) => void;

/** The worker's log (the SDK runtime's logger, src/worker/runtime.ts installs mcpflow's). */
export const runtimeLog: McpLog = (level, message, meta) => Runtime.instance().logger[level](message, meta);
