/** Flag parsers shared by commands; a bad value becomes commander's "invalid argument" (exit 2). */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { BackgroundModeSchema } from '../core/background';
import { DEFAULT_MODEL, ExecutionModeSchema } from '../core/defaults';
import { ALLOW_PRIVATE_NETWORKS_CHOICES, allowPrivateNetworksFromText } from '../core/destinations';
import {
  MaxOutputTokensSchema,
  PromptCacheKeySchema,
  REASONING_EFFORTS,
  REASONING_SUMMARIES,
  SERVICE_TIERS,
  type ReasoningOptions,
  type ServiceTier,
} from '../core/model-options';

const UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `30s`, `5m`, `2h`, `1d`, or plain milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError(`"${value}" is not a duration: use for example 30s, 5m, 2h, 1d or milliseconds`);
  const ms = Math.round(Number(match[1]) * UNITS_MS[match[2] ?? 'ms']!);
  if (!Number.isSafeInteger(ms)) throw new InvalidArgumentError(`"${value}" is too long`);
  if (ms <= 0) throw new InvalidArgumentError(`"${value}" must be longer than zero`);
  return ms;
}

/** The longest approval wait mcpflow accepts (a Temporal timer could run longer; a typo should not). */
export const MAX_APPROVAL_TIMEOUT_MS = 365 * 86_400_000;
/** As the workflow input allows (QueryInputSchema.max_steps). */
export const MAX_STEPS = 50;

export function parseApprovalTimeout(value: string): number {
  const ms = parseDuration(value);
  if (ms > MAX_APPROVAL_TIMEOUT_MS) throw new InvalidArgumentError(`"${value}" is longer than 365 days: use at most 365d`);
  return ms;
}

export function parseMaxSteps(value: string): number {
  const steps = parsePositiveInt(value);
  if (steps > MAX_STEPS) throw new InvalidArgumentError(`"${value}" is more than ${MAX_STEPS} model turns: use 1-${MAX_STEPS}`);
  return steps;
}

export function parsePositiveInt(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(number) || number < 1) throw new InvalidArgumentError(`"${value}" is not a positive whole number`);
  return number;
}

/** For repeatable flags: `--server a --server b`. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/*
 * The run flags of every command that starts runs (read by serversFrom and runOptions in
 * servers.ts): one definition, so the same behaviour has the same help everywhere. `scope` says
 * when a command applies the flag, e.g. "with --batch".
 */
const scoped = (scope: string | undefined, help: string) => (scope ? `${scope}: ${help}` : help);

export const serverOption = (scope?: string) =>
  new Option(
    '--server <label=url[,approval=never]>',
    scoped(scope, "an MCP server, or the label of a config file server (repeatable; replaces the config file's server of that label, adds to the others)"),
  ).argParser(collect);

export const modeOption = (scope?: string) =>
  new Option(
    '--mode <mode>',
    scoped(scope, 'who calls the MCP servers: OpenAI (hosted) or the worker (direct; listing costs 0 tokens) (default from config)'),
  ).choices(ExecutionModeSchema.options);

export const modelOption = (scope?: string) => new Option('--model <name>', scoped(scope, `model name (default from config, else ${DEFAULT_MODEL})`));

/** The model options' flags (src/core/model-options.ts), read by runOptions in servers.ts: `query`, `session start` and `batch run` take them all. */
export interface ModelFlags {
  reasoningEffort?: ReasoningOptions['effort'];
  reasoningSummary?: ReasoningOptions['summary'];
  serviceTier?: ServiceTier;
  promptCacheKey?: string;
  maxOutputTokens?: number;
}

