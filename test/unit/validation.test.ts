import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateArguments } from '../../src/core/validation';
import { discoveredToolFromListed } from '../../src/core/tools';

const tool = discoveredToolFromListed(
  {
    name: 'create_event',
    input_schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        title: { type: 'string' },
        date: { type: 'string', format: 'date' },
        duration_minutes: { type: 'integer', minimum: 5 },
        visibility: { type: 'string', enum: ['public', 'private'] },
        attendees: { type: 'array', items: { type: 'object', properties: { email: { type: 'string', format: 'email' } }, required: ['email'] } },
        room: { type: 'object', properties: { floor: { type: 'integer' } }, additionalProperties: false },
      },
      required: ['title', 'date'],
      additionalProperties: false,
    },
  },
  'calendar',
);

describe('argument validation against the tool schema', () => {
  it('accepts valid arguments', () => {
    assert.deepEqual(validateArguments(tool, { title: 'Standup', date: '2026-11-26', attendees: [{ email: 'a@example.com' }] }), { valid: true });
  });

  it('names missing, unknown and mistyped parameters (the seed checks)', () => {
    const result = validateArguments(tool, { date: '2026-11-26', duration_minutes: 'long', colour: 'red' });
    assert.equal(result.valid, false);
    assert.ok(!result.valid);
    assert.deepEqual(
      new Set(result.errors),
      new Set(['Missing required parameter: title', 'Unknown parameter: colour', 'Invalid type for duration_minutes: expected integer']),
    );
  });

  it('checks enums, formats, nested objects and arrays (beyond the seed)', () => {
    const result = validateArguments(tool, {
      title: 'x',
      date: '26/11/2026',
      visibility: 'secret',
      attendees: [{ email: 'nope' }, {}],
      room: { floor: 2, wing: 'b' },
    });
    assert.ok(!result.valid);
    assert.deepEqual(
      new Set(result.errors),
      new Set([
        'Invalid format for date: expected date',
        'Invalid value for visibility: must be one of public, private',
        'Invalid format for attendees[0].email: expected email',
        'Missing required parameter: attendees[1].email',
        'Unknown parameter: room.wing',
      ]),
    );
  });
});
