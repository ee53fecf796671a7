/**
 * OpenTelemetry tracing of workflows and activities (Temporal's interceptors), on when
 * OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set. Spans go to that
 * OTLP/HTTP endpoint; the exporter reads the standard OTEL_* variables (headers, timeouts).
 * A query's trace holds the workflow run, each activity it starts and runs (the Responses API
 * calls and direct tool calls). With tracing on, the worker bundles its workflows at start: the
 * plugin's workflow interceptors must be in the bundle.
 */
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, WorkerOptions } from '@temporalio/worker';

/**
 * What Temporal's OpenTelemetryPlugin installs, spelt out so that mcpflow's own activity
 * interceptor can run inside the activity span (it adds the server and tool attributes).
 */
export interface WorkerTracing {
  /** Outermost activity interceptors: they open the span. */
  activity: ActivityInterceptorsFactory[];
  /** Bundled into the workflow code: spans of the workflow and what it schedules. */
  workflowModules: string[];
  /** Where workflow spans leave the sandbox. */
  sinks: NonNullable<WorkerOptions['sinks']>;
  /** Flushes the spans still buffered; call after the worker stopped. */
  shutdown(): Promise<void>;
}

export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export function tracingFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerTracing | undefined {
  if (!tracingEnabled(env)) return undefined;
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME || 'mcpflow-worker' });
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Temporal's interceptors read the active span and carry it in headers: both need globals.
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable(), propagator: new W3CTraceContextPropagator() });
  const tracer = provider.getTracer('mcpflow');
  return {
    activity: [
      (context) => ({
        inbound: new OpenTelemetryActivityInboundInterceptor(context, { tracer }),
        outbound: new OpenTelemetryActivityOutboundInterceptor(context),
      }),
    ],
    workflowModules: [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')],
    sinks: { exporter: makeWorkflowExporter(spanProcessor, resource) },
    shutdown: () => provider.shutdown(),
  };
}
