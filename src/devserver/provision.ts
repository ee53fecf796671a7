/**
 * `npm run provision`: makes sure the Temporal CLI exists (building it once if needed)
 * and prints its path on stdout; progress goes to stderr so scripts can capture the path.
 */
import { ensureTemporalCli } from './cli-path';

async function main(): Promise<void> {
  const cliPath = await ensureTemporalCli({ log: (line) => console.error(line) });
  console.log(cliPath);
}

main().catch((error: unknown) => {
  console.error(`provision: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
