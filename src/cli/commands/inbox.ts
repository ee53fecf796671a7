/**
 * `mcpflow inbox`: the approval inbox in the browser (src/inbox). It holds the Temporal
 * connection; the people who use it need only the page. Loopback by default; on any other
 * address it needs named tokens (`--token-file`, or `inbox.tokens` in the config), and every
 * decision carries the name of the token it was made with.
 */
import { Option, type Command } from 'commander';
import { workflowUiUrl } from '../../config/connection';
import { InboxAuthError, generateInboxToken, resolveInboxAccess, tokenDigestHex, tokensFromConfig, tokensFromFile } from '../../inbox/auth';
import { startInbox } from '../../inbox/server';
import { commandContext, withClient } from '../context';
import { UsageError } from '../errors';
import { parseListenPortFlag } from '../options';
import { toStdout } from '../output';
import { waitForStopSignal } from '../signals';

export const DEFAULT_INBOX_PORT = 8082;

interface InboxFlags {
  host?: string;
  port?: number;
  tokenFile?: string;
  allowHost?: string[];
  uiUrl?: string;
  generateToken?: string;
}

export function registerInboxCommand(program: Command): void {
  program
    .command('inbox')
    .description(
      'An approval inbox in the browser: every pending approval and MCP server question across queries, sessions and batches, answered by name (loopback by default; named tokens required on any other address)',
    )
    .addOption(new Option('--host <host>', 'address to listen on (default: config inbox.host, else 127.0.0.1)'))
    .addOption(
      new Option('--port <port>', `port to listen on, 0 = any free port (default: config inbox.port, else ${DEFAULT_INBOX_PORT})`).argParser(
        parseListenPortFlag,
      ),
    )
    .addOption(new Option('--token-file <file>', 'named tokens, one "name:token" per line (chmod 600); added to the config\'s inbox.tokens'))
    .addOption(new Option('--allow-host <name...>', 'host names the Host header may carry besides loopback and --host (the name people browse to)'))
    .addOption(
      new Option('--ui-url <url>', 'Temporal Web UI base URL for the links to runs (default: as other commands: MCPFLOW_UI_URL, temporal.ui_url, dev server)'),
    )
    .addOption(new Option('--generate-token <name>', 'print a new token for <name> and the config entry that admits it, then exit'))
    .action(async (flags: InboxFlags, command: Command) => {
      if (flags.generateToken !== undefined) {
        if (!/^[A-Za-z0-9._@-]{1,64}$/.test(flags.generateToken)) throw new UsageError('--generate-token <name>: 1-64 letters, digits, ".", "_", "@" or "-"');
        const token = generateInboxToken();
        toStdout(`token for ${flags.generateToken} (give it to them; it is not stored anywhere): ${token}`);
        toStdout(`config (mcpflow.config.json): "inbox": { "tokens": { "${flags.generateToken}": { "sha256": "${tokenDigestHex(token)}" } } }`);
        toStdout(`or a --token-file line: ${flags.generateToken}:${token}`);
        return;
      }
      const context = commandContext(command);
      const section = context.loaded.config.inbox ?? {};
      const host = flags.host ?? section.host ?? '127.0.0.1';
      const port = flags.port ?? section.port ?? DEFAULT_INBOX_PORT;
      let access;
      try {
        const tokens = tokensFromConfig(section.tokens);
        if (flags.tokenFile) for (const [name, digest] of tokensFromFile(flags.tokenFile)) tokens.set(name, digest);
        access = resolveInboxAccess(host, tokens);
      } catch (error) {
        if (error instanceof InboxAuthError || (error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError((error as Error).message);
        throw error;
      }
      if (flags.uiUrl !== undefined && !/^https?:\/\/\S+$/.test(flags.uiUrl))
        throw new UsageError('--ui-url must be an http(s) URL, for example http://127.0.0.1:8233');
      const uiBase = flags.uiUrl?.replace(/\/+$/, '');
      const uiUrl = uiBase ? (workflowId: string) => workflowUiUrl(uiBase, context.connection.namespace, workflowId) : context.uiUrl;
      const allowedHosts = flags.allowHost ?? section.allow_hosts;
      await withClient(context, async (client) => {
        const inbox = await startInbox({ client, access, host, port, uiUrl, ...(allowedHosts ? { allowedHosts } : {}) }).catch(
          (error: NodeJS.ErrnoException) => {
            if (error.code === 'EADDRINUSE') throw new UsageError(`port ${port} on ${host} is in use: choose another with --port (0 = any free port)`);
            if (error.code === 'EADDRNOTAVAIL') throw new UsageError(`--host ${host} is not an address of this machine`);
            throw error;
          },
        );
        toStdout(`mcpflow inbox on ${inbox.url} (namespace ${client.namespace})`);
        toStdout(
          access.kind === 'local'
            ? `Loopback only, no tokens: decisions are recorded as "${access.name}".`
            : `Named tokens: ${[...access.tokens.keys()].join(', ')}. The browser asks for the name and the token.`,
        );
        toStdout(`Link to one item: ${inbox.url}/#/run/<workflowId>/approval/<approvalId>`);
        const signal = await waitForStopSignal();
        toStdout(`Received ${signal}, stopping the inbox.`);
        await inbox.close();
      });
    });
}
