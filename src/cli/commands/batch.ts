/**
 * `mcpflow batch run <file>`: a file of queries as one durable batch (runBatch), with results
 * in `--out`, live progress and a summary; `batch results|progress|pause|resume|cancel|retry-failed <id>`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { BatchFileError, decodeBatchFile, defaultBatchId, parseBatchFile } from '../../client/batch-file';
import { heldPages, startHolders } from '../../client/batch-held';
import type { McpflowClient } from '../../client/client';
import { jsonBytes } from '../../core/payload-size';
import type { BatchInput, BatchLine, BatchProgress, BatchStatus } from '../../../workflows/batch/messages';
import { ResultsFile } from '../batch-out';
import { followBatch, progressLine, summaryLines } from '../batch-follow';
import { commandContext, withClient } from '../context';
import { SilentFailure, UsageError } from '../errors';
import { budgetFromFlags } from '../budget-flags';
import {
  backgroundOption,
  jsonOption,
  maxCostOption,
  maxTokensOption,
  modelOption,
  modeOption,
  parseDuration,
  parsePositiveInt,
  serverOption,
  withModelTuning,
} from '../options';
import type { BackgroundMode } from '../../core/background';
import { printJson, toStderr, toStdout } from '../output';
import { requireServers, runOptions, serversFrom } from '../servers';

interface RunFlags {
  server?: string[];
  mode?: 'hosted' | 'direct';
  model?: string;
  concurrency: number;
  out?: string;
  batchId?: string;
  maxFailures?: number;
  maxWaiting?: number;
  approvalTimeout?: number;
  maxSteps?: number;
  background?: BackgroundMode;
  maxTokens?: number;
  maxCost?: number;
  wait: boolean;
  json: boolean;
}

/** The first page travels in the start request; the rest through appendLines. */
const FIRST_PAGE_BYTES = 128 * 1024;

