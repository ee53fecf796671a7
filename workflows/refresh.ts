/**
 * refreshSession: what a Schedule starts to keep a session's catalog fresh. Its result is the
 * session's refresh result: the catalog, the diff (added, removed, changed tools) and the
 * standing approvals a changed tool lost.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { parseInput } from './input';
import { RefreshSessionInputSchema, type RefreshSessionInput, type SessionRefreshResult } from './messages';

export async function refreshSession(rawInput: RefreshSessionInput): Promise<SessionRefreshResult> {
  const input = parseInput(RefreshSessionInputSchema, rawInput, 'refreshSession');
  const { refreshSessionTools } = proxyActivities<Activities>({
    // The session lists every server with its own retries inside this one update.
    startToCloseTimeout: '15 minutes',
    // The activity heartbeats while the session lists: a worker lost mid-refresh is noticed in
    // seconds, not after 15 minutes (activity options are not part of replay: old histories replay).
    heartbeatTimeout: '15 seconds',
    retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['invalid_arguments'] },
    summary: `Refresh the tools of session ${input.session_id}`,
  });
  return refreshSessionTools(input);
}
