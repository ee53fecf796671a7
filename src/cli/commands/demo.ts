/**
 * `mcpflow demo` (= `npm run demo`): the demo scenario end to end on a private local setup.
 * Starts Temporal (its own SQLite file, default ports when free), the emulator, the demo MCP
 * servers and a worker; discovers the tools; asks "What's the weather in London and do I have
 * any meetings today?" with weather (never needs approval) and calendar (always); shows the
 * approval, the answer, the statistics, the call history and the Web UI link; then stops.
 */
import type { Command } from 'commander';
import { McpflowClient } from '../../client/client';
import { webUiBaseUrl, workflowUiUrl } from '../../config/connection';
import { parseServerSpec } from '../../config/server-spec';
import type { ServerConfig } from '../../core/servers';
import { findFreePort, isPortFree } from '../../devserver/server';
import type { PendingApproval } from '../../../workflows/messages';
import { SilentFailure } from '../errors';
import { startLocalStack, StartAbortedError, type LocalStack } from '../local-stack';
import { collect } from '../options';
import { callsTable, formatDuration, statisticsTable, toStdout } from '../output';
import { askApproval, canPrompt, type ApprovalDecision } from '../prompt';
import { watchQuery } from '../watch';
import { listenForStopSignals } from '../signals';
import { tokensLine } from '../tokens-out';
import { printDiscovery } from './discover';
import { SERVER_DEFAULTS } from './server';

export const DEMO_QUERY = "What's the weather in London and do I have any meetings today?";
const DEMO_TASK_QUEUE = 'mcpflow-demo';
const DEMO_DB = '.mcpflow/demo.db';

interface DemoFlags {
  keepRunning?: boolean;
  server?: string[];
  query: string;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Run the demo scenario end to end: discovery, a tool call, an approval, the answer, statistics and history')
    .option('--keep-running', 'leave everything running afterwards, to explore the Web UI (Ctrl-C stops)')
    .option('--server <label=url[,approval=never]>', 'use these MCP servers instead of the demo ones (with OPENAI_API_KEY: servers OpenAI can reach)', collect)
    .option('--query <text>', 'the question to ask', DEMO_QUERY)
    .action(async (flags: DemoFlags) => {
      await runDemo(flags);
    });
}

