/**
 * What `npm pack` ships: the compiled code, the CLI's launcher, README and CHANGELOG, and every
 * entry point package.json exports (with its types); no test, fixture, benchmark, recorded
 * history or source map. Checked on the repository itself (where test/ and friends exist, so the
 * `files` rules are really exercised) and on a fresh build of it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dryRunPack, packRepo, REPO_ROOT } from './consumer-project';

const SHIPPED_NEVER = /(^|\/)(test|tests|fixtures|bench|histories|\.mcpflow)(\/|$)|\.test\.|\.map$|^(src|workflows|activities|scripts|deploy|docs)\//;

type Exports = Record<string, string | { types: string; default: string }>;
const packageJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { exports: Exports; private?: boolean };

/** The TypeScript source an export is compiled from (dist/x.js → x.ts). */
const sourceOf = (target: string) => path.join(REPO_ROOT, target.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts'));

describe('npm pack', { timeout: 600_000 }, () => {
  let staged: string;
  before(async () => {
    staged = (await packRepo()).staged;
  });
  after(() => {
    if (staged) rmSync(staged, { recursive: true, force: true });
  });

  it('ships no test, fixture, bench, recorded history or source map (the repository as it is)', async () => {
    const { files } = await dryRunPack(REPO_ROOT);
    const paths = files.map((file) => file.path);
    const wrong = paths.filter((file) => SHIPPED_NEVER.test(file));
    assert.deepEqual(wrong, [], 'files that do not run');
    for (const needed of ['package.json', 'README.md', 'CHANGELOG.md', 'bin/mcpflow.cjs']) assert.ok(paths.includes(needed), `${needed} is shipped`);
    assert.notEqual(packageJson.private, true, 'the package can be published');
  });

  it('ships every exported entry point with its types (a fresh build)', async (t) => {
    const { files, size, unpackedSize } = await dryRunPack(staged);
    const paths = new Set(files.map((file) => file.path));
    assert.deepEqual(
      files.map((file) => file.path).filter((file) => SHIPPED_NEVER.test(file)),
      [],
    );
    assert.ok(paths.has('dist/src/cli/main.js'), 'the CLI bin/mcpflow.cjs runs');
    for (const [subpath, target] of Object.entries(packageJson.exports)) {
      if (typeof target === 'string') continue;
      // Entry points other branches add (mcpflow/workflow, /testing, /nexus) are mapped before their code lands.
      if (!existsSync(sourceOf(target.default))) {
        t.diagnostic(`${subpath}: ${path.relative(REPO_ROOT, sourceOf(target.default))} is not in this tree yet; not checked`);
        continue;
      }
      assert.ok(paths.has(target.default.slice(2)), `${subpath}: ${target.default} is shipped`);
      assert.ok(paths.has(target.types.slice(2)), `${subpath}: ${target.types} is shipped`);
    }
    t.diagnostic(`tarball ${(size / 1024).toFixed(0)} KiB, unpacked ${(unpackedSize / 1024).toFixed(0)} KiB, ${files.length} files`);
  });
});
