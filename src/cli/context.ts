/**
 * What every command that talks to Temporal needs: the config file, the connection settings
 * (flags > environment > config file > Temporal profile > defaults) and a connected client.
 */
import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../config/load';
import { resolveConnectionSettings, webUiBaseUrl, workflowUiUrl, type ConnectionSettings } from '../config/connection';
import { McpflowClient } from '../client/client';
import type { GlobalFlags } from './options';

export interface CommandContext {
  loaded: LoadedConfig;
  connection: ConnectionSettings;
  taskQueue: string;
  /** The Web UI link of a workflow, when the UI's address is known. */
  uiUrl(workflowId: string): string | undefined;
}

export function commandContext(command: Command): CommandContext {
  const flags = command.optsWithGlobals<GlobalFlags>();
  const loaded = loadConfig({ explicitPath: flags.config });
  const connection = resolveConnectionSettings({ address: flags.address, namespace: flags.namespace, profile: flags.profile }, loaded.config.temporal);
  const taskQueue = flags.taskQueue ?? process.env.MCPFLOW_TASK_QUEUE ?? loaded.config.defaults.task_queue;
  // MCPFLOW_UI_URL, then the config file's temporal.ui_url, then the dev server's default.
  const configured = loaded.config.temporal.ui_url;
  const base = webUiBaseUrl(connection, configured && !process.env.MCPFLOW_UI_URL ? { MCPFLOW_UI_URL: configured } : process.env);
  return { loaded, connection, taskQueue, uiUrl: (workflowId) => workflowUiUrl(base, connection.namespace, workflowId) };
}

/** Connects, runs `body`, and always closes the connection. */
export async function withClient<T>(context: CommandContext, body: (client: McpflowClient) => Promise<T>): Promise<T> {
  const client = await McpflowClient.connect(context.connection, { taskQueue: context.taskQueue });
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}
