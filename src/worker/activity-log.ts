/**
 * Which MCP server and tool an activity works on, attached to every log line the SDK writes
 * for it (through the outbound interceptor's log attributes). Only labels and names: never a
 * URL, header, argument or output, which may carry secrets or user data.
 */
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

export interface ActivityLogFields {
  server?: string;
  tool?: string;
}

const LABEL = /^[A-Za-z0-9_.:-]{1,128}$/;

function label(value: unknown): string | undefined {
  return typeof value === 'string' && LABEL.test(value) ? value : undefined;
}

/** The server label(s) and tool name of an activity's first argument, where it has them. */
export function activityLogFields(args: readonly unknown[]): ActivityLogFields {
  const input = args[0];
  if (typeof input !== 'object' || input === null) return {};
  const record = input as Record<string, unknown>;
  const fields: ActivityLogFields = {};
  const server = record.server as Record<string, unknown> | undefined;
  const servers = record.servers as unknown;
  if (server && typeof server === 'object') {
    const name = label(server.label);
    if (name) fields.server = name;
  } else if (Array.isArray(servers)) {
    const names = servers.map((entry: unknown) => label((entry as Record<string, unknown> | null)?.label)).filter((name): name is string => !!name);
    if (names.length > 0) fields.server = names.join(',');
  }
  const tool = record.tool as Record<string, unknown> | undefined;
  const toolName = tool && typeof tool === 'object' ? label(tool.name) : undefined;
  if (toolName) fields.tool = toolName;
  return fields;
}

/** Adds `server` and `tool` to the log attributes of every activity execution. */
export const activityLogInterceptor: ActivityInterceptorsFactory = () => {
  let fields: ActivityLogFields = {};
  return {
    inbound: {
      execute: (input, next) => {
        fields = activityLogFields(input.args);
        return next(input);
      },
    },
    outbound: {
      getLogAttributes: (attributes, next) => next({ ...attributes, ...fields }),
    },
  };
};