async function runDemo(flags: DemoFlags): Promise<void> {
  const say = toStdout;
  const ownServers = (flags.server ?? []).map(parseServerSpec);
  const useEmulator = !process.env.OPENAI_API_KEY;
  const temporalPort = (await isPortFree(SERVER_DEFAULTS.port)) ? SERVER_DEFAULTS.port : await findFreePort();
  // port + 1000 (8233 for 7233) when free: where the Web UI links of other mcpflow commands look.
  const preferredUiPort = temporalPort + 1000;
  const uiPort = preferredUiPort <= 65535 && (await isPortFree(preferredUiPort)) ? preferredUiPort : await findFreePort();

  say('mcpflow demo: durable MCP tool workflows on Temporal\n');
  // From before start-up on: Ctrl-C, SIGTERM or SIGHUP stop everything started so far, then exit 130.
  const stop = listenForStopSignals();
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      temporalPort,
      uiPort,
      db: DEMO_DB,
      emulator: useEmulator,
      emulatorPort: 0,
      demoServers: ownServers.length === 0,
      demoPorts: { weather: 0, calendar: 0, database: 0 },
      taskQueue: DEMO_TASK_QUEUE,
      log: (line) => say(`  ${line}`),
      signal: stop.signal,
      serverRegistry: { servers: [], allowInline: true }, // one person's demo: --server definitions run as given
    });
  } catch (error) {
    stop.dispose();
    if (!(error instanceof StartAbortedError)) throw error;
    say(`Stopped during start-up (${String(stop.signal.reason)}).`);
    process.exit(130);
  }
  let stopping: Promise<void> | undefined;
  const stopStack = () =>
    (stopping ??= (async () => {
      say('\nStopping the worker, the servers and Temporal...');
      await stack.stop();
      say('Stopped.');
    })());
  // --keep-running waits for the signal itself; before that, a signal interrupts the demo.
  let keepRunning = false;
  void stop.received.then(async () => {
    if (keepRunning) return;
    await stopStack();
    process.exit(130);
  });

  let client: McpflowClient | undefined;
  let failed = false;
  try {
    const settings = {
      address: stack.temporal.address,
      namespace: stack.temporal.namespace,
      tls: undefined,
      apiKey: undefined,
      metadata: undefined,
      profile: undefined,
    };
    client = await McpflowClient.connect(settings, { taskQueue: DEMO_TASK_QUEUE });
    const servers: ServerConfig[] = ownServers.length
      ? ownServers
      : [
          parseServerSpec(`weather=${stack.demo!.servers.weather.url},approval=never`),
          parseServerSpec(`calendar=${stack.demo!.servers.calendar.url},approval=always`),
        ];
    say(`  Temporal ${stack.temporal.address} (Web UI ${stack.temporal.uiUrl ?? 'off'}), state in ${stack.temporal.dbFilename}`);
    say(`  model API: ${stack.emulator ? `offline emulator at ${stack.emulator.url}` : 'OpenAI (OPENAI_API_KEY is set)'}`);
    for (const server of servers)
      say(`  MCP server ${server.label}: ${server.url} (approval: ${typeof server.require_approval === 'string' ? server.require_approval : 'by filter'})`);

    say('\n1. Discovery: listing the tools of every server (workflow discoverTools)');
    const discovery = await client.discover({ servers });
    printDiscovery(discovery.result, say);

    say(`\n2. Query: "${flags.query}"`);
    // The catalog just discovered is fresh: the query uses it instead of listing again.
    const workflowId = await client.startQuery({ query: flags.query, servers, catalog: discovery.result.catalog });
    const uiLink = workflowUiUrl(
      webUiBaseUrl({ address: stack.temporal.address }, { MCPFLOW_UI_URL: stack.temporal.uiUrl }),
      stack.temporal.namespace,
      workflowId,
    );
    say(`   workflow ${workflowId}`);
    say("   with the tools of step 1 (in hosted mode the model's platform also lists them, in its own first turn)");
    const done = client.waitForQuery(workflowId);
    await watchQuery(client, workflowId, done, {
      print: (line) => say(`   ${line}`),
      ask: canPrompt() ? askOnTerminal : answerAutomatically(say),
      // Step 1 showed the tools: "using cached tools" followed by the turn's listing again said the opposite.
      showEvent: (event) => event.kind !== 'discovery',
    });
    const outcome = await done;
    const result = outcome.result;
    failed = !outcome.succeeded;

    say('\n3. Answer');
    say(result?.text_response || `(no answer: ${outcome.error ?? 'unknown error'})`);

    say('\n4. Statistics');
    const stats = await client.stats(workflowId);
    say(statisticsTable(stats));
    say(tokensLine(stats.tokens));

    say('\n5. Call history');
    const history = await client.history(workflowId);
    say(history.length ? callsTable(history) : '(no calls)');
    if (result) say(`${result.tool_calls.length} tool call(s), ${result.retries} retries, ${formatDuration(result.duration_ms)}`);

    say(`\n6. See every step in the Temporal Web UI${flags.keepRunning ? '' : ' (run with --keep-running to keep it up)'}:\n   ${uiLink ?? '(Web UI off)'}`);
    if (flags.keepRunning) {
      say('\nEverything keeps running (--keep-running). In another terminal, try:');
      say(`   TEMPORAL_ADDRESS=${stack.temporal.address} mcpflow --task-queue ${DEMO_TASK_QUEUE} history ${workflowId} --tool list_events`);
      say(`   TEMPORAL_ADDRESS=${stack.temporal.address} mcpflow stats ${workflowId} --json`);
      say('Press Ctrl-C to stop.');
      keepRunning = true;
      await stop.received;
    }
  } finally {
    const interrupted = stop.signal.aborted && !keepRunning;
    await client?.close().catch(() => undefined);
    await stopStack();
    stop.dispose();
    // An interrupted demo's errors (connections to what was just stopped) are not news.
    if (interrupted) process.exit(130);
  }
  if (failed) throw new SilentFailure();
}

function askOnTerminal(approval: PendingApproval, signal: AbortSignal): Promise<ApprovalDecision | undefined> {
  process.stderr.write(`   calendar needs your approval before the tool runs (require_approval: "always").\n`);
  return askApproval(approval, signal);
}

/** Without a terminal nobody can answer: approve, and say so. */
function answerAutomatically(say: (line: string) => void) {
  return (approval: PendingApproval): Promise<ApprovalDecision> => {
    say(`   ? ${approval.server} · ${approval.tool} ${JSON.stringify(approval.arguments)} needs approval (require_approval: "always").`);
    say('     No terminal to ask on (stdin is not a TTY): approving it automatically. Run `mcpflow demo` in a terminal to answer yourself.');
    return Promise.resolve({ approve: true, reason: 'approved automatically by mcpflow demo (no terminal)' });
  };
}
