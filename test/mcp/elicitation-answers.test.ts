/** Pure checks of an answer against the revision's restricted requested schema, and of `mcpflow answer`'s flags. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerOf } from '../../src/cli/commands/answer';
import { UsageError } from '../../src/cli/errors';
import { answerProblems, ElicitRequestSchema, pendingInputOf, type PendingInput } from '../../src/core/mcp-input';

const base = { id: 'input-1', server: 's', tool: 't', call_id: 'c', key: 'k', requested_at: '' };

function form(properties: Record<string, unknown>, required: string[] = []): PendingInput {
  const request = ElicitRequestSchema.parse({
    method: 'elicitation/create',
    params: { message: 'm', requestedSchema: { type: 'object', properties, required } },
  });
  return pendingInputOf(request, base);
}

describe('answers against the requested schema', () => {
  it('checks every primitive kind the revision allows', () => {
    const question = form(
      {
        name: { type: 'string', minLength: 2, maxLength: 5 },
        email: { type: 'string', format: 'email' },
        day: { type: 'string', format: 'date' },
        color: {
          type: 'string',
          oneOf: [
            { const: 'red', title: 'Red' },
            { const: 'blue', title: 'Blue' },
          ],
        },
        size: { type: 'string', enum: ['s', 'm'] },
        count: { type: 'integer', minimum: 1, maximum: 3 },
        ratio: { type: 'number' },
        ok: { type: 'boolean' },
        tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, maxItems: 1 },
        picks: { type: 'array', items: { anyOf: [{ const: 'x', title: 'X' }] } },
      },
      ['name', 'ok'],
    );
    const good = { name: 'Ann', email: 'a@b.co', day: '2026-12-01', color: 'red', size: 's', count: 2, ratio: 0.5, ok: true, tags: ['a'], picks: ['x'] };
    assert.deepEqual(answerProblems(question, { action: 'accept', content: good }), []);
    const bad = { name: 'A', email: 'nope', day: '2026-13-45', color: 'green', size: 'xl', count: 2.5, ratio: 'x', tags: ['a', 'c'], picks: ['y'], extra: 1 };
    assert.deepEqual(answerProblems(question, { action: 'accept', content: bad }), [
      'ok: required',
      'name: at least 2 characters',
      'email: must be an email address',
      'day: must be a date (YYYY-MM-DD)',
      'color: must be one of red, blue',
      'size: must be one of s, m',
      'count: must be an integer',
      'ratio: must be a number',
      'tags: "c" is not one of a, b',
      'tags: choose at most 1',
      'picks: "y" is not one of x',
      'extra: not asked for (fields: name, email, day, color, size, count, ratio, ok, tags, picks)',
    ]);
  });

  it('decline and cancel carry no content; accept of a form needs it; URL mode takes none', () => {
    const question = form({ ok: { type: 'boolean' } });
    assert.deepEqual(answerProblems(question, { action: 'decline' }), []);
    assert.match(answerProblems(question, { action: 'cancel', content: { ok: true } })[0]!, /carries no content/);
    assert.match(answerProblems(question, { action: 'accept' })[0]!, /needs content/);
    const url = pendingInputOf(
      ElicitRequestSchema.parse({ method: 'elicitation/create', params: { mode: 'url', message: 'go', url: 'https://example.com/x' } }),
      base,
    );
    assert.deepEqual(answerProblems(url, { action: 'accept' }), []);
    assert.match(answerProblems(url, { action: 'accept', content: { a: 'b' } })[0]!, /takes no content/);
  });

  it('a nested requested schema is not an elicitation request of this revision', () => {
    const nested = ElicitRequestSchema.safeParse({
      method: 'elicitation/create',
      params: { message: 'm', requestedSchema: { type: 'object', properties: { a: { type: 'object' } } } },
    });
    assert.equal(nested.success, false);
  });
});

describe('mcpflow answer flags', () => {
  it('turns --json, --accept, --decline, --cancel into one answer', () => {
    assert.deepEqual(answerOf({ json: '{"ok": true}' }, 'input-2'), { request_id: 'input-2', action: 'accept', content: { ok: true } });
    assert.deepEqual(answerOf({ decline: true }, undefined), { action: 'decline' });
    assert.deepEqual(answerOf({ cancel: true }, undefined), { action: 'cancel' });
    assert.deepEqual(answerOf({ accept: true }, undefined), { action: 'accept' });
    assert.throws(
      () => answerOf({}, undefined),
      (error: unknown) => error instanceof UsageError && /exactly one of/.test(error.message),
    );
    assert.throws(() => answerOf({ json: '{', decline: true }, undefined), UsageError);
    assert.throws(() => answerOf({ json: '{' }, undefined), /not valid JSON/);
    assert.throws(() => answerOf({ json: '[1]' }, undefined), /must be a JSON object/);
    assert.throws(() => answerOf({ json: '{"a": {"b": 1}}' }, undefined), /must be a JSON object of strings/);
  });
});
