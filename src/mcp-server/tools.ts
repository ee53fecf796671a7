/**
 * The MCP server of one request (or one stdio connection): mcpflow's six tools on an SDK 2.x
 * `McpServer`, for the era the client speaks. On 2026-07-28, to a client that declares the tasks
 * extension, `ask` answers with a task (./task-methods.ts follows it); otherwise with the run's id.
 */
import { randomUUID } from 'node:crypto';
import { McpServer, type AuthInfo, type CallToolResult, type ServerContext } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { listWaiting } from '../client/pending';
import { TASKS_EXTENSION } from '../demo-servers/protocol';
import { AskArgsSchema, queryInputOf } from './ask-input';
import { AnswerArgsSchema, answerQuestion, DecideArgsSchema, decideApproval } from './decisions';
import { approverOf, declaresTasks } from './identity';
import { RUN_ID_PREFIX, type McpServerOptions } from './options';
import { readRun, viewOf } from './run-reader';
import { RunViewSchema, startedView, toolResultOf } from './run-view';

export const TOOL_DESCRIPTIONS = {
  ask: 'Run a question with MCP tools as a durable mcpflow run. On MCP 2026-07-28 with the tasks extension it answers with a task: poll it, answer its approval and question forms, cancel it. Otherwise it returns the run id at once: follow it with status.',
  status: "A run's state, pending approvals and questions, and once finished its answer, tool call records and statistics.",
  list_pending_approvals: 'Tool calls waiting for approval and questions waiting for an answer, across all runs.',
  decide_approval: 'Approve or deny one pending tool call of a run; recorded with your client identity.',
  answer_question: "Answer an MCP server's question (elicitation) that a run waits on.",
  batch_status: 'Progress of a batch of queries: counts by outcome, running, waiting for approval.',
} as const;

const json = (value: unknown): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
  structuredContent: value as Record<string, unknown>,
});

function metaOf(ctx: ServerContext): Record<string, unknown> | undefined {
  return ctx.mcpReq.envelope as Record<string, unknown> | undefined;
}

export function buildMcpServer(options: McpServerOptions, era: 'legacy' | 'modern', authInfo?: AuthInfo): McpServer {
  const { client } = options;
  const server = new McpServer(
    { name: 'mcpflow', version: options.version },
    {
      instructions: 'mcpflow runs questions that need MCP tools as durable Temporal workflows: ask, then follow the task or the run id.',
      capabilities: { tools: {}, ...(era === 'modern' ? { extensions: { [TASKS_EXTENSION]: {} } } : {}) },
    },
  );
  const approver = (ctx: ServerContext) => approverOf(authInfo, metaOf(ctx));

  server.registerTool(
    'ask',
    {
      title: 'Ask (durable run)',
      description: TOOL_DESCRIPTIONS.ask,
      inputSchema: AskArgsSchema,
      outputSchema: RunViewSchema,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    async (args, ctx): Promise<CallToolResult> => {
      const input = queryInputOf(args, options); // refused here, before anything starts
      const workflowId = await client.startQuery(input, { workflowId: `${RUN_ID_PREFIX}${randomUUID()}` });
      const started = toolResultOf(startedView(workflowId));
      if (era !== 'modern' || !declaresTasks(metaOf(ctx))) return started;
      const now = new Date().toISOString();
      // `resultType: "task"` (CreateTaskResult) is the extension's; the SDK passes it through.
      const task = { resultType: 'task', taskId: workflowId, status: 'working', statusMessage: 'started', createdAt: now, lastUpdatedAt: now, ttlMs: null };
      return { ...started, ...task, pollIntervalMs: options.pollIntervalMs } as unknown as CallToolResult;
    },
  );

  server.registerTool(
    'status',
    {
      title: 'Run status',
      description: TOOL_DESCRIPTIONS.status,
      inputSchema: z.object({ workflow_id: z.string().min(1).max(300).describe('The run id ask returned') }),
      outputSchema: RunViewSchema,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ workflow_id }) => toolResultOf(viewOf(await readRun(client, workflow_id))),
  );

  server.registerTool(
    'list_pending_approvals',
    {
      title: 'Pending approvals',
      description: TOOL_DESCRIPTIONS.list_pending_approvals,
      inputSchema: z.object({ server: z.string().min(1).max(64).optional(), tool: z.string().min(1).max(200).optional() }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (filter) => {
      const rows = await listWaiting(client, filter);
      return json({ approvals: rows.approvals, questions: rows.inputs, unreadable: rows.unreadable });
    },
  );

  server.registerTool(
    'decide_approval',
    {
      title: 'Decide an approval',
      description: TOOL_DESCRIPTIONS.decide_approval,
      inputSchema: DecideArgsSchema,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    async (args, ctx) => json(await decideApproval(client, args, approver(ctx))),
  );

  server.registerTool(
    'answer_question',
    {
      title: 'Answer a question',
      description: TOOL_DESCRIPTIONS.answer_question,
      inputSchema: AnswerArgsSchema,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args, ctx) => json(await answerQuestion(client, args, approver(ctx))),
  );

  server.registerTool(
    'batch_status',
    {
      title: 'Batch status',
      description: TOOL_DESCRIPTIONS.batch_status,
      inputSchema: z.object({ batch_id: z.string().min(1).max(300) }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ batch_id }) => json(await client.batches.progress(batch_id)),
  );
  return server;
}
