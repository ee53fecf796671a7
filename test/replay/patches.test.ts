/**
 * The patch registry (workflows/patches.ts) is complete and backed by recorded histories: every
 * `patched()` in the workflows asks a registered id, every id is asked, and each has a fixture
 * holding its marker (the new branch) and, where named, one from before it without (the old
 * branch). replay.test.ts replays every fixture, so both branches replay.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as patches from '../../workflows/patches';
import { HISTORY_FIXTURES, readHistoryIndex } from '../helpers/histories';
import { REPO_ROOT } from '../helpers/temporal';

interface HistoryJson {
  events: { markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: { data?: string }[] }> } }[];
}

/** The patch ids a recorded history's `core_patch` markers name. */
function markerIds(file: string): Set<string> {
  const history = JSON.parse(readFileSync(path.join(HISTORY_FIXTURES, file), 'utf8')) as HistoryJson;
  const ids = new Set<string>();
  for (const event of history.events) {
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') continue;
    for (const payload of Object.values(marker.details ?? {}).flatMap((details) => details.payloads ?? [])) {
      ids.add((JSON.parse(Buffer.from(payload.data ?? '', 'base64').toString('utf8')) as { id: string }).id);
    }
  }
  return ids;
}

function workflowSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return workflowSources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const index = readHistoryIndex();
/** Exported constant name → patch id. */
const registered = new Map<string, string>();
for (const [name, value] of Object.entries(patches)) if (typeof value === 'string') registered.set(name, value);

describe('patch registry', () => {
  it('registers each exported id once, with fixtures', () => {
    const ids = patches.PATCHES.map((patch) => patch.id);
    assert.equal(new Set(ids).size, ids.length, 'no id registered twice');
    assert.deepEqual([...ids].sort(), [...registered.values()].sort(), 'every exported patch id is in PATCHES');
  });

  it('is the only source of patch ids: every patched() call names a constant from it, and every id is asked', () => {
    const asked = new Set<string>();
    for (const file of workflowSources(path.join(REPO_ROOT, 'workflows'))) {
      // Calls with an argument: the registry's own comment mentions `patched()` bare.
      for (const match of readFileSync(file, 'utf8').matchAll(/\b(?:patched|deprecatePatch)\(([^)]+)\)/g)) {
        const argument = (match[1] ?? '').trim();
        assert.ok(registered.has(argument), `${path.relative(REPO_ROOT, file)}: patched(${argument}) names a constant from workflows/patches.ts`);
        asked.add(argument);
      }
    }
    assert.deepEqual([...asked].sort(), [...registered.keys()].sort(), 'every registered patch is asked somewhere');
  });

  for (const patch of patches.PATCHES) {
    it(`${patch.id}: a recorded history holds its marker${patch.prePatchFixture ? ', one from before does not' : ''}`, () => {
      for (const file of [patch.postPatchFixture, patch.prePatchFixture].filter((name) => name !== undefined)) {
        assert.ok(existsSync(path.join(HISTORY_FIXTURES, file)), `${file} is recorded`);
        assert.ok(index[file], `${file} is listed in index.json, so replay.test.ts replays it`);
      }
      assert.ok(markerIds(patch.postPatchFixture).has(patch.id), `${patch.postPatchFixture} took the new branch of ${patch.id}`);
      if (patch.prePatchFixture) assert.ok(!markerIds(patch.prePatchFixture).has(patch.id), `${patch.prePatchFixture} ran before ${patch.id}`);
    });
  }
});
