/** `mcpflow/worker`: mcpflow in your own Temporal worker and client (McpflowPlugin). */
export { McpflowPlugin, MCPFLOW_PLUGIN_NAME } from './plugin';
export {
  McpflowPluginOptionsSchema,
  McpflowPluginOptionsError,
  resolvePluginOptions,
  type McpflowPluginOptions,
  type McpflowPluginSettings,
} from './plugin-options';
export { MCPFLOW_WORKFLOWS_PATH, workflowsEntryFor } from './workflows-entry';
export { McpflowError } from '../core/mcpflow-error';
export { EncryptionConfigError } from '../codec/keys';
export { TASK_QUEUE as MCPFLOW_TASK_QUEUE } from '../core/defaults';