export function modelTuningOptions(scope?: string): Option[] {
  return [
    new Option('--reasoning-effort <effort>', scoped(scope, "how hard a reasoning model thinks (default from config, else the API's)")).choices(
      REASONING_EFFORTS,
    ),
    new Option('--reasoning-summary <kind>', scoped(scope, "a reasoning model's summary of its reasoning (default: none)")).choices(REASONING_SUMMARIES),
    new Option(
      '--service-tier <tier>',
      scoped(scope, 'processing tier: flex is cheaper and slower, its "resource unavailable" 429s are retried (default from config, else the API\'s)'),
    ).choices(SERVICE_TIERS),
    new Option(
      '--prompt-cache-key <key>',
      scoped(scope, "requests with one key share the API's prompt cache (default: one key per batch or session, none for a lone query)"),
    ).argParser(parsePromptCacheKey),
    new Option('--max-output-tokens <n>', scoped(scope, 'at most this many output tokens per model call, reasoning included (at least 16)')).argParser(
      parseMaxOutputTokens,
    ),
  ];
}

/** Adds the model options' flags to a command (a commander chain cannot spread a list). */
export function withModelTuning(command: Command, scope?: string): Command {
  for (const option of modelTuningOptions(scope)) command.addOption(option);
  return command;
}

function parsePromptCacheKey(value: string): string {
  const parsed = PromptCacheKeySchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]?.message ?? 'invalid key');
  return value;
}

function parseMaxOutputTokens(value: string): number {
  const parsed = MaxOutputTokensSchema.safeParse(parsePositiveInt(value));
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]?.message ?? 'invalid number');
  return parsed.data;
}

export const backgroundOption = (scope?: string) =>
  new Option(
    '--background <mode>',
    scoped(
      scope,
      'model turns in background mode, followed by id with no worker waiting: auto = when the conversation is stored (default from config, else auto)',
    ),
  ).choices(BackgroundModeSchema.options);
/** `--max-tokens` / `--max-cost`: the token and cost budget of a query or a whole batch (src/core/usage.ts). */
export const maxTokensOption = (scope?: string) =>
  new Option(
    '--max-tokens <n>',
    scoped(scope, 'stop once the model turns used more than this many tokens (input + output), checked after each turn'),
  ).argParser(parsePositiveInt);
export const maxCostOption = (scope?: string) =>
  new Option(
    '--max-cost <usd>',
    scoped(scope, 'stop once the estimated cost passed this many US dollars (needs the model in the config\'s "prices")'),
  ).argParser(parseUsd);

export function parseUsd(value: string): number {
  const usd = Number(value.trim().replace(/^\$/, ''));
  if (!/^\$?\d*\.?\d+$/.test(value.trim()) || !(usd > 0)) throw new InvalidArgumentError(`"${value}" is not an amount of US dollars above zero, e.g. 0.50`);
  return usd;
}

export const jsonOption = () => new Option('--json', 'print one JSON document on stdout (for scripts)').default(false);

export interface GlobalFlags {
  config?: string;
  address?: string;
  namespace?: string;
  profile?: string;
  taskQueue?: string;
}

export function parsePortFlag(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port < 1 || port > 65535) throw new InvalidArgumentError(`"${value}" is not a TCP port (1-65535)`);
  return port;
}

/** A port to listen on, where 0 means "any free port". */
export function parseListenPortFlag(value: string): number {
  return value.trim() === '0' ? 0 : parsePortFlag(value);
}

/**
 * `--allow-private-networks` (env MCPFLOW_ALLOW_PRIVATE_NETWORKS) of the long-running services:
 * which private ranges outbound MCP connections may reach. Containers on a private network
 * (docker compose) need `true`; the config's `allow_private_networks` applies when absent.
 */
export function allowPrivateNetworksOption(defaultHelp: string): Option {
  return new Option(
    '--allow-private-networks <mode>',
    `MCP servers on private networks: true (private and loopback ranges), loopback, or false (${defaultHelp})`,
  )
    .choices(ALLOW_PRIVATE_NETWORKS_CHOICES)
    .env('MCPFLOW_ALLOW_PRIVATE_NETWORKS')
    .argParser((value) => {
      if (!(ALLOW_PRIVATE_NETWORKS_CHOICES as readonly string[]).includes(value)) {
        throw new InvalidArgumentError(`"${value}" is not one of ${ALLOW_PRIVATE_NETWORKS_CHOICES.join(', ')}`);
      }
      return allowPrivateNetworksFromText(value as (typeof ALLOW_PRIVATE_NETWORKS_CHOICES)[number]);
    });
}