export function registerBatchCommand(program: Command): void {
  const batch = program.command('batch').description('Run a file of queries as one durable batch, follow it, control it');

  withModelTuning(
    batch
      .command('run')
      .description('Run every line of a file (JSONL or one query a line) as a query; the same file again attaches to its batch')
      .argument('<file>', 'JSONL ({"query": "...", "id"?, "servers"?: [labels], "mode"?, "metadata"?}) or plain text, one query a line')
      .addOption(serverOption())
      .addOption(modeOption('for lines without their own'))
      .addOption(modelOption()),
  )
    .option('--concurrency <n>', 'lines running at once', parsePositiveInt, 10)
    .option('--out <file>', "write each line's result as one JSON line (appends; ids already there are skipped)")
    .option('--batch-id <id>', "the batch's workflow id (default: from the file's content hash)")
    .option('--max-failures <n>', 'stop starting lines after this many failed', parsePositiveInt)
    .option('--max-waiting <n>', 'lines waiting for approval or input (they hold no --concurrency slot) before no new line starts', parsePositiveInt, 1_000)
    .option('--approval-timeout <duration>', 'deny unanswered approvals after this long, e.g. 1h (default: wait)', parseDuration)
    .option('--max-steps <n>', 'at most this many model turns per line', parsePositiveInt)
    .addOption(backgroundOption())
    .addOption(maxTokensOption('for the whole batch; lines already running finish'))
    .addOption(maxCostOption('for the whole batch; lines already running finish'))
    .option('--no-wait', 'start (or attach), print the batch id and exit (the lines are held in Temporal: the batch needs no CLI)')
    .addOption(jsonOption())
    .action(async (file: string, flags: RunFlags, command: Command) => runBatchCommand(file, flags, command));

  batch
    .command('results')
    .description('Write the result of every finished line of a batch (JSONL) to --out or stdout')
    .argument('<batchId>')
    .option('--out <file>', 'write here instead of stdout')
    .action(async (batchId: string, flags: { out?: string }, command: Command) => {
      await withClient(commandContext(command), async (client) => {
        const out = new ResultsFile(flags.out, { append: false });
        try {
          for await (const result of client.batches.resultsInOrder(batchId)) {
            if (flags.out) out.write(result);
            else process.stdout.write(`${JSON.stringify(result)}\n`);
          }
        } finally {
          out.close();
        }
        const progress = await client.batches.progress(batchId);
        for (const line of summaryLines(progress)) toStderr(line);
        if (flags.out) toStderr(`${out.count} result(s) in ${flags.out}`);
      });
    });

  batch
    .command('progress')
    .description("Show a batch's progress: total, done, failed, running, waiting for approval, ETA")
    .argument('<batchId>')
    .addOption(jsonOption())
    .action(async (batchId: string, flags: { json: boolean }, command: Command) => {
      await withClient(commandContext(command), (client) => showBatchProgress(client, batchId, { json: flags.json }));
    });

  for (const [verb, what] of [
    ['pause', 'Stop starting new lines (running ones finish)'],
    ['resume', 'Start lines again after a pause'],
    ['cancel', 'Stop the batch: no new lines, running ones are cancelled'],
  ] as const) {
    batch
      .command(verb)
      .description(what)
      .argument('<batchId>')
      .option('--reason <text>', 'why')
      .addOption(jsonOption())
      .action(async (batchId: string, flags: { reason?: string; json: boolean }, command: Command) => {
        await withClient(commandContext(command), async (client) => {
          const status = await client.batches[verb](batchId, flags.reason);
          if (flags.json) printJson({ batch_id: batchId, status });
          else toStdout(`Batch ${batchId}: ${status}`);
        });
      });
  }

  batch
    .command('retry-failed')
    .description('Run the failed lines of a batch again (running batch: at once; finished batch: a new run of it)')
    .argument('<batchId>')
    .addOption(jsonOption())
    .action(async (batchId: string, flags: { json: boolean }, command: Command) => {
      await withClient(commandContext(command), async (client) => {
        const outcome = await client.batches.retryFailed(batchId);
        if (flags.json) printJson({ batch_id: batchId, ...outcome });
        else
          toStdout(
            `Batch ${batchId}: ${outcome.queued} failed line(s) queued again${outcome.restarted ? ' (a new run of the finished batch)' : ''}; lines failed as outcome_unknown are not (their side effect may have run: check the server, then run each alone)`,
          );
      });
    });
}

async function runBatchCommand(file: string, flags: RunFlags, command: Command): Promise<void> {
  const context = commandContext(command);
  const servers = requireServers(serversFrom(context, flags.server));
  const lines = readBatchFile(
    file,
    servers.map((server) => server.label),
  );
  const batchId = flags.batchId ?? defaultBatchId(lines.file);
  // --no-wait prints only the id on stdout, like `query --no-wait`.
  const print = flags.json || !flags.wait ? toStderr : toStdout;
  const background = flags.background ?? context.loaded.config.defaults.background;
  const first = firstPage(lines.lines);
  const pages = heldPages(lines.lines.slice(first.length));
  const input: BatchInput = {
    total: lines.lines.length,
    servers,
    ...runOptions(context, flags),
    concurrency: flags.concurrency,
    source: path.basename(file),
    lines: first,
    max_waiting: flags.maxWaiting ?? 1_000,
    ...(pages.length ? { held: { pages: pages.map((page) => page[0]!.n) } } : {}),
    ...(flags.maxFailures !== undefined ? { max_failures: flags.maxFailures } : {}),
    ...(flags.approvalTimeout !== undefined ? { approval_timeout_ms: flags.approvalTimeout } : {}),
    ...(flags.maxSteps !== undefined ? { max_steps: flags.maxSteps } : {}),
    ...(background ? { background } : {}),
    ...budgetFromFlags(context, flags),
  };
  await withClient(context, async (client) => {
    // Taken before anything starts: a second `batch run` writing the same file is refused.
    const out = flags.wait ? new ResultsFile(flags.out, { append: true }) : null;
    let progress: BatchProgress;
    let start: Awaited<ReturnType<typeof client.batches.startOrAttach>>;
    let ui: string | undefined;
    try {
      start = await client.batches.startOrAttach(batchId, input);
      ui = context.uiUrl(batchId);
      print(
        `${start.started ? 'Started' : 'Attached to'} batch ${batchId}: ${lines.lines.length} queries from ${file}, concurrency ${flags.concurrency}${start.started ? '' : ' (as it was started)'}`,
      );
      if (ui) print(`Web UI: ${ui}`);
      const toFeed = await sendLines(client, batchId, start.started, pages, lines.lines);
      if (!out) {
        if (toFeed) await client.batches.feed(batchId, toFeed);
        if (flags.json) printJson({ batch_id: batchId, started: start.started, web_ui: ui ?? null });
        else toStdout(batchId);
        return;
      }
      progress = await followBatch(client, batchId, { ...(toFeed ? { lines: toFeed } : {}), out, bar: !flags.json && Boolean(process.stderr.isTTY), print });
    } finally {
      out?.close();
    }
    report(progress, { batchId, started: start.started, out: flags.out, json: flags.json, ui });
    if (progress.waiting_approval) print(`Lines wait for approval or input: mcpflow approvals list --batch ${batchId}`);
    if (progress.failed || progress.status !== 'completed') throw new SilentFailure();
  });
}

