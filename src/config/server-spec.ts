/**
 * `--server label=url[,approval=never][,auth=ENV_NAME][,tools=a|b]`: an MCP server on the command
 * line, checked by the same schema as the config file.
 */
import { ServerConfigSchema, type ServerConfig } from '../core/servers';
import { describeZodError } from '../core/schemas';
import { ConfigError } from './errors';

const OPTION_KEYS = ['approval', 'auth', 'tools'] as const;

export function parseServerSpec(spec: string): ServerConfig {
  const [head, ...options] = spec.split(',');
  const match = /^([^=]+)=(.+)$/.exec(head?.trim() ?? '');
  if (!match) {
    throw new ConfigError(`--server "${spec}": expected label=url, for example --server weather=http://127.0.0.1:8801/mcp,approval=never`);
  }
  const raw: Record<string, unknown> = { label: match[1]!.trim(), url: match[2]!.trim() };
  for (const option of options) {
    const [key, value] = option.split('=').map((part) => part.trim());
    if (!key || value === undefined || value === '') throw new ConfigError(`--server "${spec}": option "${option}" must be key=value (keys: ${OPTION_KEYS.join(', ')})`);
    if (key === 'approval') raw.require_approval = value;
    else if (key === 'auth') raw.authorization = { env: value };
    else if (key === 'tools') raw.allowed_tools = value.split('|').filter(Boolean);
    else throw new ConfigError(`--server "${spec}": unknown option "${key}"; use ${OPTION_KEYS.join(', ')}`);
  }
  const parsed = ServerConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const hint = raw.require_approval !== undefined ? ' (approval is always or never)' : '';
    throw new ConfigError(`--server "${spec}": ${describeZodError(parsed.error)}${hint}`);
  }
  return parsed.data;
}
