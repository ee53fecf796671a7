/**
 * OpenTelemetry: `mcpflow worker` with OTEL_EXPORTER_OTLP_ENDPOINT sends the spans of a query
 * (the workflow run, its model and tool-call activities) to an OTLP/HTTP receiver, here an
 * in-process one on loopback.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { runQuery } from '../../workflows/query';
import { startCliWorker } from '../cluster/cli-worker';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';
import { until } from '../helpers/wait';

const stack = useOfflineStack();

interface ReceivedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  service?: string;
  attributes?: Array<{ key: string; value: { stringValue?: string } }>;
}
const spans: ReceivedSpan[] = [];
let receiver: Server;
let endpoint: string;

/** OTLP/HTTP JSON: resourceSpans[].scopeSpans[].spans[]. */
function collect(body: string): void {
  const request = JSON.parse(body) as {
    resourceSpans?: Array<{
      resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> };
      scopeSpans?: Array<{ spans?: ReceivedSpan[] }>;
    }>;
  };
  for (const resourceSpans of request.resourceSpans ?? []) {
    const service = resourceSpans.resource?.attributes?.find((attribute) => attribute.key === 'service.name')?.value.stringValue;
    for (const scope of resourceSpans.scopeSpans ?? []) for (const span of scope.spans ?? []) spans.push({ ...span, service });
  }
}

describe('OpenTelemetry tracing', () => {
  before(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (request.url === '/v1/traces' && request.headers['content-type']?.includes('json')) collect(body);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it('exports the spans of a query: workflow, model calls and tool calls, in one trace', async () => {
    const taskQueue = uniqueTaskQueue('otel');
    const worker = await startCliWorker({
      name: 'otel',
      address: stack.env.address,
      namespace: stack.env.namespace,
      taskQueue,
      openaiBaseURL: stack.emulator.url,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_SERVICE_NAME: 'mcpflow-test-worker' },
    });
    try {
      // The trace starts where the query is started: a client with Temporal's OTel interceptor
      // puts the span context in the workflow's headers, and the worker continues that trace.
      const clientSpans = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(clientSpans)] });
      provider.register({ contextManager: new AsyncLocalStorageContextManager().enable(), propagator: new W3CTraceContextPropagator() });
      const client = new Client({
        connection: stack.env.client.connection,
        namespace: stack.env.namespace,
        interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer: provider.getTracer('test-client') })] },
      });
      const workflowId = uniqueWorkflowId('otel');
      const result = await client.workflow.execute(runQuery, {
        taskQueue,
        workflowId,
        args: [
          {
            query: "What's the weather in Paris?",
            mode: 'direct',
            servers: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }],
          },
        ],
      });
      assert.equal(result.success, true);
      const named = (name: string) => spans.find((span) => span.name === name);
      await until(
        () =>
          ['RunWorkflow:runQuery', 'RunActivity:callResponsesApi', 'RunActivity:callToolDirect', 'StartActivity:callToolDirect'].every((name) => named(name)),
        () => `the spans of the query; spans so far: ${spans.map((span) => span.name).join(', ')}`,
        60_000,
      );
      const started = clientSpans.getFinishedSpans().find((span) => span.name === 'StartWorkflow:runQuery');
      assert.ok(started, 'the client traced the start');
      const traceId = started.spanContext().traceId;
      const workflowSpan = named('RunWorkflow:runQuery')!;
      for (const name of ['RunWorkflow:runQuery', 'RunActivity:callResponsesApi', 'RunActivity:callToolDirect']) {
        assert.equal(named(name)!.traceId, traceId, `${name} is in the trace the client started`);
      }
      assert.equal(
        named('RunActivity:callToolDirect')!.parentSpanId,
        named('StartActivity:callToolDirect')!.spanId,
        'the activity run is a child of its scheduling',
      );
      assert.equal(workflowSpan.service, 'mcpflow-test-worker');
      const toolAttributes = Object.fromEntries(
        (named('RunActivity:callToolDirect')!.attributes ?? []).map((attribute) => [attribute.key, attribute.value.stringValue]),
      );
      assert.equal(toolAttributes['mcpflow.server'], 'weather');
      assert.equal(toolAttributes['mcpflow.tool'], 'get_current_weather');
    } finally {
      await worker.stop();
    }
  });
});
