/**
 * Elicitation in direct mode (MCP 2026-07-28 multi round-trip requests): a server's question is a
 * durable wait like an approval. `progress` shows the question and the schema the server asked
 * for; the `answer` update (validated against that schema, without touching history when it is
 * refused) resumes the run; then the call is issued again with the answers. An optional
 * `approval_timeout_ms` bounds the wait as it bounds approvals: unanswered questions are cancelled.
 * Each answer is recorded with who gave it; the server's `approvers` policy applies to answers as to
 * approvals; the worker's webhooks are told of each question (./notify.ts).
 */
import { condition, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { approverProblem, approversFor, type InputAnswerRecord } from '../../src/core/approvers';
import {
  answerProblems,
  InputAnswerSchema,
  pendingInputOf,
  type ElicitRequest,
  type ElicitResult,
  type InputAnswer,
  type InputAnswerOutcome,
  type PendingInput,
} from '../../src/core/mcp-input';
import { checkArgs } from '../input';
import { answerUpdate } from '../messages';
import { ELICITATION_OWN_STATE, INPUT_WAITS_ANNOUNCED } from '../patches';
import { announceWait } from './notify';
import type { QueryRunState } from './run-state';

export interface Asker {
  server: string;
  tool: string;
  call_id: string;
}

export class Elicitations {
  private readonly asked: PendingInput[] = [];
  private readonly answers = new Map<string, InputAnswer>();
  /** When each answer came (workflow time), for the call's record. */
  private readonly answeredAt = new Map<string, string>();
  private seq = 0;

  constructor(private readonly run: QueryRunState) {
    run.openInputs = () => this.open();
    // Validators run synchronously: the SDK does not await them.
    setHandler(answerUpdate, (answer) => this.answer(answer), { validator: (answer) => void this.question(answer) });
  }

  open(): PendingInput[] {
    return this.asked.filter((question) => !this.answers.has(question.id));
  }

  /**
   * Asks every question of one round and waits until each has an answer (or the approval timeout
   * cancels the rest); returns them as `inputResponses`, keyed as the server asked.
   */
  async ask(asker: Asker, requests: Record<string, ElicitRequest>, askedAgain: boolean): Promise<Record<string, ElicitResult>> {
    const questions = Object.entries(requests).map(([key, request]) =>
      pendingInputOf(request, {
        id: `input-${++this.seq}`,
        ...asker,
        key,
        requested_at: new Date().toISOString(),
        ...(askedAgain ? { asked_again: true } : {}),
      }),
    );
    this.asked.push(...questions);
    for (const question of questions) {
      const where = question.mode === 'url' ? ` (open ${question.url})` : '';
      this.run.emit(
        'state',
        `${asker.server} · ${asker.tool} asks${askedAgain ? ' again (its earlier round expired)' : ''}: ${question.message}${where} — mcpflow answer ${workflowInfo().workflowId} ${question.id}`,
      );
    }
    // Its own state (McpState 'waiting_input'); runs recorded before showed 'waiting_approval', and
    // the state is a search attribute upsert, a command: those replay through the patch.
    this.run.setState(
      patched(ELICITATION_OWN_STATE) ? 'waiting_input' : 'waiting_approval',
      `waiting for input to ${asker.server} · ${asker.tool}: mcpflow answer ${workflowInfo().workflowId} ${questions.map((question) => question.id).join(' / ')}`,
    );
    // Runs recorded before told no webhook: the activity is a command, hence the patch.
    const ends = patched(INPUT_WAITS_ANNOUNCED) ? questions.map((question) => this.announce(question)) : [];
    const answered = () => questions.every((question) => this.answers.has(question.id));
    const timeout = this.run.input.approval_timeout_ms;
    try {
      if (timeout === undefined) await condition(answered);
      else if (!(await condition(answered, timeout))) {
        for (const question of questions) {
          if (this.answers.has(question.id)) continue;
          this.answers.set(question.id, { request_id: question.id, action: 'cancel' });
          this.answeredAt.set(question.id, new Date().toISOString());
          this.run.emit('state', `${question.server} · ${question.tool}: no answer to ${question.id} within ${Math.round(timeout / 1000)} s; cancelled`);
        }
      }
    } finally {
      for (const end of ends) end();
    }
    // Another call of the same turn may still wait for its own answers.
    if (!this.open().length) this.run.setState('executing', `calling ${asker.server} · ${asker.tool} again with the answers`);
    return Object.fromEntries(questions.map((question) => [question.key, elicitResult(question, this.answers.get(question.id)!)]));
  }

  /** The answers given during one call, with who gave them, for its record. */
  answersFor(callId: string): InputAnswerRecord[] {
    return this.asked.flatMap((question) => {
      const answer = question.call_id === callId ? this.answers.get(question.id) : undefined;
      if (!answer) return [];
      return [
        {
          request_id: question.id,
          action: answer.action,
          ...(answer.approver ? { approver: answer.approver } : {}),
          answered_at: this.answeredAt.get(question.id) ?? '',
        },
      ];
    });
  }

  private announce(question: PendingInput): () => void {
    const server = this.run.input.servers.find((each) => each.label === question.server);
    const approvers = server && approversFor(server, question.tool);
    return announceWait(
      {
        kind: 'input',
        request_id: question.id,
        server: question.server,
        tool: question.tool,
        requested_at: question.requested_at,
        message: question.message,
        ...(approvers ? { approvers: [...approvers] } : {}),
      },
      this.run.input.retry,
      (message) => this.run.emit('error', message),
    );
  }

  private answer(raw: InputAnswer | undefined): InputAnswerOutcome {
    const { question, answer } = this.question(raw);
    this.answers.set(question.id, answer);
    this.answeredAt.set(question.id, new Date().toISOString());
    this.run.emit(
      'state',
      `${question.server} · ${question.tool}: ${question.id} answered (${answer.action})${answer.approver ? ` (decided by ${answer.approver})` : ''}`,
    );
    return { answered: question.id, action: answer.action };
  }

  /** The open question an answer is for, the answer checked against it; throws what is wrong. */
  private question(raw: InputAnswer | undefined): { question: PendingInput; answer: InputAnswer } {
    const answer = checkArgs(InputAnswerSchema, raw ?? {}, 'answer');
    const open = this.open();
    let question: PendingInput | undefined;
    if (answer.request_id === undefined) {
      if (open.length === 0) throw new Error('no question is waiting for an answer');
      if (open.length > 1) throw new Error(`${open.length} questions wait for an answer: name one of ${open.map((each) => each.id).join(', ')}`);
      question = open[0];
    } else {
      question = this.asked.find((each) => each.id === answer.request_id);
      if (!question) throw new Error(`unknown question ${answer.request_id}; waiting: ${open.map((each) => each.id).join(', ') || 'none'}`);
      if (this.answers.has(question.id)) throw new Error(`question ${question.id} was already answered`);
    }
    const server = this.run.input.servers.find((each) => each.label === question!.server);
    const refused = server && approverProblem(server, question!.tool, answer.approver);
    if (refused) throw new Error(`${question!.id}: ${refused}`);
    const problems = answerProblems(question!, answer);
    if (problems.length) throw new Error(`the answer to ${question!.id} does not match what ${question!.server} asked for: ${problems.join('; ')}`);
    return { question: question!, answer };
  }
}

/** The `ElicitResult` a server gets back: content only for an accepted form. */
function elicitResult(question: PendingInput, answer: InputAnswer): ElicitResult {
  if (answer.action !== 'accept' || question.mode === 'url' || answer.content === undefined) return { action: answer.action };
  return { action: 'accept', content: answer.content };
}
