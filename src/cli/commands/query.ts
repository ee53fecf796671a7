/**
 * `mcpflow query "<text>"`: runs a tool-using query as a durable workflow (runQuery, or a child
 * of a session with --session), shows its progress live, asks for approvals on a terminal,
 * and prints the answer, the calls and a link to the Web UI.
 */
import { Option, type Command } from 'commander';
import type { QueryOutcome } from '../../client/client';
import type { McpflowClient } from '../../client/client';
import type { QueryResult } from '../../core/records';
import { ConversationModeSchema, type ConversationMode } from '../../core/conversation';
import type { QueryInput } from '../../../workflows/messages';
import { commandContext, withClient, type CommandContext } from '../context';
import { SilentFailure, UsageError } from '../errors';
import { budgetFromFlags } from '../budget-flags';
import {
  backgroundOption,
  jsonOption,
  maxCostOption,
  maxTokensOption,
  modelOption,
  modeOption,
  parseApprovalTimeout,
  parseMaxSteps,
  serverOption,
  withModelTuning,
} from '../options';
import type { BackgroundMode } from '../../core/background';
import { plainText } from '../terminal-text';
import { callsTable, formatDuration, printJson, toStderr, toStdout } from '../output';
import { askApproval, canPrompt } from '../prompt';
import { requireServers, runOptions, serversFrom } from '../servers';
import { watchQuery } from '../watch';
import { parseMetadataFlag, parseScriptFlag, queryMetadata } from '../query-metadata';

export interface QueryFlags {
  server?: string[];
  mode?: 'hosted' | 'direct';
  model?: string;
  session?: string;
  approvalTimeout?: number;
  conversation?: ConversationMode;
  background?: BackgroundMode;
  maxSteps?: number;
  maxTokens?: number;
  maxCost?: number;
  forceRefresh?: boolean;
  metadata?: Record<string, string>;
  script?: string;
  wait: boolean;
  json: boolean;
}

export function registerQueryCommand(program: Command): void {
  withModelTuning(
    program
      .command('query')
      .description('Run a query with MCP tools as a durable workflow and show its progress')
      .argument('<text...>', 'the question, e.g. "What\'s the weather in London?"')
      .addOption(serverOption())
      .addOption(modeOption())
      .addOption(modelOption()),
  )
    .option('--session <id>', 'run inside this session (started if missing), which caches tools and keeps history')
    .option('--approval-timeout <duration>', 'deny unanswered approvals after this long, e.g. 10m, at most 365d (default: wait)', parseApprovalTimeout)
    .addOption(
      new Option(
        '--conversation <mode>',
        'stored: chain turns with previous_response_id (the API keeps them 30 days); stateless: the workflow sends every item back with store: false (default when approvals may wait over 30 days)',
      ).choices(ConversationModeSchema.options),
    )
    .addOption(backgroundOption())
    .option('--max-steps <n>', 'at most this many model turns (1-50)', parseMaxSteps)
    .addOption(maxTokensOption())
    .addOption(maxCostOption())
    .option('--force-refresh', 'list the tools again even if the cached catalog is fresh')
    .option('--metadata <json>', 'Responses request metadata, a JSON object of strings (as a batch line\'s "metadata")', parseMetadataFlag)
    .option(
      '--script <json>',
      'the offline emulator\'s plan, metadata.mcpflow_script: {"calls":[{"server":"calendar","tool":"create_event","arguments":{…}}],"answer":"…"}',
      parseScriptFlag,
    )
    .option('--wait', 'wait for the answer, showing progress (default)', true)
    .option('--no-wait', 'start the query, print its workflow id and exit')
    .addOption(jsonOption())
    .action(async (words: string[], flags: QueryFlags, command: Command) => {
      await runQueryCommand(words.join(' ').trim(), flags, command);
    });
}

