/** McpSession (../session.ts) for a server that speaks 2026-07-28, with the tasks extension. */
import type { ElicitResult } from '../../../src/core/mcp-input';
import type { CalledTool, FollowedTask, McpSession, Schema, SessionRequestOptions, ToolListing } from '../session';
import type { Mcp2026Client } from './client';
import type { Modern } from './direct';
import { callTool2026, cancelTask, getTask, listTools2026, updateTask, type CallContinuation } from './operations';
import type { CallToolResult2026 } from './schema';

export class Session2026 implements McpSession {
  constructor(
    private readonly client: Mcp2026Client,
    private readonly modern: Modern,
    private readonly options: SessionRequestOptions,
  ) {}

  async listTools(onPage: (count: number) => void): Promise<ToolListing> {
    const listing = await listTools2026(this.client, this.options, onPage);
    this.modern.rememberOutputSchemas(this.client.url, listing.output_schemas);
    return { tools: listing.tools, ttl_ms: listing.ttl_ms, cache_scope: listing.cache_scope };
  }

  async callTool(
    tool: { name: string; input_schema: Record<string, unknown> },
    args: Record<string, unknown>,
    continuation: CallContinuation,
  ): Promise<CalledTool> {
    const answer = await callTool2026(this.client, tool, args, continuation, this.options);
    return { answer, outputSchema: answer.kind === 'complete' ? await this.outputSchema(tool.name, answer.result) : undefined };
  }

  async getTask(taskId: string, toolName: string): Promise<FollowedTask> {
    const task = await getTask(this.client, taskId, this.options);
    if (task.status !== 'completed') return { task, outputSchema: undefined };
    return { task, outputSchema: await this.outputSchema(toolName, readTaskResult(task.result)) };
  }

  updateTask(taskId: string, inputResponses: Record<string, ElicitResult>): Promise<void> {
    return updateTask(this.client, taskId, inputResponses, this.options);
  }

  cancelTask(taskId: string): Promise<void> {
    return cancelTask(this.client, taskId, this.options);
  }

  async close(): Promise<void> {
    // Built per activity and holds no connection: nothing to release.
  }

  /** The tool's output schema, listing once when this worker has not yet. */
  private async outputSchema(tool: string, result: CallToolResult2026): Promise<Schema | undefined> {
    if (result.structuredContent === undefined || result.isError === true) return undefined;
    const known = this.modern.outputSchemaOf(this.client.url, tool);
    if (known) return known;
    const listing = await listTools2026(this.client, this.options);
    this.modern.rememberOutputSchemas(this.client.url, listing.output_schemas);
    return this.modern.outputSchemaOf(this.client.url, tool);
  }
}

/** A completed task's `result`: what the call would have returned. */
export function readTaskResult(result: Record<string, unknown> | undefined): CallToolResult2026 {
  const content = Array.isArray(result?.content) ? (result.content as CallToolResult2026['content']) : [];
  return { ...(result ?? {}), resultType: 'complete', content, isError: result?.isError === true } as CallToolResult2026;
}
