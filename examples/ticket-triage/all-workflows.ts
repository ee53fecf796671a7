/**
 * The worker's workflows: the user's and mcpflow's in one bundle (a worker has one workflowsPath).
 * McpflowPlugin (`mcpflow/worker`) writes this file for you; without the plugin, write it yourself.
 */
export * from './workflows';
export * from '../../workflows';
