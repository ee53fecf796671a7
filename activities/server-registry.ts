/**
 * The worker-side server registry: the servers of the worker's config (`servers`) are the only
 * ones whose commands the worker runs and whose secrets it sends. A workflow input names one by
 * label, or gives an HTTP URL without secrets; anyone who can start a workflow writes that input,
 * so this is checked here, at the activity boundary, again after the workflow's own check
 * (workflows/input.ts), and every activity sees only what the registry allows.
 */
import type { ApplicationFailure } from '@temporalio/common';
import { isRegisteredReference, isStdioServer, type HttpServerConfig, type RegisteredServerConfig, type ServerConfig } from '../src/core/servers';
import { currentActivityContext } from './context';
import { nonRetryableFailure } from './errors';

export interface ServerRegistry {
  /** The worker's own definitions (its config's `servers`), by label. */
  servers: readonly ServerConfig[];
  /**
   * Whether a definition written in the workflow input (a stdio command, secret references) runs
   * as written: for one person's dev worker (`mcpflow dev`, `demo`), never a shared one.
   */
  allowInline: boolean;
}

export const EMPTY_SERVER_REGISTRY: ServerRegistry = { servers: [], allowInline: false };

/** The rule a workflow's server broke, non-retryable: another attempt on this worker breaks it again. */
function refused(message: string): ApplicationFailure {
  return nonRetryableFailure('invalid_arguments', message, currentActivityContext()?.info.attempt ?? 1);
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

/** The rules of the workflow (approval, allowed tools, description) on the worker's connection. */
function withInputRules<T extends ServerConfig>(definition: T, input: ServerConfig | RegisteredServerConfig): T {
  const { require_approval, allowed_tools, description } = input;
  const rules = { require_approval, ...(allowed_tools ? { allowed_tools } : {}), ...(description ? { description } : {}) };
  const { allowed_tools: _allowed, description: _description, inline: _inline, ...connection } = definition;
  return { ...connection, ...rules } as T;
}

/** What this worker connects to for a server of a workflow input, or a refusal naming the rule. */
export function resolveServer(input: ServerConfig | RegisteredServerConfig, registry: ServerRegistry): ServerConfig {
  const registered = registry.servers.find((server) => server.label === input.label);
  const register = `register it under "servers" in the worker's config (mcpflow worker --config <file>) and name it by label`;
  if (isRegisteredReference(input)) {
    if (!registered)
      throw refused(`server "${input.label}" is not registered on this worker (rule: a server named by label is defined by the worker's config): ${register}`);
    return withInputRules(registered, input);
  }
  const http = input as HttpServerConfig;
  const defined = input.inline || isStdioServer(input) || http.headers || http.authorization || http.auth;
  // One person's worker: what the input defines runs as written (the workflow asked for the mark; this worker trusts its inputs).
  if (defined && registry.allowInline) return input;
  if (input.inline) {
    throw refused(
      `server "${input.label}" is defined in the workflow input (a command or secret references), which this worker refuses (rule: commands and secrets are defined only in the worker's config; allow_inline_servers is off): ${register}`,
    );
  }
  // The workflow's check (workflows/input.ts) let nothing else through; a client that skipped it stops here.
  if (isStdioServer(input))
    throw refused(
      `server "${input.label}": a stdio command in workflow input is refused (rule: commands are defined only in the worker's config): ${register}`,
    );
  if (http.headers || http.authorization || http.auth) {
    throw refused(
      `server "${input.label}": secret references in workflow input are refused (rule: which secrets a server receives is defined only in the worker's config): ${register}`,
    );
  }
  // A plain URL. The registered server's secrets go with it only to the URL registered for that label.
  if (registered && !isStdioServer(registered) && sameUrl(registered.url, http.url)) return withInputRules(registered, input);
  return http;
}

type AnyActivity = (...args: never[]) => Promise<unknown>;

function resolveInput(input: unknown, registry: ServerRegistry): unknown {
  if (!input || typeof input !== 'object') return input;
  const record = input as { server?: unknown; servers?: unknown };
  let resolved = input;
  if (record.server && typeof record.server === 'object') resolved = { ...resolved, server: resolveServer(record.server as ServerConfig, registry) };
  if (Array.isArray(record.servers))
    resolved = {
      ...resolved,
      servers: record.servers.map((server: unknown) => (server && typeof server === 'object' ? resolveServer(server as ServerConfig, registry) : server)),
    };
  return resolved;
}

/** Every activity with its `server` / `servers` resolved through the registry before it runs. */
export function withServerRegistry<T extends Record<string, AnyActivity>>(activities: T, registry: ServerRegistry): T {
  const wrapped: Record<string, AnyActivity> = {};
  for (const [name, activity] of Object.entries(activities)) {
    const run = activity as unknown as (input: unknown, ...rest: unknown[]) => Promise<unknown>;
    wrapped[name] = (async (input: unknown, ...rest: unknown[]) => run(resolveInput(input, registry), ...rest)) as unknown as AnyActivity;
  }
  return wrapped as T;
}
