/**
 * Finds, reads and validates the config file. Every error names the file, the field path and
 * what to write instead, because a config error is always fixed by editing that file.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './errors';
import { EMPTY_CONFIG, McpflowConfigSchema, type McpflowConfig } from './schema';

export const CONFIG_FILE_NAMES = ['mcpflow.config.json', 'mcpflow.config.yaml', 'mcpflow.config.yml'] as const;

export interface LoadedConfig {
  config: McpflowConfig;
  /** Absolute path of the file read; undefined when none was found (built-in defaults). */
  path: string | undefined;
}

/** The first of CONFIG_FILE_NAMES in `cwd`, or undefined. */
export function findConfigFile(cwd: string = process.cwd()): string | undefined {
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = path.join(cwd, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * `explicitPath` (from --config) must exist; without it the file is looked up in `cwd`, and
 * having none is fine: servers can come from flags.
 */
export function loadConfig(options: { explicitPath?: string; cwd?: string } = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const file = options.explicitPath ? path.resolve(cwd, options.explicitPath) : findConfigFile(cwd);
  if (!file) return { config: EMPTY_CONFIG, path: undefined };
  if (!existsSync(file)) throw new ConfigError(`config file ${file} does not exist: check the --config path`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  return { config: parseConfigText(text, file), path: file };
}

/** Parses JSON or YAML (by extension; YAML is a superset of JSON for anything else). */
export function parseConfigText(text: string, file: string): McpflowConfig {
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw new ConfigError(`${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  return validateConfig(raw ?? {}, file);
}

export function validateConfig(raw: unknown, source: string): McpflowConfig {
  const parsed = McpflowConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new ConfigError(`invalid config ${source}:\n${describeIssues(parsed.error)}`);
}

/** One line per problem: `servers[1].url: must be the MCP endpoint URL, ...`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `  ${formatPath(issue.path)}: ${explain(issue)}`).join('\n');
}

function explain(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling`;
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return `is required (${issue.message})`;
  return issue.message;
}

function formatPath(segments: readonly PropertyKey[]): string {
  if (!segments.length) return '(top level)';
  return segments.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`)).join('');
}
