/**
 * The error rules of eslint.config.mjs (`no-restricted-syntax`): an error class extends McpflowError,
 * and an activity builds its failures with mcpflowFailure, whose type is an MCPErrorType. A planted
 * violation of each is reported; the allowed form passes. Planted paths are linted without type
 * information, as in layering.test.ts (which says why).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';

const repoRoot = path.resolve(__dirname, '..', '..');
const PLANTED = '__planted__.ts';
const eslint = new ESLint({
  cwd: repoRoot,
  overrideConfig: [{ ...(tseslint.configs.disableTypeChecked as Linter.Config), files: [`**/${PLANTED}`] }],
});

async function restrictedSyntax(dir: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, dir, PLANTED) });
  assert.ok(result);
  assert.deepEqual(
    result.messages.filter((m) => m.fatal || m.ruleId === null),
    [],
    `${dir}/${PLANTED} was not linted`,
  );
  return result.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

const plainError = 'export class PlantedError extends Error {}\n';
const baseError = "import { McpflowError } from '../src/core/mcpflow-error';\nexport class PlantedError extends McpflowError {}\n";
const rawFailure =
  "import { ApplicationFailure } from '@temporalio/common';\nexport const planted = ApplicationFailure.create({ type: 'oops', message: 'x' });\n";
const typedFailure = "import { mcpflowFailure } from '../src/core/failures';\nexport const planted = mcpflowFailure('connection', 'x', { retryable: true });\n";

describe('lint: one base for errors, one builder of activity failures', () => {
  for (const dir of ['activities', 'workflows/query', 'src/client', 'src/emulator']) {
    it(`${dir}: a class extending Error is refused, one extending McpflowError passes`, async () => {
      const refused = await restrictedSyntax(dir, plainError);
      assert.equal(refused.length, 1);
      assert.match(refused[0]!, /extend McpflowError/);
      assert.deepEqual(await restrictedSyntax(dir, baseError), []);
    });
  }

  it('activities: ApplicationFailure.create is refused, mcpflowFailure passes', async () => {
    const refused = await restrictedSyntax('activities', rawFailure);
    assert.equal(refused.length, 1);
    assert.match(refused[0]!, /mcpflowFailure/);
    assert.deepEqual(await restrictedSyntax('activities', typedFailure), []);
  });

  it('src/core/mcpflow-error.ts itself may extend Error', async () => {
    const [result] = await eslint.lintText(plainError, { filePath: path.join(repoRoot, 'src/core/mcpflow-error.ts') });
    assert.deepEqual(
      result!.messages.filter((m) => m.ruleId === 'no-restricted-syntax'),
      [],
    );
  });
});
