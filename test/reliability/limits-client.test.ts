/**
 * Temporal's size refusals reach the user as one clear error with its own exit code (6), not as
 * "Failed to start Workflow" (exit 1) or "no worker is polling" (exit 5).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { McpflowClient } from '../../src/client';
import { LimitExceededError } from '../../src/client/errors';
import { ExitCode, exitCodeFor } from '../../src/cli/errors';
import { getTestEnv, teardownTestEnv, uniqueTaskQueue, type TestEnv } from '../helpers/temporal';

let env: TestEnv;
before(async () => {
  env = await getTestEnv();
});
after(() => teardownTestEnv());

describe('size limits at the client', () => {
  it('a query input over 2 MiB is refused by Temporal as a clear LimitExceededError, exit 6', async () => {
    const client = new McpflowClient(env.client, env.connection, { address: env.address, namespace: env.namespace }, uniqueTaskQueue('limits'));
    const query = 'é'.repeat(1_200_000); // 1.2 M characters, 2.4 MB as UTF-8
    await assert.rejects(
      client.startQuery({ query, servers: [{ label: 'weather', url: 'http://127.0.0.1:9/mcp', require_approval: 'never' }] }),
      (error: unknown) => {
        assert.ok(error instanceof LimitExceededError, `got ${String(error)}`);
        assert.match(error.message, /too large/);
        assert.match(error.message, /2 MiB/);
        assert.equal(exitCodeFor(error), ExitCode.LIMIT);
        return true;
      },
    );
  });
});
