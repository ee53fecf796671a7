/** MCP servers and run options for a command: the config file's, then the flags' (which win). */
import { DEFAULT_RETRY_SETTINGS, type RetrySettings } from '../core/retry';
import { hostedModeProblem, isRegisteredReference, isStdioServer, type ServerConfig } from '../core/servers';
import { parseServerSpec } from '../config/server-spec';
import type { ExecutionMode } from '../core/defaults';
import { setModelOptions, type ModelOptions } from '../core/model-options';
import type { ModelFlags } from './options';
import type { ModelPrice } from '../core/usage';
import type { CommandContext } from './context';
import { UsageError } from './errors';

/** Config servers, with a --server of the same label replacing the config's: the definitions, as written. */
export function serverDefinitionsFrom(context: CommandContext, specs: readonly string[] = []): ServerConfig[] {
  const byLabel = new Map(context.loaded.config.servers.map((server) => [server.label, server]));
  const fromFlags = new Set<string>();
  for (const spec of specs) {
    const server = parseServerSpec(spec);
    // Two flags with one label: which one was meant cannot be guessed (a flag replacing the config's server is fine).
    if (fromFlags.has(server.label)) throw new UsageError(`--server: the label "${server.label}" is given twice: give each server its own label`);
    fromFlags.add(server.label);
    const configured = byLabel.get(server.label);
    // `--server files,approval=never`: the config's server with the flag's rules.
    byLabel.set(server.label, isRegisteredReference(server) && configured ? ({ ...configured, ...flagRules(spec, server) } as ServerConfig) : server);
  }
  return [...byLabel.values()];
}

/**
 * The servers as a workflow input carries them. The config file's definitions are the worker's
 * to apply (its `servers` are the registry, activities/server-registry.ts): a stdio server goes by
 * label, an HTTP server by label and URL without its secrets (the worker adds the secrets it has
 * registered for that URL). What a flag defines itself (a command, secrets) is sent as written,
 * marked inline: a worker that accepts inline servers (`mcpflow dev`) runs it, any other refuses.
 */
export function serversFrom(context: CommandContext, specs: readonly string[] = []): ServerConfig[] {
  return serverDefinitionsFrom(context, specs).map((server) => (server.inline || isRegisteredReference(server) ? server : byReference(server)));
}

function byReference(server: ServerConfig): ServerConfig {
  const rules = {
    label: server.label,
    require_approval: server.require_approval,
    ...(server.allowed_tools ? { allowed_tools: server.allowed_tools } : {}),
    ...(server.description ? { description: server.description } : {}),
    // The approvers policy is checked by the workflow's update validators: it travels with the rules.
    ...(server.approvers ? { approvers: server.approvers } : {}),
  };
  if (isStdioServer(server)) return rules as ServerConfig;
  return server.headers || server.authorization || server.auth ? { ...rules, url: server.url } : server;
}

/** The rules a label-only flag sets itself (approval=, tools=), which win over the config's. */
function flagRules(spec: string, server: ServerConfig): Partial<ServerConfig> {
  return {
    ...(/(^|,)\s*approval=/.test(spec) ? { require_approval: server.require_approval } : {}),
    ...(server.allowed_tools ? { allowed_tools: server.allowed_tools } : {}),
    ...(server.approvers ? { approvers: server.approvers } : {}),
  };
}

export function requireServers(servers: ServerConfig[]): ServerConfig[] {
  if (!servers.length) {
    throw new UsageError(
      "no MCP servers: pass --server label=url (for example --server weather=http://127.0.0.1:8801/mcp,approval=never), --server <label> (a server of the worker's config), --server 'label=stdio:<command> [args…]' (direct mode, a worker that allows inline servers) or list them under \"servers\" in mcpflow.config.json",
    );
  }
  return servers;
}

export interface RunFlags extends ModelFlags {
  mode?: ExecutionMode;
  model?: string;
  server?: string[];
}

export function runOptions(
  context: CommandContext,
  flags: RunFlags,
): { mode: ExecutionMode; model: string; retry: RetrySettings; cache_ttl_ms?: number; price?: ModelPrice } & ModelOptions {
  const defaults = context.loaded.config.defaults;
  const mode = flags.mode ?? defaults.mode;
  // The model's platform cannot start a program on the worker's machine: refuse before anything starts.
  const problem = mode === 'hosted' ? hostedModeProblem(serverDefinitionsFrom(context, flags.server)) : undefined;
  if (problem) throw new UsageError(problem);
  const model = flags.model ?? defaults.model;
  // The config's price of the model goes with the run (the workflow estimates the cost); none = cost unknown.
  const price = context.loaded.config.prices?.[model];
  return {
    mode,
    model,
    retry: { ...DEFAULT_RETRY_SETTINGS, ...defaults.retry },
    ...(defaults.cache_ttl_ms !== undefined ? { cache_ttl_ms: defaults.cache_ttl_ms } : {}),
    ...modelOptions(defaults, flags),
    ...(price ? { price } : {}),
  };
}

/** The model options: each flag wins over the config's default; reasoning effort and summary each on their own. */
function modelOptions(defaults: ModelOptions, flags: ModelFlags): ModelOptions {
  const effort = flags.reasoningEffort ?? defaults.reasoning?.effort;
  const summary = flags.reasoningSummary ?? defaults.reasoning?.summary;
  return setModelOptions({
    ...(effort || summary ? { reasoning: { ...(effort ? { effort } : {}), ...(summary ? { summary } : {}) } } : {}),
    service_tier: flags.serviceTier ?? defaults.service_tier,
    prompt_cache_key: flags.promptCacheKey ?? defaults.prompt_cache_key,
    max_output_tokens: flags.maxOutputTokens ?? defaults.max_output_tokens,
  });
}
