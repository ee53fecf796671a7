/**
 * `mcpflow auth <label>`: signs in to an OAuth-protected MCP server, here in the terminal (never
 * in a workflow): prints (and tries to open) the authorization URL, waits for the browser on a
 * loopback redirect listener, and writes the tokens to the token store the worker reads.
 */
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { signIn } from '../../auth/sign-in';
import { readTokenStore, tokenStorePath, updateTokenStore } from '../../auth/token-store';
import { isOAuthServer, isStdioServer } from '../../core/servers';
import { commandContext } from '../context';
import { UsageError } from '../errors';
import { jsonOption, serverOption } from '../options';
import { printJson, table, toStderr, toStdout } from '../output';
import { serverDefinitionsFrom } from '../servers';

interface AuthFlags {
  server?: string[];
  browser: boolean;
  port?: string;
  timeout: string;
  forget?: boolean;
  list?: boolean;
  json: boolean;
}

export function registerAuthCommand(program: Command): void {
  program
    .command('auth')
    .description('Sign in to an OAuth-protected MCP server ("auth": { "oauth": true }) and store its tokens for the worker')
    .argument('[label]', 'the server, from the config file or --server')
    .addOption(serverOption())
    .option('--no-browser', 'only print the authorization URL, do not try to open a browser')
    .option('--port <port>', 'port of the loopback redirect listener (default: any free port)')
    .option('--timeout <seconds>', 'how long to wait for the browser', '300')
    .option('--forget', 'remove the stored tokens of this server instead of signing in')
    .option('--list', 'list the servers with stored tokens (never the tokens): expiry, refresh, issuer')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
The token store is MCPFLOW_TOKEN_STORE, else $XDG_STATE_HOME/mcpflow/oauth-tokens.json, else
~/.local/state/mcpflow/oauth-tokens.json (mode 0600). The worker reads the same file: run this
where the worker runs, or point MCPFLOW_TOKEN_STORE of both at one file.`,
    )
    .action(async (label: string | undefined, flags: AuthFlags, command: Command) => {
      const context = commandContext(command);
      if (flags.list) return listStored(tokenStorePath(process.env), flags.json);
      if (!label) throw new UsageError('mcpflow auth: name the server to sign in to (mcpflow auth <label>), or use --list');
      const server = serverDefinitionsFrom(context, flags.server).find((candidate) => candidate.label === label);
      if (!server) throw new UsageError(`no server labelled ${label}: list it in mcpflow.config.json or pass --server ${label}=<url>,auth=oauth`);
      if (isStdioServer(server) || !isOAuthServer(server)) {
        throw new UsageError(
          `server ${label} is not an OAuth server: give it "auth": { "oauth": true } in the config file (or --server ${label}=<url>,auth=oauth)`,
        );
      }
      const file = tokenStorePath(process.env);
      if (flags.forget) {
        await updateTokenStore(file, server.url, () => undefined);
        if (flags.json) printJson({ label, server_url: server.url, token_store: file, forgotten: true });
        else toStdout(`Forgot the tokens of ${label} (${server.url}) in ${file}`);
        return;
      }
      const timeout = Number(flags.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout ${flags.timeout}: give a number of seconds, for example --timeout 300`);
      const port = flags.port === undefined ? 0 : Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port ${flags.port}: give a port number (0-65535)`);
      const result = await signIn({
        label,
        serverUrl: server.url,
        settings: server.auth,
        storeFile: file,
        port,
        timeoutMs: timeout * 1000,
        showUrl: (url) => {
          // The URL alone on its line, on stdout (stderr with --json, whose stdout is one JSON document), so a script can follow it.
          toStderr(`Open this URL to sign in to ${label}${flags.browser ? ' (trying to open a browser)' : ''}:`);
          (flags.json ? toStderr : toStdout)(url.href);
          if (flags.browser) openBrowser(url.href);
        },
      });
      const expires = result.expiresAt ? `expires ${new Date(result.expiresAt).toISOString()}` : 'no expiry given';
      if (flags.json)
        printJson({
          label,
          server_url: server.url,
          token_store: result.file,
          issuer: result.issuer,
          expires_at: result.expiresAt ?? null,
          scope: result.scope ?? null,
          refreshable: result.refreshable,
        });
      else
        toStderr(
          `Signed in to ${label} (${server.url}) at ${result.issuer}: token stored in ${result.file} (${expires}; ${result.refreshable ? 'the worker refreshes it' : 'no refresh token: sign in again when it expires'})`,
        );
    });
}

async function listStored(file: string, json: boolean): Promise<void> {
  const { servers } = await readTokenStore(file);
  const rows = Object.values(servers).map((entry) => ({
    label: entry.label,
    server_url: entry.server_url,
    issuer: entry.issuer,
    expires_at: entry.expires_at === undefined ? null : new Date(entry.expires_at).toISOString(),
    expired: entry.expires_at !== undefined && entry.expires_at <= Date.now(),
    refreshable: !!entry.tokens.refresh_token,
    updated_at: entry.updated_at,
  }));
  if (json) return printJson({ token_store: file, servers: rows });
  if (!rows.length) return toStdout(`No tokens in ${file}: sign in with mcpflow auth <label>`);
  toStdout(`Token store: ${file}`);
  toStdout(
    table(
      ['label (at sign-in)', 'server', 'expires', 'refresh token', 'issuer'],
      rows.map((row) => [
        row.label,
        row.server_url,
        row.expires_at ? `${row.expires_at}${row.expired ? ' (expired)' : ''}` : 'unknown',
        row.refreshable ? 'yes' : 'no',
        row.issuer,
      ]),
    ),
  );
}

/** Best effort: the URL is printed anyway, and a machine without a browser just shows it. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener on this machine: the printed URL is enough.
  }
}
