/**
 * The versions the project tests against, read from the tools themselves: the Temporal CLI the
 * test suite runs (its `--version` names the server and UI it embeds) and the PostgreSQL that the
 * topology suite starts. docker-compose.yml pins the same versions (test/compose checks it).
 */
import { execFileSync } from 'node:child_process';
import { findTemporalCli } from '../../src/devserver/cli-path';

/** The Temporal server module the topology suite builds: the one the CLI embeds. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
/** PostgreSQL major version: Debian bookworm's `postgresql` package. */
export const POSTGRES_MAJOR = 15;

export interface CliVersions {
  cli: string;
  server: string;
  ui: string;
}

/** Parses `temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)`. */
export function parseTemporalCliVersion(output: string): CliVersions {
  const match = /temporal version (\S+) \(Server (\d+\.\d+\.\d+), UI (\d+\.\d+\.\d+)\)/.exec(output);
  if (!match) throw new Error(`unexpected \`temporal --version\` output: ${output.trim()}`);
  return { cli: match[1]!, server: match[2]!, ui: match[3]! };
}

/** The versions in the Temporal CLI the tests run; undefined when there is no CLI here. */
export function testedTemporalVersions(): CliVersions | undefined {
  const cli = findTemporalCli();
  if (!cli) return undefined;
  return parseTemporalCliVersion(execFileSync(cli, ['--version'], { encoding: 'utf8' }));
}
