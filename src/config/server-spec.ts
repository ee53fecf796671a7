/**
 * `--server label[,approval=never][,tools=a|b]` (a server of the worker's config, by label),
 * `--server label=url[,approval=never][,auth=ENV_NAME|env:ENV_NAME|oauth][,tools=a|b]` or
 * `--server 'label=stdio:<command> [args…][,approval=never][,env=A|B][,cwd=DIR][,tools=a|b]'`:
 * an MCP server on the command line, checked by the same schema as the config file.
 */
import { ServerConfigSchema, type ServerConfig } from '../core/servers';
import { describeZodError } from '../core/schemas';
import { ConfigError } from './errors';

const HTTP_OPTION_KEYS = ['approval', 'auth', 'tools', 'approvers'] as const;
const STDIO_OPTION_KEYS = ['approval', 'env', 'cwd', 'tools', 'approvers'] as const;
const STDIO_PREFIX = 'stdio:';

export function parseServerSpec(spec: string): ServerConfig {
  // `--server files[,approval=never]`: a server the worker's config defines, named by label.
  const labelOnly = /^([A-Za-z0-9_-]+)(?:,(.*))?$/s.exec(spec.trim());
  if (labelOnly) return parseRegisteredSpec(spec, labelOnly[1]!, labelOnly[2]?.split(',') ?? []);
  const match = /^([^=,]+)=(.+)$/s.exec(spec.trim());
  if (!match) {
    throw new ConfigError(
      `--server "${spec}": expected label=url or label=stdio:<command> [args…], for example --server weather=http://127.0.0.1:8801/mcp,approval=never or --server 'memory=stdio:npx -y @modelcontextprotocol/server-memory'`,
    );
  }
  const label = match[1]!.trim();
  const rest = match[2]!.trim();
  const stdio = rest.startsWith(STDIO_PREFIX);
  const raw: Record<string, unknown> = { label };
  let options: string[];
  if (stdio) {
    const { words, options: tail } = splitCommandLine(rest.slice(STDIO_PREFIX.length), spec);
    if (!words.length) throw new ConfigError(`--server "${spec}": stdio: needs a command, for example stdio:npx -y @modelcontextprotocol/server-memory`);
    raw.command = words[0];
    raw.args = words.slice(1);
    options = tail;
  } else {
    const [url, ...tail] = rest.split(',');
    raw.url = url!.trim();
    options = tail;
  }
  const keys: readonly string[] = stdio ? STDIO_OPTION_KEYS : HTTP_OPTION_KEYS;
  for (const option of options) {
    const [key, ...valueParts] = option.split('=');
    const name = key?.trim();
    const value = valueParts.join('=').trim();
    if (!name || !valueParts.length || value === '')
      throw new ConfigError(`--server "${spec}": option "${option}" must be key=value (keys: ${keys.join(', ')})`);
    if (!keys.includes(name)) throw new ConfigError(`--server "${spec}": unknown option "${name}"; use ${keys.join(', ')}`);
    if (name === 'approval') raw.require_approval = value;
    // auth=oauth: tokens from `mcpflow auth <label>`; auth=NAME or auth=env:NAME: a token in the worker's environment.
    else if (name === 'auth') {
      if (value === 'oauth') raw.auth = { oauth: true };
      else raw.authorization = { env: value.startsWith('env:') ? value.slice('env:'.length) : value };
    } else if (name === 'tools') raw.allowed_tools = value.split('|').filter(Boolean);
    // approvers=alice|bob: only they may approve or deny this server's calls.
    else if (name === 'approvers') raw.approvers = value.split('|').filter(Boolean);
    else if (name === 'cwd') raw.cwd = value;
    // The program gets the worker's value of each named variable, by reference (never in history).
    else if (name === 'env')
      raw.env = Object.fromEntries(
        value
          .split('|')
          .filter(Boolean)
          .map((variable) => [variable, { env: variable }]),
      );
  }
  // A command or secrets written on the command line: only a worker that accepts inline servers runs them (`mcpflow dev`).
  if (stdio || raw.authorization || raw.auth) raw.inline = true;
  return checked(spec, raw);
}

const REGISTERED_OPTION_KEYS = ['approval', 'tools', 'approvers'] as const;

function parseRegisteredSpec(spec: string, label: string, options: string[]): ServerConfig {
  const raw: Record<string, unknown> = { label };
  for (const option of options) {
    const [name, ...valueParts] = option.split('=').map((part) => part.trim());
    const value = valueParts.join('=');
    if (!name || !value) throw new ConfigError(`--server "${spec}": option "${option}" must be key=value (keys: ${REGISTERED_OPTION_KEYS.join(', ')})`);
    if (name === 'approval') raw.require_approval = value;
    else if (name === 'tools') raw.allowed_tools = value.split('|').filter(Boolean);
    else if (name === 'approvers') raw.approvers = value.split('|').filter(Boolean);
    else
      throw new ConfigError(
        `--server "${spec}": unknown option "${name}" for a server named by label (the worker's config defines the rest); use ${REGISTERED_OPTION_KEYS.join(', ')}`,
      );
  }
  return checked(spec, raw);
}

function checked(spec: string, raw: Record<string, unknown>): ServerConfig {
  const parsed = ServerConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const hint = raw.require_approval !== undefined ? ' (approval is always or never)' : '';
    throw new ConfigError(`--server "${spec}": ${describeZodError(parsed.error)}${hint}`);
  }
  return parsed.data;
}

/**
 * A command line split into words as a POSIX shell would for plain words, 'single' and
 * "double" quotes and backslash escapes (no variables, globs or pipes: nothing is run by a
 * shell). The first unquoted comma ends the command; what follows are the spec's options.
 */
export function splitCommandLine(text: string, spec: string): { words: string[]; options: string[] } {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === '\\' && (text[index + 1] === '"' || text[index + 1] === '\\')) word += text[++index];
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === '\\' && index + 1 < text.length) {
      word += text[++index];
      inWord = true;
    } else if (/\s/.test(char) || char === ',') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      if (char === ',') return { words, options: text.slice(index + 1).split(',') };
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote) throw new ConfigError(`--server "${spec}": the quote ${quote} is not closed`);
  if (inWord) words.push(word);
  return { words, options: [] };
}
