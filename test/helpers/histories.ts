/**
 * Replay guard: end-to-end tests save the histories of their workflows as fixtures when
 * MCPFLOW_RECORD_HISTORIES=1, and test/replay replays every fixture against today's workflow
 * code. A change that breaks an old history fails there: use `patched()` for such changes.
 *
 * Histories are written by `temporal workflow show --output json`, the format every Temporal
 * tool reads (and `historyFromJSON` expects).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { ensureTemporalCli } from '../../src/devserver/cli-path';
import { getTestEnv, REPO_ROOT } from './temporal';

export const HISTORY_FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'histories');
/** Fixture file → the workflow id it ran under (replay needs it: child ids derive from it). */
export const HISTORY_INDEX = path.join(HISTORY_FIXTURES, 'index.json');

export function readHistoryIndex(): Record<string, string> {
  return existsSync(HISTORY_INDEX) ? (JSON.parse(readFileSync(HISTORY_INDEX, 'utf8')) as Record<string, string>) : {};
}

export async function saveHistoryFixture(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.MCPFLOW_RECORD_HISTORIES !== '1') return;
  const { address, namespace } = await getTestEnv();
  const cli = await ensureTemporalCli();
  const json = execFileSync(cli, ['workflow', 'show', '--output', 'json', '--address', address, '--namespace', namespace, '--workflow-id', handle.workflowId], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  mkdirSync(HISTORY_FIXTURES, { recursive: true });
  writeFileSync(path.join(HISTORY_FIXTURES, `${name}.json`), json);
  // Test files run in parallel processes: re-read the index just before writing it.
  const index = { ...readHistoryIndex(), [`${name}.json`]: handle.workflowId };
  writeFileSync(HISTORY_INDEX, `${JSON.stringify(index, Object.keys(index).sort(), 1)}\n`);
}

/** A workflow's whole history as text, with every payload decoded, for "never in history" checks. */
export async function historyText(handle: WorkflowHandle): Promise<string> {
  const parts: string[] = [];
  // Walk the raw objects: toJSON() of protobuf messages would hide payloads as base64.
  const walk = (value: unknown): void => {
    if (value instanceof Uint8Array) parts.push(Buffer.from(value).toString('utf8'));
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        parts.push(key);
        walk(child);
      }
    } else if (value !== undefined && value !== null) parts.push(String(value));
  };
  walk(await handle.fetchHistory());
  return parts.join(' ');
}
