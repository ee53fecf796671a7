/** `mcpflow session start|refresh|trust`: long-lived sessions (mcpSession) that cache tools and keep history. */
import type { Command } from 'commander';
import type { SessionRefreshResult } from '../../../workflows/messages';
import { commandContext, withClient } from '../context';
import { jsonOption, modelOption, modeOption, parseDuration, serverOption, withModelTuning } from '../options';
import { printJson, toStdout } from '../output';
import { runOptions, serversFrom } from '../servers';

interface SessionStartFlags {
  server?: string[];
  mode?: 'hosted' | 'direct';
  model?: string;
  json: boolean;
}

export function registerSessionCommand(program: Command): void {
  const session = program.command('session').description('Sessions: one long-lived workflow that caches tools and keeps the history of many queries');

  withModelTuning(
    session
      .command('start')
      .description('Start a session (or use the running one with that id) and add servers to it')
      .argument('<sessionId>', 'the session id (also its workflow id)')
      .addOption(serverOption())
      .addOption(modeOption())
      .addOption(modelOption()),
  )
    .addOption(jsonOption())
    .action(async (sessionId: string, flags: SessionStartFlags, command: Command) => {
      const context = commandContext(command);
      await withClient(context, async (client) => {
        const servers = await client.sessions.startOrGet(sessionId, {
          servers: serversFrom(context, flags.server),
          ...runOptions(context, flags),
        });
        if (flags.json) return printJson({ session_id: sessionId, servers });
        toStdout(`Session ${sessionId} is running with servers: ${servers.join(', ') || 'none'}`);
        const ui = context.uiUrl(sessionId);
        if (ui) toStdout(`Web UI: ${ui}`);
        toStdout(`Ask it: mcpflow query "..." --session ${sessionId}`);
      });
    });

  session
    .command('refresh')
    .description("List the session's tools again now and show what changed")
    .argument('<sessionId>', 'the session id')
    .addOption(jsonOption())
    .action(async (sessionId: string, flags: { json: boolean }, command: Command) => {
      await withClient(commandContext(command), async (client) => {
        const result = await client.sessions.refresh(sessionId, true);
        if (flags.json) return printJson(result);
        toStdout(describeRefresh(result));
      });
    });

  session
    .command('trust')
    .description('Approve every call of a tool in this session from now on, until the tool definition changes (a refresh that sees a change drops it)')
    .argument('<sessionId>', 'the session id')
    .argument('<server>', 'server label')
    .argument('<tool>', 'tool name')
    .option('--ttl <duration>', 'it expires after this long (30m, 8h, 7d); default: until the tool definition changes', parseDuration)
    .addOption(jsonOption())
    .action(async (sessionId: string, server: string, tool: string, flags: { json: boolean; ttl?: number }, command: Command) => {
      await withClient(commandContext(command), async (client) => {
        const standing = await client.sessions.trust(sessionId, server, tool, flags.ttl ? { ttlMs: flags.ttl } : {});
        if (flags.json) return printJson(standing);
        toStdout(
          `Standing approvals of ${sessionId}: ${standing.map((approval) => `${approval.server}.${approval.tool}${approval.expires_at ? ` (until ${approval.expires_at})` : ''}`).join(', ')}`,
        );
      });
    });
}

export function describeRefresh(result: SessionRefreshResult): string {
  const { added, removed, changed } = result.diff;
  const names = (tools: { server_label: string; name: string }[]) => tools.map((tool) => `${tool.server_label}.${tool.name}`).join(', ');
  const parts = [
    added.length ? `added ${names(added)}` : '',
    removed.length ? `removed ${names(removed)}` : '',
    changed.length ? `changed ${names(changed)}` : '',
    result.invalidated_approvals.length
      ? `standing approvals dropped: ${result.invalidated_approvals.map((approval) => `${approval.server}.${approval.tool}`).join(', ')}`
      : '',
  ].filter(Boolean);
  const failed = result.servers.filter((server) => server.status === 'error').map((server) => `${server.label} (${server.error?.type ?? 'error'})`);
  return `${result.from_cache ? 'catalog still fresh (from cache)' : parts.join('; ') || 'no changes'}${failed.length ? `; could not list ${failed.join(', ')}` : ''}`;
}
