import type { FunctionToolConfig, McpListedTool, McpToolConfig } from '../core/schemas';
import type { PendingApproval, PendingFunctionCall } from './conversations';
import type { ContextItem, ConversationView } from './context';
import type { ReasoningPlan, ReasoningSeal } from './reasoning';
import type { ResponseSkeleton } from './responses';
import type { ModelScript } from './script';

/** Counters the admin endpoint reports (how often hosted mode really touched a server). */
export interface TurnHooks {
  onToolListing(serverLabel: string): void;
  onToolCall(serverLabel: string, tool: string): void;
  /** The date the planner calls "today" (EmulatorOptions.today). */
  today?: () => string;
  /** Seals the reasoning items' `encrypted_content` and checks what comes back. */
  reasoningSeal: ReasoningSeal;
  /** What a flex model call adds now (admin faults may change it). */
  flexLatencyMs?: () => number;
}

/** One server's tools as listed in an `mcp_list_tools` item. */
export type ServerListing = [serverLabel: string, tools: McpListedTool[]];

/** The client's `mcp_approval_response` to an open approval request of the conversation. */
export interface ApprovalAnswer {
  approvalRequestId: string;
  approve: boolean;
  reason: string | null;
  pending: PendingApproval;
}

/** The client's `function_call_output` for an open function call of the conversation. */
export interface FunctionOutput {
  callId: string;
  output: string;
  pending: PendingFunctionCall;
}

/** Everything checked before the first byte is sent: a failure here is an HTTP error status. */
export interface PreparedTurn extends ResponseSkeleton {
  /** What the model knows from earlier turns (read from the context's items). */
  previous: ConversationView;
  /** The context before this turn's output: stored with the response for follow-ups. */
  context: ContextItem[];
  mcpTools: Map<string, McpToolConfig>;
  functionTools: Map<string, FunctionToolConfig>;
  /** Servers listed by this request, in `tools` order. */
  newListings: ServerListing[];
  listings: Record<string, McpListedTool[]>;
  question: string;
  isNewQuestion: boolean;
  approvals: ApprovalAnswer[];
  functionOutputs: FunctionOutput[];
  script: ModelScript | undefined;
  today: string;
  /** What the request asks of the reasoning; null for a model that does not reason. */
  reasoning: ReasoningPlan | null;
}
