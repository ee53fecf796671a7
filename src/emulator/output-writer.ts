import type { McpListedTool } from '../core/schemas';
import type { PendingApproval } from './conversations';
import { newId } from './ids';
import type { McpCallOutcome } from './mcp-bridge';
import type { OutputItemJson, ResponseJson, UsageJson } from './responses';
import { textChunks, type EventSink } from './stream';

/** Where an item's progress events point. */
interface ItemRef {
  output_index: number;
  item_id: string | undefined;
}

/**
 * Appends output items to the response and emits the events of each, in the API's order (see
 * recorded/). Events carry copies: the items change after they are announced.
 */
export class OutputWriter {
  private constructor(
    private readonly response: ResponseJson,
    private readonly sink: EventSink,
    private readonly requestedTier: string,
  ) {}

  /**
   * Opens the stream as the API does: the empty response, twice, before any item. A queued
   * (background) response says `response.queued` instead and `begin()`s later.
   */
  static start(response: ResponseJson, sink: EventSink, requestedTier = 'auto'): OutputWriter {
    const writer = new OutputWriter(response, sink, requestedTier);
    writer.emitResponse('response.created');
    if (response.status === 'queued') writer.emitResponse('response.queued');
    else writer.emitResponse('response.in_progress');
    return writer;
  }

  /** A queued response starts. */
  begin(): void {
    this.response.status = 'in_progress';
    this.emitResponse('response.in_progress');
  }

  private emitResponse(type: string): void {
    // The real stream says the tier asked ("auto") until it is decided; the completed response names it (recorded/).
    this.sink.emit({ type, response: { ...clone(this.response), service_tier: this.requestedTier } });
  }

  complete(usage: UsageJson): void {
    this.response.status = 'completed';
    this.response.usage = usage;
    this.sink.emit({ type: 'response.completed', response: clone(this.response) });
  }

  listTools(serverLabel: string, tools: McpListedTool[]): void {
    const item: OutputItemJson = { id: newId('mcpl'), type: 'mcp_list_tools', server_label: serverLabel, tools: [] };
    const ref = this.add(item);
    this.sink.emit({ type: 'response.mcp_list_tools.in_progress', ...ref });
    item['tools'] = tools;
    this.sink.emit({ type: 'response.mcp_list_tools.completed', ...ref });
    this.done(ref);
  }

  /** Announces the call with its arguments; `endMcpCall` adds the result once the server answered. */
  beginMcpCall(call: PendingApproval, approvalRequestId: string | null): number {
    const item: OutputItemJson = {
      id: newId('mcp'),
      type: 'mcp_call',
      status: 'in_progress',
      approval_request_id: approvalRequestId,
      arguments: '',
      error: null,
      name: call.tool,
      output: null,
      server_label: call.server,
    };
    const ref = this.add(item);
    this.sink.emit({ type: 'response.mcp_call.in_progress', ...ref });
    this.streamArguments('response.mcp_call_arguments', ref, call.arguments);
    item['arguments'] = call.arguments;
    return ref.output_index;
  }

  endMcpCall(index: number, result: McpCallOutcome): void {
    const item = this.response.output[index];
    if (!item) return;
    item['status'] = result.ok ? 'completed' : 'failed';
    if (result.ok) item['output'] = result.output;
    else item['error'] = result.error;
    const ref = { output_index: index, item_id: item.id };
    this.sink.emit({ type: result.ok ? 'response.mcp_call.completed' : 'response.mcp_call.failed', ...ref });
    this.done(ref);
  }

  /** Returns the approval request id. */
  approvalRequest(call: PendingApproval): string {
    const id = newId('mcpr');
    this.done(this.add({ id, type: 'mcp_approval_request', arguments: call.arguments, name: call.tool, server_label: call.server }));
    return id;
  }

  /** Returns the call_id the client answers with a function_call_output. */
  functionCall(name: string, args: string): string {
    const callId = newId('call');
    const item: OutputItemJson = { id: newId('fc'), type: 'function_call', status: 'in_progress', arguments: '', call_id: callId, name };
    const ref = this.add(item);
    this.streamArguments('response.function_call_arguments', ref, args, { name });
    item['arguments'] = args;
    item['status'] = 'completed';
    this.done(ref);
    return callId;
  }

  message(text: string): void {
    const item: OutputItemJson = { id: newId('msg'), type: 'message', status: 'in_progress', content: [], role: 'assistant' };
    const ref = this.add(item);
    // Text events name the item first, unlike the other item events.
    const at = { item_id: item.id, output_index: ref.output_index, content_index: 0 };
    this.sink.emit({ type: 'response.content_part.added', ...at, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
    for (const delta of textChunks(text)) {
      this.sink.emit({ type: 'response.output_text.delta', ...at, delta, logprobs: [], obfuscation: '' });
    }
    this.sink.emit({ type: 'response.output_text.done', ...at, text, logprobs: [] });
    const part = { type: 'output_text', annotations: [], logprobs: [], text };
    this.sink.emit({ type: 'response.content_part.done', ...at, part });
    item['status'] = 'completed';
    item['content'] = [part];
    this.done(ref);
  }

  /** A reasoning item (`encrypted_content` only when asked for), its summary parts streamed one by one. */
  reasoning(id: string, summary: readonly string[], encryptedContent: string | null): void {
    const parts: { type: 'summary_text'; text: string }[] = [];
    const item: OutputItemJson = { id, type: 'reasoning', ...(encryptedContent === null ? {} : { encrypted_content: encryptedContent }), summary: parts };
    const ref = this.add(item);
    summary.forEach((text, summary_index) => {
      const at = { item_id: id, output_index: ref.output_index, summary_index };
      this.sink.emit({ type: 'response.reasoning_summary_part.added', ...at, part: { type: 'summary_text', text: '' } });
      for (const delta of textChunks(text)) this.sink.emit({ type: 'response.reasoning_summary_text.delta', ...at, delta, obfuscation: '' });
      this.sink.emit({ type: 'response.reasoning_summary_text.done', ...at, text });
      this.sink.emit({ type: 'response.reasoning_summary_part.done', ...at, part: { type: 'summary_text', text } });
      parts.push({ type: 'summary_text', text });
    });
    this.done(ref);
  }

  /** The type of the last output item so far. */
  get lastItemType(): string | undefined {
    return this.response.output.at(-1)?.type;
  }

  private add(item: OutputItemJson): ItemRef {
    const index = this.response.output.length;
    this.response.output.push(item);
    this.sink.emit({ type: 'response.output_item.added', output_index: index, item: clone(item) });
    return { output_index: index, item_id: item.id };
  }

  private done({ output_index }: ItemRef): void {
    this.sink.emit({ type: 'response.output_item.done', output_index, item: clone(this.response.output[output_index]) });
  }

  /** All the arguments in one delta, as in the recorded mcp_call streams. */
  private streamArguments(eventPrefix: string, ref: ItemRef, args: string, extra: Record<string, string> = {}): void {
    this.sink.emit({ type: `${eventPrefix}.delta`, ...ref, delta: args, obfuscation: '' });
    // `response.function_call_arguments.done` names the function (the API reference requires `name`).
    this.sink.emit({ type: `${eventPrefix}.done`, ...ref, ...extra, arguments: args });
  }
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
