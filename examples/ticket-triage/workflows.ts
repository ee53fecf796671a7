/**
 * The user's own workflow: triage a ticket by asking mcpflow several questions at once, each a
 * durable, tool-using query (a `runQuery` child). A question whose tool needs approval waits for a
 * person (`mcpflow approvals list`, `McpflowClient.approve`) without holding the others back.
 *
 * In your project: `import { startMcpQuery, McpQueryFailed, type QueryInput } from 'mcpflow/workflow';`
 * (here relative, since the repository does not import its own package).
 */
import { mcpDiscover, startMcpQuery, McpQueryFailed, type DiscoveryInput, type QueryInput, type QueryResult } from '../../workflows/api';

export interface TicketTriageInput {
  ticket_id: string;
  /** One mcpflow query per question; they run concurrently. */
  questions: QueryInput[];
}

export interface TicketTriageResult {
  ticket_id: string;
  /** In the order of the questions; a failed query gives its partial result (success: false). */
  results: QueryResult[];
}

export async function ticketTriage(input: TicketTriageInput): Promise<TicketTriageResult> {
  const handles = await Promise.all(input.questions.map((question) => startMcpQuery(question)));
  const results = await Promise.all(
    handles.map((handle) =>
      handle.result().catch((failure: unknown) => {
        // A query that ran and failed still tells what it did; anything else (cancelled) fails the triage.
        if (failure instanceof McpQueryFailed) return failure.result;
        throw failure;
      }),
    ),
  );
  return { ticket_id: input.ticket_id, results };
}

/** Which tools the triage can use: a `discoverTools` child (each server listed with retries). */
export async function triageTools(input: DiscoveryInput): Promise<string[]> {
  const { catalog } = await mcpDiscover(input);
  return Object.values(catalog.servers).flatMap((server) => server.tools.map((tool) => `${server.server_label}.${tool.name}`));
}
