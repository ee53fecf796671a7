/**
 * Runs many `mcpflow` command lines in one process, the way src/cli/main.ts runs one: the same
 * program, the same error-to-exit-code mapping, stdout and stderr captured. Starting a process
 * per command line would take a second each; test/reliability/generated-inputs.test.ts runs a
 * sample through the real binary too.
 *
 * Usage: node --import tsx cli-many-main.ts <cases.json> <results.json>
 * cases.json: [{ "argv": ["query", "hi", "--max-steps", "51"] }, ...]
 * results.json: [{ "code": 2, "stderr": "...", "stdout": "..." }, ...]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { exitCodeFor, messageFor } from '../../src/cli/errors';
import { buildProgram } from '../../src/cli/program';

interface Case {
  argv: string[];
}

interface Result {
  code: number | 'hung';
  stdout: string;
  stderr: string;
}

class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`);
  }
}

async function runOne(argv: string[]): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  const exit = process.exit.bind(process);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  process.exit = ((code?: number) => {
    throw new ExitCalled(code ?? 0);
  }) as typeof process.exit;
  try {
    const run = (async () => {
      try {
        await buildProgram().parseAsync(['node', 'mcpflow', ...argv]);
        return 0;
      } catch (error) {
        if (error instanceof ExitCalled) return error.code;
        const message = messageFor(error);
        if (message) stderr += `mcpflow: ${message}\n`;
        return exitCodeFor(error);
      }
    })();
    const code = await Promise.race([run, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15_000).unref())]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    process.exit = exit;
  }
}

async function main() {
  const [casesFile, resultsFile] = process.argv.slice(2);
  const cases = JSON.parse(readFileSync(casesFile!, 'utf8')) as Case[];
  const results: Result[] = [];
  for (const each of cases) results.push(await runOne(each.argv));
  writeFileSync(resultsFile!, JSON.stringify(results));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
