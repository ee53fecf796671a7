/**
 * Every `patched()` id the workflows ask, in one place. A patch keeps histories recorded before a
 * change of a workflow's commands replaying as they ran; its id is written into new histories (a
 * `core_patch` marker), so an id never changes and is never reused. Each entry names the recorded
 * history (test/fixtures/histories) that holds its marker, the new branch, and, where one was
 * recorded, a history from before the change that replays through the old branch;
 * test/replay/patches.test.ts checks both.
 */

/** Since 2026-11-26: a denied call is counted and announced (before: pushed to the calls silently). */
export const DENIED_CALLS_COUNTED = 'denied-calls-counted';
/** Since 2026-11-30: hosted mode lists its servers in the first model turn (before: one listing activity each, first). */
export const LISTING_IN_FIRST_TURN = 'hosted-listing-in-first-turn';
/** Since 2026-12-01: queries have the `conversation` option (before: every run was `stored`). */
export const CONVERSATION_OPTION = 'conversation-option';
/** Since 2026-12-01: a direct call answered "no such tool" lists its server again (before: answered as is). */
export const TOOL_GONE_REFRESH = 'direct-tool-gone-refresh';
/** Since 2026-12-01: a session's executeQuery returns the child's id at once (before: it waited for the child's end). */
export const QUERY_RETURNS_AT_ONCE = 'session-query-returns-at-once';
/** Since 2026-12-01: discovery lists all servers in one activity (before: one activity per server). */
export const LIST_ALL_AT_ONCE = 'discovery-list-all-at-once';
/** Since 2026-12-06: a cut side-effect call is `outcome_unknown` and stops the query (before: `timeout`, and the model was asked again). */
export const CUT_CALL_OUTCOME_UNKNOWN = 'direct-cut-call-outcome-unknown';
/** Since 2026-12-06: inputs breaking the worker's server-registry rule are refused (before: run). Asked only for such inputs. */
export const WORKER_SERVER_REGISTRY = 'worker-server-registry';
/** Since 2026-12-06: a query waiting for an elicitation answer is `waiting_input` (before: `waiting_approval`). */
export const ELICITATION_OWN_STATE = 'elicitation-own-state';
/** Since 2026-12-06: a draining session still takes work for a while (before: it refused work from the first moment). */
export const DRAIN_ACCEPTS_WORK = 'session-drain-accepts-work';
/** Since 2026-12-06: batch lines waiting for a person hold no concurrency slot (before: they held one). */
export const WAITING_LINES_FREE_SLOTS = 'batch-waiting-lines-free-slots';
/** Since 2026-12-06: a stateless run of a reasoning model asks for encrypted reasoning and carries it (before: reasoning was lost at each turn). Asked only for such runs. */
export const REASONING_CARRIED = 'stateless-reasoning-carried';
/** Since 2026-12-06: a stored model turn runs in background mode, followed with durable timers (before: one activity waited for the call). */
export const BACKGROUND_MODE = 'background-mode-responses';
/** Since 2026-12-06: a query or batch over its token / cost budget stops (before: no budgets). Asked only when a budget is exceeded. */
export const TOKEN_BUDGET = 'token-budget';
/** Since 2026-12-06: before an approval wait, the arguments are checked (a local activity) and the webhooks told (an activity); before: neither. */
export const APPROVAL_WAITS_CHECKED_AND_ANNOUNCED = 'approval-waits-checked-announced';
/** Since 2026-12-06: an elicitation question is announced to the webhooks (an activity); before: not. */
export const INPUT_WAITS_ANNOUNCED = 'input-waits-announced';
/** Since 2026-12-06: a batch line tells its batch only when it starts or stops waiting and at its end (before: every state change). */
export const BATCH_LINE_SIGNALS_WAITS_AND_END = 'batch-line-signals-waits-and-end';
/** Since 2026-12-06 (issue 26): a batch line that needs no person runs as a `runBatchLine` activity, a child only when handed back (before: a child always). */
export const BATCH_LINES_AS_ACTIVITIES = 'batch-lines-as-activities';

export interface PatchRecord {
  id: string;
  /** A recorded history holding the patch's marker: the new branch. */
  postPatchFixture: string;
  /** A recorded history from before the change that reaches the patch: the old branch. */
  prePatchFixture?: string;
}

export const PATCHES: readonly PatchRecord[] = [
  { id: DENIED_CALLS_COUNTED, postPatchFixture: 'query-denied.json', prePatchFixture: 'before-0.2-query-denied.json' },
  { id: LISTING_IN_FIRST_TURN, postPatchFixture: 'query-seed-scenario-approved.json', prePatchFixture: 'before-0.2-query-seed-scenario-approved.json' },
  { id: CONVERSATION_OPTION, postPatchFixture: 'query-stateless-seed-scenario.json', prePatchFixture: 'query-seed-scenario-approved.json' },
  { id: TOOL_GONE_REFRESH, postPatchFixture: 'query-direct-tool-gone.json' },
  { id: QUERY_RETURNS_AT_ONCE, postPatchFixture: 'session-five-queries-started-at-once.json', prePatchFixture: 'session-five-queries.json' },
  { id: LIST_ALL_AT_ONCE, postPatchFixture: 'discovery-direct-all-at-once.json', prePatchFixture: 'before-0.3-query-direct-seed-scenario.json' },
  { id: CUT_CALL_OUTCOME_UNKNOWN, postPatchFixture: 'query-direct-cut-outcome-unknown.json' },
  { id: WORKER_SERVER_REGISTRY, postPatchFixture: 'query-refused-stdio-command-in-input.json' },
  { id: ELICITATION_OWN_STATE, postPatchFixture: 'query-direct-mcp2026-elicitation-own-state.json', prePatchFixture: 'query-direct-mcp2026-elicitation.json' },
  { id: DRAIN_ACCEPTS_WORK, postPatchFixture: 'session-drain-accepts-work.json', prePatchFixture: 'session-carried-approval-after-continue-as-new.json' },
  { id: BACKGROUND_MODE, postPatchFixture: 'query-background-stored.json', prePatchFixture: 'query-seed-scenario-approved.json' },
  { id: WAITING_LINES_FREE_SLOTS, postPatchFixture: 'batch-waiting-lines-free-slots.json', prePatchFixture: 'batch-pause-resume-cancel.json' },
  { id: REASONING_CARRIED, postPatchFixture: 'query-stateless-reasoning-approved.json' },
  { id: TOKEN_BUDGET, postPatchFixture: 'query-token-budget-exceeded.json' },
  {
    id: APPROVAL_WAITS_CHECKED_AND_ANNOUNCED,
    postPatchFixture: 'query-approval-policy-hash-notified.json',
    prePatchFixture: 'query-seed-scenario-approved.json',
  },
  {
    id: INPUT_WAITS_ANNOUNCED,
    postPatchFixture: 'query-direct-mcp2026-elicitation-approver-notified.json',
    prePatchFixture: 'query-direct-mcp2026-elicitation-own-state.json',
  },
  { id: BATCH_LINE_SIGNALS_WAITS_AND_END, postPatchFixture: 'batch-line-signals-waits-and-end.json' },
  { id: BATCH_LINES_AS_ACTIVITIES, postPatchFixture: 'batch-lines-as-activities.json', prePatchFixture: 'batch-direct-lines-before-activities.json' },
];
