import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clausesOf, planCalls, type PlannerTool } from '../../src/emulator/planner';
import { composeAnswer, summarizeOutput } from '../../src/emulator/planner-answer';
import { addDays, dateFromText, fillArguments, placeFromText } from '../../src/emulator/planner-arguments';
import { parseScript, scriptedCalls } from '../../src/emulator/script';

const weatherTools: PlannerTool[] = [
  {
    kind: 'mcp',
    server: 'weather',
    name: 'get_current_weather',
    description: 'Get the current weather for a location',
    inputSchema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
  {
    kind: 'mcp',
    server: 'weather',
    name: 'get_forecast',
    description: 'Get the weather forecast for the next days',
    inputSchema: {
      type: 'object',
      properties: { location: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 7 } },
      required: ['location', 'days'],
    },
  },
];
const calendarTools: PlannerTool[] = [
  {
    kind: 'mcp',
    server: 'calendar',
    name: 'list_events',
    description: 'List calendar events for a day',
    inputSchema: { type: 'object', properties: { date: { type: 'string' } }, required: ['date'] },
  },
];
const databaseTools: PlannerTool[] = [
  {
    kind: 'mcp',
    server: 'database',
    name: 'query',
    description: 'Run a read-only SQL query against the customers database',
    inputSchema: { type: 'object', properties: { sql: { type: 'string' } }, required: ['sql'] },
  },
];
const allTools = [...weatherTools, ...calendarTools, ...databaseTools];