/**
 * The lines past the first page reach the batch from holder workflows (started here; again is
 * harmless). A batch started before holders existed is fed by this process instead: those lines are returned.
 */
async function sendLines(client: McpflowClient, batchId: string, started: boolean, pages: BatchLine[][], lines: BatchLine[]): Promise<BatchLine[] | undefined> {
  if (!pages.length) return undefined;
  if (!started) {
    const progress = await client.batches.progress(batchId).catch(() => null);
    if (progress && !progress.held) return lines;
    if (progress && progress.received >= progress.total) return undefined;
  }
  await startHolders(client, batchId, pages);
  return undefined;
}

function readBatchFile(file: string, labels: string[]): { file: ReturnType<typeof parseBatchFile>; lines: BatchLine[] } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    const parsed = parseBatchFile(file, decodeBatchFile(file, bytes), labels);
    return { file: parsed, lines: parsed.lines };
  } catch (error) {
    if (error instanceof BatchFileError) throw new UsageError(`${error.message}\nNothing was started.`);
    throw error;
  }
}

function firstPage(lines: readonly BatchLine[]): BatchLine[] {
  const page: BatchLine[] = [];
  let bytes = 0;
  for (const line of lines) {
    bytes += jsonBytes(line) + 1;
    if (bytes > FIRST_PAGE_BYTES) break;
    page.push(line);
  }
  return page;
}

function report(progress: BatchProgress, info: { batchId: string; started: boolean; out?: string; json: boolean; ui?: string }): void {
  if (info.json) {
    printJson({ batch_id: info.batchId, started: info.started, out: info.out ?? null, web_ui: info.ui ?? null, progress });
    return;
  }
  for (const line of summaryLines(progress)) toStdout(line);
  if (info.out) toStdout(`Results: ${info.out}`);
}

/** `batch progress` and `progress <batch id> [--watch]`: the bar line (again every 2 s while it runs, with --watch), then the summary. */
export async function showBatchProgress(client: McpflowClient, batchId: string, options: { json: boolean; watch?: boolean }): Promise<void> {
  let progress = await client.batches.progress(batchId);
  while (options.watch && ACTIVE_BATCH_STATUSES.has(progress.status)) {
    if (!options.json) toStdout(progressLine(progress));
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    progress = await client.batches.progress(batchId);
  }
  if (options.json) return printJson(progress);
  toStdout(progressLine(progress));
  for (const line of summaryLines(progress)) toStdout(line);
}

const ACTIVE_BATCH_STATUSES: ReadonlySet<BatchStatus> = new Set(['running', 'paused', 'stopping', 'cancelling']);
