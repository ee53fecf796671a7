/** The `mcpflow` command tree. */
import { Command, Option } from 'commander';
import { registerServerCommand } from './commands/server';
import { registerEmulatorCommand } from './commands/emulator';
import { registerDemoServersCommand } from './commands/demo-servers';
import { registerApprovalCommands } from './commands/approvals';
import { registerAnswerCommand } from './commands/answer';
import { registerCatalogCommand } from './commands/catalog';
import { registerDiscoverCommand } from './commands/discover';
import { registerExportCommand } from './commands/export';
import { registerHistoryCommand } from './commands/history';
import { registerProgressCommand } from './commands/progress';
import { registerQueryCommand } from './commands/query';
import { registerStatsCommand } from './commands/stats';
import { registerDemoCommand } from './commands/demo';
import { registerDevCommand } from './commands/dev';
import { registerWorkerCommand } from './commands/worker';
import { registerScheduleCommand } from './commands/schedule';
import { registerSessionCommand } from './commands/session';
import { registerBatchCommand } from './commands/batch';
import { registerListCommand } from './commands/list';
import { registerCancelCommand } from './commands/cancel';
import { registerCodecServerCommand } from './commands/codec-server';
import { registerAuthCommand } from './commands/auth';
import { registerInboxCommand } from './commands/inbox';
import { registerMcpServerCommand } from './commands/mcp-server';
import { EXIT_CODES_HELP } from './errors';

const ENVIRONMENT_HELP = `Environment:
  TEMPORAL_ADDRESS      Temporal frontend (default 127.0.0.1:7233)
  TEMPORAL_NAMESPACE    namespace (default "default")
  TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE
                        as in every Temporal SDK and CLI (temporal.toml profiles)
  MCPFLOW_TASK_QUEUE    task queue of the mcpflow worker (default "mcpflow")
  OPENAI_API_KEY, OPENAI_BASE_URL   read by \`mcpflow worker\` (never sent to Temporal)
  MCPFLOW_TOKEN_STORE   OAuth token store of \`mcpflow auth\` and the worker (default ~/.local/state/mcpflow/oauth-tokens.json)
  MCPFLOW_UI_URL        Web UI base URL for links (else config temporal.ui_url, else port + 1000 on loopback)
  MCPFLOW_ENCRYPTION_KEYS, MCPFLOW_ENCRYPTION_KEY_FILE
                        encrypt payloads (AES-256-GCM; id:key list, first encrypts)`;

const EXAMPLES_HELP = `Examples:
  mcpflow demo                                       everything, end to end, offline
  mcpflow dev                                        Temporal + worker + emulator + demo servers
  mcpflow query "What's the weather in London?" --server weather=http://127.0.0.1:8801/mcp,approval=never
  mcpflow approve mcpflow-query-1a2b3c4d
  mcpflow history mcpflow-query-1a2b3c4d --tool get_current_weather --json`;

export function buildProgram(): Command {
  const program = new Command()
    .name('mcpflow')
    .description('Durable MCP tool workflows on Temporal: discovery, tool-using queries, approvals, statistics')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addOption(new Option('--config <file>', 'config file (default: mcpflow.config.json|yaml|yml in the current directory)'))
    .addOption(new Option('--address <host:port>', 'Temporal frontend address (env TEMPORAL_ADDRESS, default 127.0.0.1:7233)'))
    .addOption(new Option('--namespace <name>', 'Temporal namespace (env TEMPORAL_NAMESPACE, default "default")'))
    .addOption(new Option('--profile <name>', 'profile of the Temporal config file (env TEMPORAL_PROFILE)'))
    .addOption(new Option('--task-queue <name>', 'task queue of the mcpflow worker (env MCPFLOW_TASK_QUEUE, default "mcpflow")'))
    .addHelpText('after', `\n${EXAMPLES_HELP}\n\n${ENVIRONMENT_HELP}\n\n${EXIT_CODES_HELP}\n`);

  registerServerCommand(program);
  registerEmulatorCommand(program);
  registerDemoServersCommand(program);
  registerQueryCommand(program);
  registerApprovalCommands(program);
  registerInboxCommand(program);
  registerAnswerCommand(program);
  registerProgressCommand(program);
  registerStatsCommand(program);
  registerHistoryCommand(program);
  registerCatalogCommand(program);
  registerExportCommand(program);
  registerDiscoverCommand(program);
  registerSessionCommand(program);
  registerScheduleCommand(program);
  registerBatchCommand(program);
  registerListCommand(program);
  registerCancelCommand(program);
  registerWorkerCommand(program);
  registerDevCommand(program);
  registerCodecServerCommand(program);
  registerAuthCommand(program);
  registerMcpServerCommand(program);
  registerDemoCommand(program);
  return program;
}
