/**
 * A session's tool cache: the first query of an mcpSession lists the servers (one listing
 * activity per server), the next ones, inside the TTL, list nothing. Counted from the workflow
 * histories (listing activities of the session and of each child query), per mode.
 */
import { randomUUID } from 'node:crypto';
import type { Stack } from './stack';
import { checkSeedResult, SEED_QUERY, seedServers } from './scenario';
import { median, timed } from './measure';

export interface SessionFigures {
  mode: 'hosted' | 'direct';
  queries: number;
  /** Listing activities (listAllTools / listToolsHosted / listToolsDirect) for the first query. */
  firstQueryListings: number;
  /** Listing activities for all later queries together (the target: 0). */
  laterListings: number;
  /** Client → result of the first query and the median of the later ones. */
  firstQueryMs: number;
  laterQueryP50Ms: number;
}

const LISTING = /^list(All)?Tools/;

async function listingActivities(stack: Stack, workflowId: string): Promise<number> {
  const history = await stack.client.handle(workflowId).fetchHistory();
  return (history.events ?? []).filter((event) => LISTING.test(event.activityTaskScheduledEventAttributes?.activityType?.name ?? '')).length;
}

export async function measureSession(stack: Stack, mode: 'hosted' | 'direct', queries: number): Promise<SessionFigures> {
  const sessionId = `bench-session-${mode}-${randomUUID().slice(0, 8)}`;
  await stack.client.sessions.startOrGet(sessionId, { servers: seedServers(stack.services), mode });
  const childIds: string[] = [];
  const latencies: number[] = [];
  let sessionListingsAfterFirst = 0;
  try {
    for (let index = 0; index < queries; index++) {
      const { ms } = await timed(async () => {
        const started = await stack.client.sessions.startQuery(sessionId, { query: SEED_QUERY });
        checkSeedResult(await started.result, `session ${sessionId} query ${index + 1}`);
        childIds.push(started.query_workflow_id);
      });
      latencies.push(ms);
      if (index === 0) sessionListingsAfterFirst = await listingActivities(stack, sessionId);
    }
    const sessionListings = await listingActivities(stack, sessionId);
    const childListings = await Promise.all(childIds.map((id) => listingActivities(stack, id)));
    return {
      mode,
      queries,
      firstQueryListings: sessionListingsAfterFirst + (childListings[0] ?? 0),
      laterListings: sessionListings - sessionListingsAfterFirst + childListings.slice(1).reduce((sum, count) => sum + count, 0),
      firstQueryMs: latencies[0] ?? Number.NaN,
      laterQueryP50Ms: median(latencies.slice(1)),
    };
  } finally {
    await stack.client
      .handle(sessionId)
      .terminate('benchmark done')
      .catch(() => undefined);
  }
}
