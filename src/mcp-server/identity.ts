/**
 * Who answers through the MCP server, as the run records it (`approver`): the MCP client's name
 * from the request envelope (2026-07-28) and, on an authenticated endpoint, the token's client id.
 */
import { CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, type AuthInfo } from '@modelcontextprotocol/server';
import { TASKS_EXTENSION } from '../demo-servers/protocol';

type Meta = Record<string, unknown> | undefined;

export function approverOf(authInfo: AuthInfo | undefined, meta: Meta): string {
  const info = meta?.[CLIENT_INFO_META_KEY] as { name?: unknown; version?: unknown } | undefined;
  const name = typeof info?.name === 'string' && info.name ? info.name : 'unnamed client';
  const who = `mcp-client:${name}${typeof info?.version === 'string' ? `@${info.version}` : ''}`;
  return (authInfo ? `${who} (token ${authInfo.clientId})` : who).slice(0, 200);
}

/** Whether the request's envelope declares the tasks extension (without it a tool may not answer with a task). */
export function declaresTasks(meta: Meta): boolean {
  const capabilities = meta?.[CLIENT_CAPABILITIES_META_KEY] as { extensions?: Record<string, unknown> } | undefined;
  return capabilities?.extensions?.[TASKS_EXTENSION] !== undefined;
}
