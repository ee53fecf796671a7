/**
 * Which MCP server and tool an activity works on, attached to every log line the SDK writes
 * for it (through the outbound interceptor's log attributes) and to mcpflow's own metrics
 * (exported with the SDK's when `mcpflow worker --metrics-port` is set). Only labels and names:
 * never a URL, header, argument or output, which may carry secrets or user data.
 */
import { trace } from '@opentelemetry/api';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { errorType } from './logger';

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

/** Direct-mode tool calls are activities of their own; other activities count as attempts only. */
const TOOL_CALL_ACTIVITY = 'callToolDirect';

/**
 * Adds `server` and `tool` to the log attributes of every activity execution, and counts
 * attempts (`mcpflow_activity_attempts`), direct tool calls (`mcpflow_tool_calls`) and failures
 * by error type (`mcpflow_activity_failures`); the SDK's meter adds namespace, task queue and
 * activity type (the SDK's own metrics are the `temporal_*` ones beside them).
 */
export const activityLogInterceptor: ActivityInterceptorsFactory = (context) => {
  let fields: ActivityLogFields = {};
  return {
    inbound: {
      execute: async (input, next) => {
        fields = activityLogFields(input.args);
        // With tracing on (src/worker/tracing.ts), the activity's span says which server and tool.
        trace.getActiveSpan()?.setAttributes({ ...(fields.server ? { 'mcpflow.server': fields.server } : {}), ...(fields.tool ? { 'mcpflow.tool': fields.tool } : {}) });
        const meter = context.metricMeter;
        const tags = { server: fields.server ?? '', tool: fields.tool ?? '' };
        const isToolCall = context.info.activityType === TOOL_CALL_ACTIVITY;
        try {
          const result = await next(input);
          meter.createCounter('mcpflow_activity_attempts', 'attempts', 'Activity attempts by outcome').add(1, { ...tags, outcome: 'completed' });
          if (isToolCall) meter.createCounter('mcpflow_tool_calls', 'calls', 'Direct-mode MCP tool calls by outcome').add(1, { ...tags, outcome: 'completed' });
          return result;
        } catch (error) {
          const type = errorType(error);
          meter.createCounter('mcpflow_activity_attempts', 'attempts', 'Activity attempts by outcome').add(1, { ...tags, outcome: 'failed' });
          meter.createCounter('mcpflow_activity_failures', 'failures', 'Failed activity attempts by error type').add(1, { ...tags, error_type: type });
          if (isToolCall) meter.createCounter('mcpflow_tool_calls', 'calls', 'Direct-mode MCP tool calls by outcome').add(1, { ...tags, outcome: 'failed' });
          throw error;
        }
      },
    },
    outbound: {
      getLogAttributes: (attributes, next) => next({ ...attributes, ...fields }),
    },
  };
};