void describe('planner', () => {
  void it('plans one call per question part: weather in London and meetings today', () => {
    const calls = planCalls({ text: "What's the weather in London and do I have any meetings today?", tools: allTools });
    assert.deepEqual(calls, [
      { kind: 'mcp', server: 'weather', tool: 'get_current_weather', arguments: { location: 'London' } },
      { kind: 'mcp', server: 'calendar', tool: 'list_events', arguments: { date: '2026-11-26' } },
    ]);
  });

  void it('picks the forecast tool, the place and the number of days', () => {
    const calls = planCalls({ text: 'Give me the forecast for New York for 3 days', tools: allTools });
    assert.deepEqual(calls, [{ kind: 'mcp', server: 'weather', tool: 'get_forecast', arguments: { location: 'New York', days: 3 } }]);
  });

  void it('understands calendar synonyms and tomorrow relative to metadata today', () => {
    for (const word of ['meetings', 'events', 'calendar', 'appointments']) {
      const calls = planCalls({ text: `Show my ${word} tomorrow`, tools: allTools, today: '2026-02-28' });
      assert.equal(calls[0]?.tool, 'list_events', word);
      assert.deepEqual(calls[0]?.arguments, { date: '2026-03-01' });
    }
  });

  void it('routes database questions to query with a SQL default', () => {
    const calls = planCalls({ text: 'How many customers are in the database?', tools: allTools });
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.tool, 'query');
    assert.equal(calls[0]?.arguments['sql'], 'SELECT COUNT(*) FROM customers');
    assert.equal(planCalls({ text: 'List the customers', tools: databaseTools })[0]?.arguments['sql'], 'SELECT * FROM customers LIMIT 10');
    const explicit = planCalls({ text: 'query: SELECT name FROM customers', tools: databaseTools });
    assert.equal(explicit[0]?.arguments['sql'], 'SELECT name FROM customers');
  });

  void it('makes no call when no tool matches', () => {
    assert.deepEqual(planCalls({ text: 'Tell me a joke', tools: allTools }), []);
    assert.deepEqual(planCalls({ text: 'weather please', tools: [] }), []);
  });

  void it('does not repeat the same call', () => {
    const calls = planCalls({ text: 'weather in Paris, and the weather in Paris', tools: weatherTools });
    assert.equal(calls.length, 1);
  });

  void it('fills arguments by type: enums, numbers, defaults', () => {
    const schema = {
      type: 'object',
      properties: {
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        limit: { type: 'integer', maximum: 5 },
        verbose: { type: 'boolean' },
        tags: { type: 'array' },
        options: { type: 'object' },
        note: { type: 'string', default: 'none' },
        optional: { type: 'string' },
      },
      required: ['unit', 'limit', 'verbose', 'tags', 'options', 'note'],
    };
    assert.deepEqual(fillArguments({ clause: 'in fahrenheit, top 10', text: '', schema, today: '2026-11-26' }), {
      unit: 'fahrenheit',
      limit: 5,
      verbose: false,
      tags: [],
      options: {},
      note: 'none',
    });
    assert.equal(fillArguments({ clause: 'x', text: 'x', schema, today: '2026-11-26' })['unit'], 'celsius');
  });

  void it('reads places, dates and clauses', () => {
    assert.equal(placeFromText('weather in San Francisco today'), 'San Francisco');
    assert.equal(placeFromText('weather for Berlin'), 'Berlin');
    assert.equal(placeFromText('weather here'), undefined);
    assert.equal(dateFromText('on 2026-01-02 please', '2026-11-26'), '2026-01-02');
    assert.equal(dateFromText('today', '2026-11-26'), '2026-11-26');
    assert.equal(dateFromText('tomorrow', '2026-12-31'), '2027-01-01');
    assert.equal(dateFromText('someday', '2026-11-26'), undefined);
    assert.equal(addDays('2026-11-26', -1), '2026-11-25');
    assert.deepEqual(clausesOf('a and b? c; d'), ['a', 'b', 'c', 'd']);
  });

  void it('writes answers that quote outputs, errors and denials', () => {
    const answer = composeAnswer('q', [
      { kind: 'mcp', server: 'weather', tool: 'get_current_weather', status: 'ok', output: 'Sunny, 20°C' },
      { kind: 'mcp', server: 'calendar', tool: 'list_events', status: 'error', error: 'calendar is down' },
      { kind: 'mcp', server: 'db', tool: 'query', status: 'denied', reason: 'too expensive' },
    ]);
    assert.match(answer, /Sunny, 20°C/);
    assert.match(answer, /calendar is down/);
    assert.match(answer, /denied/);
    assert.match(answer, /too expensive/);
    assert.match(composeAnswer('Tell me a joke', []), /Tell me a joke/);
    assert.equal(composeAnswer('x', [{ kind: 'mcp', tool: 't', status: 'ok', output: 'y'.repeat(2000) }]).length < 700, true);
  });

  void it('parses scripts', () => {
    const parsed = parseScript('{"calls":[{"server":"weather","tool":"get_forecast","arguments":{"location":"Paris","days":2}},{"tool":"fn"}],"answer":"done"}');
    assert.ok(parsed.ok);
    if (parsed.ok) {
      assert.deepEqual(scriptedCalls(parsed.script), [
        { kind: 'mcp', server: 'weather', tool: 'get_forecast', arguments: { location: 'Paris', days: 2 } },
        { kind: 'function', tool: 'fn', arguments: {} },
      ]);
      assert.equal(parsed.script.answer, 'done');
    }
    assert.equal(parseScript('nope').ok, false);
    assert.equal(parseScript('{"calls":[{"server":"x"}]}').ok, false);
    assert.equal(parseScript('{"unknown":1}').ok, false);
  });
});

void describe('summarizeOutput', () => {
  void it('reads JSON outputs as a short sentence and leaves text alone', () => {
    assert.equal(summarizeOutput('{"location":"London","temperature":8,"condition":"light rain"}'), 'location London, temperature 8, condition light rain');
    assert.equal(
      summarizeOutput('{"date":"2026-11-26","count":2,"events":[{"id":"e1","title":"Standup","start_time":"09:30"},{"id":"e2","title":"Review","start_time":"14:00"}]}'),
      'date 2026-11-26, count 2, events 2 item(s): Standup 09:30; Review 14:00',
    );
    assert.equal(summarizeOutput('plain text'), 'plain text');
    assert.equal(summarizeOutput('42'), '42');
  });
});
