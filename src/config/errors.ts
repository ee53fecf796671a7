/** A problem with the user's configuration (file, flags, environment): exit code 2 in the CLI. */
import { McpflowError } from '../core/mcpflow-error';
export class ConfigError extends McpflowError {}
