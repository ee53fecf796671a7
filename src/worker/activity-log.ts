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
  /** Every server label of the activity, comma-joined: for log lines and spans, not for metrics. */
  server?: string;
  tool?: string;
}

/**
 * Metric series per activity: one per server label, so that `server` has one value per server
 * (a turn with weather and calendar counts once under each) and never a joined list whose values
 * multiply with every combination. Labels come only from the run's configured server labels
 * (checked by LABEL); past MAX_SERVER_SERIES of them, the rest count once as `(other)`.
 */
const MAX_SERVER_SERIES = 16;
export const OTHER_SERVERS = '(other)';

export function metricServerLabels(fields: ActivityLogFields): string[] {
  const servers = fields.server ? fields.server.split(',') : [''];
  return servers.length <= MAX_SERVER_SERIES ? servers : [...servers.slice(0, MAX_SERVER_SERIES), OTHER_SERVERS];
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
 * by error type (`mcpflow_activity_failures`), once per server of the activity (metricServerLabels:
 * summed over `server`, a multi-server turn counts more than once); the SDK's meter adds namespace, task queue and
 * activity type (the SDK's own metrics are the `temporal_*` ones beside them).
 */
export const activityLogInterceptor: ActivityInterceptorsFactory = (context) => {
  let fields: ActivityLogFields = {};
  return {
    inbound: {
      execute: async (input, next) => {
        fields = activityLogFields(input.args);
        // With tracing on (src/worker/tracing.ts), the activity's span says which server and tool.
        trace
          .getActiveSpan()
          ?.setAttributes({ ...(fields.server ? { 'mcpflow.server': fields.server } : {}), ...(fields.tool ? { 'mcpflow.tool': fields.tool } : {}) });
        const meter = context.metricMeter;
        const series = metricServerLabels(fields).map((server) => ({ server, tool: fields.tool ?? '' }));
        const count = (name: string, unit: string, description: string, extra: Record<string, string>) => {
          const counter = meter.createCounter(name, unit, description);
          for (const tags of series) counter.add(1, { ...tags, ...extra });
        };
        const isToolCall = context.info.activityType === TOOL_CALL_ACTIVITY;
        try {
          const result = await next(input);
          count('mcpflow_activity_attempts', 'attempts', 'Activity attempts by outcome', { outcome: 'completed' });
          if (isToolCall) count('mcpflow_tool_calls', 'calls', 'Direct-mode MCP tool calls by outcome', { outcome: 'completed' });
          return result;
        } catch (error) {
          const type = errorType(error);
          count('mcpflow_activity_attempts', 'attempts', 'Activity attempts by outcome', { outcome: 'failed' });
          count('mcpflow_activity_failures', 'failures', 'Failed activity attempts by error type', { error_type: type });
          if (isToolCall) count('mcpflow_tool_calls', 'calls', 'Direct-mode MCP tool calls by outcome', { outcome: 'failed' });
          throw error;
        }
      },
    },
    outbound: {
      getLogAttributes: (attributes, next) => next({ ...attributes, ...fields }),
    },
  };
};
