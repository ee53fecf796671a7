/**
 * Controls a demo server running in another process through its admin endpoint, with the same
 * operations as the in-process DemoServerHandle. Responses are validated with the shared schemas.
 */
import type { z } from 'zod';
import {
  AdminErrorSchema,
  CountersSchema,
  FaultStatusSchema,
  ServerInfoSchema,
  ToolListSchema,
  type AddTool,
  type Counters,
  type FaultSettings,
  type FaultStatus,
  type ServerInfo,
} from './schemas';
import { McpflowError } from '../core/mcpflow-error';

export class DemoServerAdminError extends McpflowError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class DemoServerAdminClient {
  private readonly base: string;

  /** `adminUrl` is the handle's adminUrl, e.g. http://127.0.0.1:8801/admin. */
  constructor(adminUrl: string) {
    this.base = adminUrl.replace(/\/+$/, '');
  }

  info(): Promise<ServerInfo> {
    return this.request('GET', '/info', undefined, ServerInfoSchema);
  }

  faults(): Promise<FaultStatus> {
    return this.request('GET', '/faults', undefined, FaultStatusSchema);
  }

  setFaults(settings: FaultSettings): Promise<FaultStatus> {
    return this.request('POST', '/faults', settings, FaultStatusSchema);
  }

  async tools(): Promise<string[]> {
    return (await this.request('GET', '/tools', undefined, ToolListSchema)).tools;
  }

  async addTool(spec: AddTool): Promise<string[]> {
    return (await this.request('POST', '/tools', spec, ToolListSchema)).tools;
  }

  async removeTool(name: string): Promise<string[]> {
    return (await this.request('DELETE', `/tools/${encodeURIComponent(name)}`, undefined, ToolListSchema)).tools;
  }

  counters(): Promise<Counters> {
    return this.request('GET', '/counters', undefined, CountersSchema);
  }

  async reset(): Promise<void> {
    await this.request('POST', '/reset', undefined, undefined);
  }

  private async request<S extends z.ZodType>(method: string, path: string, body: unknown, schema: S): Promise<z.output<S>>;
  private async request(method: string, path: string, body: unknown, schema: undefined): Promise<unknown>;
  private async request(method: string, path: string, body: unknown, schema: z.ZodType | undefined): Promise<unknown> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const parsed = AdminErrorSchema.safeParse(json);
      const detail = parsed.success ? parsed.data.error : text || response.statusText;
      throw new DemoServerAdminError(`demo server admin ${method} ${path} failed with HTTP ${response.status}: ${detail}`, response.status);
    }
    return schema ? schema.parse(json) : json;
  }
}
