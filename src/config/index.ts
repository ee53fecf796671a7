export { ConfigError } from './errors';
export { McpflowConfigSchema, DefaultsSchema, TemporalSectionSchema, EMPTY_CONFIG, type McpflowConfig, type Defaults, type TemporalSection } from './schema';
export { CONFIG_FILE_NAMES, findConfigFile, loadConfig, parseConfigText, validateConfig, describeIssues, type LoadedConfig } from './load';
export {
  DEFAULT_TEMPORAL_ADDRESS,
  DEFAULT_TEMPORAL_NAMESPACE,
  resolveConnectionSettings,
  describeConnection,
  isLoopbackAddress,
  webUiBaseUrl,
  workflowUiUrl,
  type ConnectionFlags,
  type ConnectionSettings,
} from './connection';
export { parseServerSpec } from './server-spec';