async function runQueryCommand(text: string, flags: QueryFlags, command: Command): Promise<void> {
  if (!text) throw new UsageError('the query is empty: mcpflow query "What\'s the weather in London?"');
  const context = commandContext(command);
  const defaults = context.loaded.config.defaults;
  const sessionId = flags.session ?? defaults.session_id;
  const servers = serversFrom(context, flags.server);
  if (!sessionId) requireServers(servers);
  const approvalTimeout = flags.approvalTimeout ?? defaults.approval_timeout_ms;
  if (sessionId && flags.conversation)
    throw new UsageError(
      '--conversation applies to a query run on its own; queries in a session use the default (stateless unless --approval-timeout is 30 days or less)',
    );
  const conversation = flags.conversation ?? (sessionId ? undefined : defaults.conversation);
  const background = flags.background ?? defaults.background;
  const metadata = queryMetadata(flags.metadata, flags.script);
  if (sessionId && metadata) throw new UsageError("--metadata and --script apply to a query run on its own: a session's queries carry no request metadata");
  const print = flags.json ? toStderr : toStdout;

  await withClient(context, async (client) => {
    const started = sessionId
      ? await startInSession(client, context, sessionId, text, { ...flags, background }, approvalTimeout)
      : await startAlone(client, context, text, { ...flags, background }, approvalTimeout, conversation, metadata);
    const ui = context.uiUrl(started.workflowId);
    if (!flags.wait) {
      if (flags.json) printJson({ workflow_id: started.workflowId, session_id: sessionId ?? null, web_ui: ui ?? null });
      else {
        toStdout(started.workflowId);
        toStderr(`Follow it with: mcpflow progress ${started.workflowId} --watch`);
      }
      return;
    }
    print(`Query ${started.workflowId}${sessionId ? ` in session ${sessionId}` : ''} on task queue ${client.taskQueue}`);
    if (ui) print(`Web UI: ${ui}`);
    const stopWatching = () => {
      toStderr(`\nStopped watching. The query continues in Temporal: mcpflow progress ${started.workflowId} --watch`);
      process.exit(130);
    };
    process.once('SIGINT', stopWatching);
    try {
      await watchQuery(client, started.workflowId, started.done, { print, ...(canPrompt() ? { ask: askApproval } : {}) });
    } finally {
      process.removeListener('SIGINT', stopWatching);
    }
    const outcome = await started.done;
    report(outcome, sessionId, ui, flags.json);
    if (!outcome.succeeded) throw new SilentFailure();
  });
}

interface StartedQuery {
  workflowId: string;
  done: Promise<QueryOutcome>;
}

async function startAlone(
  client: McpflowClient,
  context: CommandContext,
  text: string,
  flags: QueryFlags,
  approvalTimeout: number | undefined,
  conversation: ConversationMode | undefined,
  metadata: Record<string, string> | undefined,
): Promise<StartedQuery> {
  const input: QueryInput = {
    query: text,
    servers: requireServers(serversFrom(context, flags.server)),
    ...runOptions(context, flags),
    ...(approvalTimeout !== undefined ? { approval_timeout_ms: approvalTimeout } : {}),
    ...(conversation ? { conversation } : {}),
    ...(flags.background ? { background: flags.background } : {}),
    ...(flags.maxSteps !== undefined ? { max_steps: flags.maxSteps } : {}),
    ...budgetFromFlags(context, flags),
    ...(flags.forceRefresh ? { force_refresh: true } : {}),
    ...(metadata ? { metadata } : {}),
  };
  const workflowId = await client.startQuery(input);
  // Started lazily: with --no-wait nobody waits for the result.
  let done: Promise<QueryOutcome> | undefined;
  return {
    workflowId,
    get done() {
      done ??= client.waitForQuery(workflowId);
      return done;
    },
  };
}

async function startInSession(
  client: McpflowClient,
  context: CommandContext,
  sessionId: string,
  text: string,
  flags: QueryFlags,
  approvalTimeout: number | undefined,
): Promise<StartedQuery> {
  const labels = await client.sessions.startOrGet(sessionId, {
    servers: serversFrom(context, flags.server),
    ...runOptions(context, flags),
  });
  if (!labels.length) throw new UsageError(`session ${sessionId} has no MCP servers: pass --server label=url or list servers in mcpflow.config.json`);
  const started = await client.sessions.startQuery(sessionId, {
    query: text,
    ...(approvalTimeout !== undefined ? { approval_timeout_ms: approvalTimeout } : {}),
    ...(flags.background ? { background: flags.background } : {}),
    ...(flags.maxSteps !== undefined ? { max_steps: flags.maxSteps } : {}),
    ...budgetFromFlags(context, flags),
    ...(flags.forceRefresh ? { force_refresh: true } : {}),
  });
  const done = started.result.then((result: QueryResult): QueryOutcome => ({
    workflow_id: started.query_workflow_id,
    succeeded: result.success,
    result,
    error: result.error,
  }));
  done.catch(() => undefined);
  return { workflowId: started.query_workflow_id, done };
}

function report(outcome: QueryOutcome, sessionId: string | undefined, ui: string | undefined, json: boolean): void {
  if (json) {
    printJson({
      workflow_id: outcome.workflow_id,
      session_id: sessionId ?? null,
      succeeded: outcome.succeeded,
      error: outcome.error,
      web_ui: ui ?? null,
      result: outcome.result,
    });
    return;
  }
  const result = outcome.result;
  toStdout('');
  if (result?.text_response) {
    toStdout(`Answer${result.stale ? ' (stale: an earlier answer, served because retries ran out)' : ''}:`);
    toStdout(plainText(result.text_response));
  }
  if (!outcome.succeeded) toStdout(`Query failed: ${outcome.error ?? 'unknown error'}${result?.error_type ? ` (${result.error_type})` : ''}`);
  if (result?.tool_calls.length) {
    toStdout('');
    toStdout(callsTable(result.tool_calls));
  }
  if (result) toStdout(`${result.tool_calls.length} tool call(s), ${result.retries} retries, ${formatDuration(result.duration_ms)}`);
  if (ui) toStdout(`Web UI: ${ui}`);
}
