/**
 * `mcpflow answer <workflowId> [requestId] --json '{...}' | --accept | --decline | --cancel`:
 * answers a question an MCP server asked a direct-mode query (elicitation; `mcpflow progress`
 * shows it with the schema it asked for). `--json` accepts with that JSON object as the content
 * (here `--json` is the answer, not the output format of other commands); `--accept` alone
 * accepts a URL-mode request once its page is done.
 */
import type { Command } from 'commander';
import { answerInput, InvalidAnswerError } from '../../client/answers';
import { ElicitContentSchema, type InputAnswer, type PendingInput, type TaskProgress } from '../../core/mcp-input';
import { describeZodError } from '../../core/zod-errors';
import { commandContext, withClient } from '../context';
import { UsageError } from '../errors';
import { toStdout } from '../output';

interface AnswerFlags {
  json?: string;
  accept?: boolean;
  decline?: boolean;
  cancel?: boolean;
  approver?: string;
}

export function registerAnswerCommand(program: Command): void {
  program
    .command('answer')
    .description(
      "Answer a question an MCP server asked a running query (elicitation): accept with --json '{...}' matching the requested schema, or --accept, --decline, --cancel",
    )
    .argument('<workflowId>', 'the query workflow id')
    .argument('[requestId]', 'which question (input-N, shown by mcpflow progress); default: the only one waiting')
    .option('--json <object>', 'accept, with this JSON object as the answer (checked against the requested schema)')
    .option('--accept', 'accept without content (URL-mode requests, once the page is done)')
    .option('--decline', 'decline: the server is told the user said no')
    .option('--cancel', 'cancel: the server is told the user dismissed the question')
    .option('--approver <name>', 'who answers, as recorded (default: MCPFLOW_IDENTITY, else user@host); a server with "approvers" accepts only those')
    .action(async (workflowId: string, requestId: string | undefined, flags: AnswerFlags, command: Command) => {
      const answer = { ...answerOf(flags, requestId), ...(flags.approver ? { approver: flags.approver } : {}) };
      await withClient(commandContext(command), async (client) => {
        const outcome = await answerInput(client, workflowId, answer).catch((error: unknown) => {
          // A wrong answer is bad input (exit 2), like a bad flag.
          throw error instanceof InvalidAnswerError ? new UsageError(error.message) : error;
        });
        toStdout(`Answered ${outcome.answered} of ${workflowId} (${outcome.action})`);
      });
    });
}

export function answerOf(flags: AnswerFlags, requestId: string | undefined): InputAnswer {
  const chosen = [flags.json !== undefined, flags.accept === true, flags.decline === true, flags.cancel === true].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError("give exactly one of --json '{...}', --accept, --decline, --cancel");
  const base = requestId ? { request_id: requestId } : {};
  if (flags.decline) return { ...base, action: 'decline' };
  if (flags.cancel) return { ...base, action: 'cancel' };
  if (flags.accept) return { ...base, action: 'accept' };
  let json: unknown;
  try {
    json = JSON.parse(flags.json!);
  } catch {
    throw new UsageError(`--json is not valid JSON: give an object, for example --json '{"confirm": true}'`);
  }
  const content = ElicitContentSchema.safeParse(json);
  if (!content.success) throw new UsageError(`--json must be a JSON object of strings, numbers, booleans or string arrays: ${describeZodError(content.error)}`);
  return { ...base, action: 'accept', content: content.data };
}

/** How `mcpflow progress` shows a waiting question: the message, the schema or URL, the command. */
export function inputHint(workflowId: string, input: PendingInput): string[] {
  const lines = [`? ${input.server} · ${input.tool} asks${input.asked_again ? ' again (the earlier round expired)' : ''}: ${input.message}`];
  if (input.mode === 'url') {
    lines.push(`    open ${input.url}, then: mcpflow answer ${workflowId} ${input.id} --accept   (or --decline / --cancel)`);
  } else {
    lines.push(`    requested schema: ${JSON.stringify(input.requested_schema)}`);
    lines.push(`    mcpflow answer ${workflowId} ${input.id} --json '{...}'   (or --decline / --cancel)`);
  }
  return lines;
}

/** A followed task in `mcpflow progress`. */
export function taskLine(task: TaskProgress): string {
  return `task ${task.task_id} (${task.server} · ${task.tool}): ${task.status}${task.status_message ? ` — ${task.status_message}` : ''}, ${task.polls} poll(s)`;
}
