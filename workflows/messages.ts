/**
 * Every input, query, update and signal of mcpflow's workflows, shared by the workflows and by
 * clients (CLI, tests). Zod schemas are the single source of the types; updates validate with them.
 */
export { HistoryFilterSchema, PendingApprovalSchema, type PendingApproval } from '../src/core/records';
export { StandingApprovalSchema, type StandingApproval } from './run-options';
export * from './discovery-messages';
export * from './query/messages';
export * from './session/messages';
