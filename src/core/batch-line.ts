/**
 * A batch line as an activity of the batch (issue 26, docs/ARCHITECTURE.md "Batches"): which
 * lines may run that way, and when such a line must be handed back ("escalated") to run as its
 * own runQuery child. Pure rules, shared by the batch workflow (which lines it tries as
 * activities) and the `runBatchLine` activity (when it stops), so both read one definition.
 *
 * The rule that keeps every guarantee: the activity sends nothing that needs a person or may
 * have a side effect. It lists tools, asks the model and runs read-only calls that need no
 * approval; anything else — a call to a tool with side effects or needing approval, an unknown
 * tool, an elicitation, a task, the step limit, a failure — escalates, and the child runs the
 * line from its start. Only model turns and read-only calls are ever repeated (both are retried
 * today already), so no side effect runs twice and every wait for a person is the child's.
 *
 * Hosted lines: the API runs a turn's tools inside the call, so there is no "before a side
 * effect" to stop at. Such a line runs as an activity only when handing it to its child repeats
 * no tool (hostedChildReason): every server asks for approval of every tool (the turn runs none
 * and an approval request escalates), or none does (the one turn is the whole line, sent as the
 * child's first turn would be: stateless, as no background response needs following).
 */
import { z } from 'zod';
import type { ToolBinding } from './function-tools';
import { QueryResultSchema } from './records';
import { defaultConversationMode } from './conversation';
import { requiresApproval, type ServerConfig } from './servers';
import { findTool, type Catalog, type DiscoveredTool } from './tools';

/** What the batch needs of a line's query input to decide (a subset of runQuery's input). */
export interface LineActivityCandidate {
  mode?: 'hosted' | 'direct' | undefined;
  background?: 'auto' | 'on' | 'off' | undefined;
  max_tokens?: number | undefined;
  max_cost_usd?: number | undefined;
  fallback_result?: unknown;
  standing_approvals?: readonly unknown[] | undefined;
  conversation?: 'stored' | 'stateless' | undefined;
  approval_timeout_ms?: number | undefined;
  /** Hosted lines are judged on their servers' approval settings (absent: the API's default, "always"). */
  servers?: readonly { require_approval?: ServerConfig['require_approval'] | undefined }[] | undefined;
}

/** Why a hosted line must run as its child (see the module's comment), or null. */
export function hostedChildReason(input: LineActivityCandidate): string | null {
  const setting = (approval: ServerConfig['require_approval'] | undefined) => (typeof approval === 'object' ? 'filter' : (approval ?? 'always'));
  const settings = new Set((input.servers ?? []).map((server) => setting(server.require_approval)));
  if (settings.has('filter')) return 'hosted mode with an approval filter';
  if (settings.size > 1) return 'hosted mode with servers that ask for approval and servers that do not';
  if (!settings.has('never')) return null;
  const conversation = input.conversation ?? defaultConversationMode(input.approval_timeout_ms);
  if (conversation === 'stored' && input.background !== 'off') return 'hosted mode, a stored conversation (its turn runs in background mode)';
  return null;
}

/** Why this line starts as a runQuery child at once, or null when it may run as an activity. */
export function childOnlyReason(input: LineActivityCandidate): string | null {
  if (input.mode !== 'direct') {
    const reason = hostedChildReason(input);
    if (reason) return reason;
  }
  // `on` asks for durable timers between polls: that is a workflow's job.
  if (input.background === 'on') return 'background "on"';
  // A budget stops a run between turns with its own error: the child's rules, not repeated here.
  if (input.max_tokens !== undefined || input.max_cost_usd !== undefined) return 'a token or cost budget';
  if (input.fallback_result !== undefined) return 'a fallback result';
  if (input.standing_approvals?.length) return 'standing approvals';
  return null;
}

export interface CallTarget {
  server: ServerConfig;
  tool: DiscoveredTool;
}

/** The server and tool a function call names, or undefined when the catalog has no such tool. */
export function resolveCall(name: string, bindings: Record<string, ToolBinding>, catalog: Catalog, servers: readonly ServerConfig[]): CallTarget | undefined {
  const binding = bindings[name];
  const server = binding && servers.find((each) => each.label === binding.server);
  const tool = binding && findTool(catalog, binding.tool, binding.server);
  return server && tool ? { server, tool } : undefined;
}

/** Why this call must not be sent from the activity, or null when it is read-only and needs no approval. */
export function callEscalation(name: string, target: CallTarget | undefined): string | null {
  if (!target) return `the model called ${name}, which is not in the catalog`;
  const { server, tool } = target;
  if (!tool.read_only) return `${server.label} · ${tool.name} may have side effects`;
  if (requiresApproval(server, tool.name, tool.read_only)) return `${server.label} · ${tool.name} needs approval`;
  return null;
}

/** How `runBatchLine` ended: the line's result (as a runQuery child would return it), or a hand-back before anything was sent. */
export const BatchLineActivityResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('done'), result: QueryResultSchema }),
  z.object({ kind: z.literal('escalate'), reason: z.string() }),
]);
export type BatchLineActivityResult = z.infer<typeof BatchLineActivityResultSchema>;

/**
 * The activity id of a line's `runBatchLine` in its batch run: names the line's number and key, so
 * that clients find a line's result in the batch's history (src/client/batch-activity-lines.ts).
 * Unique in a run: a line runs there at most once (a retried line runs as its child).
 */
export function lineActivityId(n: number, key: string): string {
  return `line:${n}:${key}`;
}

/** The line number and key of a `runBatchLine` activity id, or undefined for any other id. */
export function parseLineActivityId(activityId: string): { n: number; key: string } | undefined {
  const match = /^line:(\d+):(.+)$/.exec(activityId);
  return match ? { n: Number(match[1]), key: match[2]! } : undefined;
}
