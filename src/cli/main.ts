/**
 * Entry point of `mcpflow` (bin/mcpflow.cjs runs the compiled copy). Errors end here: one line
 * on stderr and an exit code from src/cli/errors.ts, never a stack trace for expected failures.
 */
import { buildProgram } from './program';
import { exitCodeFor, messageFor } from './errors';

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    const message = messageFor(error);
    if (message) process.stderr.write(`mcpflow: ${message}\n`);
    return exitCodeFor(error);
  }
}

void main(process.argv).then((code) => {
  // Exit explicitly: an SDK runtime or a stray timer must not keep a finished command alive.
  // stdout and stderr writes to files and pipes are synchronous on POSIX, so nothing is lost.
  process.exit(code);
});
