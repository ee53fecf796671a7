/** A problem with the user's configuration (file, flags, environment): exit code 2 in the CLI. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
