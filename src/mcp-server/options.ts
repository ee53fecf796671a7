/**
 * What `mcpflow mcp-server` serves from: the Temporal client, and the MCP servers and run defaults
 * of the config file. A client of the MCP server picks among these; it never defines a server.
 */
import type { McpflowClient } from '../client/client';
import type { ExecutionMode } from '../core/defaults';
import type { RetrySettings } from '../core/retry';
import type { ServerConfig } from '../core/servers';

export interface McpServerOptions {
  client: McpflowClient;
  /** The config's servers as written (URLs to match, stdio or not), by label. */
  definitions: ServerConfig[];
  /** The same servers as a workflow input carries them (no secrets: the worker adds its own). */
  inputs: ServerConfig[];
  /** URL prefixes a client may name besides the config's servers (config `mcp_server.allowed_urls`). */
  allowedUrls: string[];
  defaults: {
    mode: ExecutionMode;
    model: string;
    retry: RetrySettings;
    cache_ttl_ms?: number;
    approval_timeout_ms?: number;
  };
  /** The `pollIntervalMs` tasks suggest to clients. */
  pollIntervalMs: number;
  /** Echoed in `serverInfo`. */
  version: string;
}

/** Workflow ids of the runs `ask` starts: the task id is this id, so any instance can answer for it. */
export const RUN_ID_PREFIX = 'mcpflow-mcp-';
