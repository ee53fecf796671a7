/**
 * stdio MCP servers: a program the worker starts and talks to over stdin/stdout. The pool
 * (./connections.ts) keeps one process per server; this file turns a server config into the
 * program's parameters and forwards what the program writes to stderr to the worker's log,
 * with the secrets it was given hidden. The program runs in a process group of its own, so that
 * what it starts ends with it, after a crash too (./stdio-process-group.ts).
 */
import type { Readable } from 'node:stream';
import { getDefaultEnvironment, type StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { McpLog } from '../../runtime-log';
import type { StdioServerConfig } from '../../../src/core/servers';
import { redactText, resolveSecret, type Env } from '../../secrets';
import { ProcessGroupStdioTransport } from './stdio-process-group';
import { readStderr } from './stdio-stderr';
import { McpflowError } from '../../../src/core/mcpflow-error';

export interface StdioParams {
  label: string;
  command: string;
  args: string[];
  /** The program's whole environment: a minimal inherited one (PATH, HOME, ...) and the configured variables. */
  env: Record<string, string>;
  cwd?: string;
  /** The resolved secret values, hidden in what the program writes to stderr. */
  secrets: string[];
}

export { runtimeLog, type McpLog } from '../../runtime-log';

/** The program the worker starts: secret references resolved here, on the worker, never in history. */
export function stdioParams(server: StdioServerConfig, env: Env): StdioParams {
  const resolved: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(server.env ?? {})) {
    if (typeof value === 'string') {
      resolved[name] = value;
    } else {
      resolved[name] = resolveSecret(value, env, `server ${server.label}: env.${name}`);
      secrets.push(resolved[name]);
    }
  }
  return {
    label: server.label,
    command: server.command,
    args: server.args,
    env: { ...getDefaultEnvironment(), ...resolved },
    ...(server.cwd ? { cwd: server.cwd } : {}),
    secrets,
  };
}

/** The program could not be started (not found, not executable, a bad working directory): a configuration problem. */
export class StdioSpawnError extends McpflowError {
  constructor(
    readonly label: string,
    command: string,
    cause: unknown,
  ) {
    const code = cause && typeof cause === 'object' && 'code' in cause ? ` (${String(cause.code)})` : '';
    super(`server ${label}: cannot start "${command}"${code}: check "command" and "cwd" of the server, on the worker's machine`, { cause });
  }
}

/** A transport whose program's stderr goes to `log`, line by line (bounded, rate-limited), redacted. Nothing is started yet. */
export function stdioTransport(params: StdioParams, log: McpLog): StdioClientTransport {
  // The program and whatever it starts end together (./stdio-process-group.ts).
  const transport = new ProcessGroupStdioTransport({
    command: params.command,
    args: params.args,
    env: params.env,
    ...(params.cwd ? { cwd: params.cwd } : {}),
    stderr: 'pipe',
  });
  const stderr = transport.stderr;
  if (stderr) {
    // One stderr line in the log is enough to diagnose; a program dumping megabytes must neither flood it nor fill memory.
    readStderr(stderr as Readable, {
      redact: (text) => redactText(text, params.secrets),
      line: (line) => log('info', `MCP server ${params.label} (stdio): ${line}`, { server: params.label, pid: transport.pid ?? undefined }),
      error: (error) => log('warn', `MCP server ${params.label} (stdio): its stderr could not be read: ${error.message}`, { server: params.label }),
    });
  }
  return transport;
}

/** True for the errors `spawn` reports when the program cannot run at all. */
export function isSpawnFailure(error: unknown): boolean {
  const code = error && typeof error === 'object' && 'code' in error ? error.code : undefined;
  return code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR' || code === 'EPERM';
}
