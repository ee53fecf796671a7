/** MCP servers and run options for a command: the config file's, then the flags' (which win). */
import { DEFAULT_RETRY_SETTINGS, type RetrySettings } from '../core/retry';
import { hostedModeProblem, type ServerConfig } from '../core/servers';
import { parseServerSpec } from '../config/server-spec';
import type { ExecutionMode } from '../core/defaults';
import type { CommandContext } from './context';
import { UsageError } from './errors';

/** Config servers, with a --server of the same label replacing the config's. */
export function serversFrom(context: CommandContext, specs: readonly string[] = []): ServerConfig[] {
  const byLabel = new Map(context.loaded.config.servers.map((server) => [server.label, server]));
  const fromFlags = new Set<string>();
  for (const spec of specs) {
    const server = parseServerSpec(spec);
    // Two flags with one label: which one was meant cannot be guessed (a flag replacing the config's server is fine).
    if (fromFlags.has(server.label)) throw new UsageError(`--server: the label "${server.label}" is given twice: give each server its own label`);
    fromFlags.add(server.label);
    byLabel.set(server.label, server);
  }
  return [...byLabel.values()];
}

export function requireServers(servers: ServerConfig[]): ServerConfig[] {
  if (!servers.length) {
    throw new UsageError(
      'no MCP servers: pass --server label=url (for example --server weather=http://127.0.0.1:8801/mcp,approval=never), --server \'label=stdio:<command> [args…]\' (direct mode) or list them under "servers" in mcpflow.config.json',
    );
  }
  return servers;
}

export interface RunFlags {
  mode?: ExecutionMode;
  model?: string;
  server?: string[];
}

export function runOptions(context: CommandContext, flags: RunFlags): { mode: ExecutionMode; model: string; retry: RetrySettings; cache_ttl_ms?: number } {
  const defaults = context.loaded.config.defaults;
  const mode = flags.mode ?? defaults.mode;
  // The model's platform cannot start a program on the worker's machine: refuse before anything starts.
  const problem = mode === 'hosted' ? hostedModeProblem(serversFrom(context, flags.server)) : undefined;
  if (problem) throw new UsageError(problem);
  return {
    mode,
    model: flags.model ?? defaults.model,
    retry: { ...DEFAULT_RETRY_SETTINGS, ...defaults.retry },
    ...(defaults.cache_ttl_ms !== undefined ? { cache_ttl_ms: defaults.cache_ttl_ms } : {}),
  };
}
