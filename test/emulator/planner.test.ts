import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clausesOf, planCalls, type PlannerTool } from '../../src/emulator/planner';
import { composeAnswer, summarizeOutput } from '../../src/emulator/planner-answer';
import { addDays, dateFromText, fillArguments, placeFromText, timeFromText } from '../../src/emulator/planner-arguments';
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
      tags: ['in fahrenheit, top 10'],
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
    const parsed = parseScript(
      '{"calls":[{"server":"weather","tool":"get_forecast","arguments":{"location":"Paris","days":2}},{"tool":"fn"}],"answer":"done"}',
    );
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
      summarizeOutput(
        '{"date":"2026-11-26","count":2,"events":[{"id":"e1","title":"Standup","start_time":"09:30"},{"id":"e2","title":"Review","start_time":"14:00"}]}',
      ),
      'date 2026-11-26, count 2, events 2 item(s): Standup 09:30; Review 14:00',
    );
    assert.equal(summarizeOutput('plain text'), 'plain text');
    assert.equal(summarizeOutput('42'), '42');
  });
});

/** The demo calendar's side effects and server-memory's writes, with the schemas they list (copied from tools/list). */
const createEvent: PlannerTool = {
  kind: 'mcp',
  server: 'calendar',
  name: 'create_event',
  description: 'Create a meeting on the calendar. This changes the calendar: calling it twice creates two events.',
  inputSchema: {
    type: 'object',
    properties: {
      title: { type: 'string', minLength: 1, maxLength: 200, description: 'Meeting title' },
      date: { type: 'string', pattern: '^(\\d{4}-\\d{2}-\\d{2}|today|tomorrow|yesterday)$', description: 'Meeting date, YYYY-MM-DD (or "today" / "tomorrow")' },
      start_time: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'Start time, HH:MM 24-hour' },
      duration_minutes: { type: 'integer', minimum: 5, maximum: 720, description: 'Length in minutes (default 30)' },
    },
    required: ['title', 'date', 'start_time'],
  },
};
const bookMeeting: PlannerTool = {
  kind: 'function',
  name: 'calendar__book_meeting',
  description: '[calendar] Book a 30-minute meeting. The user is asked to confirm and to name an attendee before anything is booked.',
  inputSchema: {
    type: 'object',
    properties: { title: { type: 'string' }, date: { type: 'string' }, start_time: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' } },
    required: ['title', 'date', 'start_time'],
  },
};
const memoryTools: PlannerTool[] = [
  {
    kind: 'function',
    name: 'memory__create_entities',
    description: '[memory] Create multiple new entities in the knowledge graph',
    inputSchema: {
      type: 'object',
      properties: {
        entities: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              name: { type: 'string', description: 'The name of the entity' },
              entityType: { type: 'string', description: 'The type of the entity' },
              observations: { type: 'array', items: { type: 'string' }, description: 'An array of observation contents associated with the entity' },
            },
            required: ['name', 'entityType', 'observations'],
          },
        },
      },
      required: ['entities'],
    },
  },
  {
    kind: 'function',
    name: 'memory__create_relations',
    description: '[memory] Create multiple new relations between entities in the knowledge graph',
    inputSchema: {
      type: 'object',
      properties: {
        relations: {
          type: 'array',
          items: {
            type: 'object',
            properties: { from: { type: 'string' }, to: { type: 'string' }, relationType: { type: 'string' } },
            required: ['from', 'to', 'relationType'],
          },
        },
      },
      required: ['relations'],
    },
  },
  {
    kind: 'function',
    name: 'memory__open_nodes',
    description: '[memory] Open specific nodes in the knowledge graph by their names',
    inputSchema: {
      type: 'object',
      properties: { names: { type: 'array', items: { type: 'string' }, description: 'An array of entity names to retrieve' } },
      required: ['names'],
    },
  },
];

void describe('planner arguments for side effects', () => {
  void it('create_event: a title, the date, an HH:MM start time and the duration, not the sentence', () => {
    const calls = planCalls({
      text: 'Create an event "Design review" tomorrow at 3pm for 45 minutes',
      tools: [...calendarTools, createEvent],
      today: '2026-12-06',
    });
    assert.deepEqual(calls, [
      {
        kind: 'mcp',
        server: 'calendar',
        tool: 'create_event',
        arguments: { title: 'Design review', date: '2026-12-07', start_time: '15:00', duration_minutes: 45 },
      },
    ]);
    const plain = planCalls({ text: 'Schedule a meeting with Dana on Friday at 09:30', tools: [createEvent], today: '2026-12-06' });
    assert.deepEqual(plain[0]?.arguments, { title: 'Meeting with Dana', date: '2026-12-11', start_time: '09:30' });
  });

  void it('a required time the sentence does not give is a valid default, never the sentence', () => {
    const args = fillArguments({ clause: 'book a meeting', text: 'book a meeting', schema: createEvent.inputSchema, today: '2026-12-06' });
    assert.equal(args['start_time'], '09:00');
    assert.equal(args['date'], '2026-12-06');
    assert.equal(args['title'], 'Meeting');
  });

  void it('book_meeting (direct mode function name) gets a title, date and time', () => {
    const calls = planCalls({
      text: 'Book a meeting "Roadmap" on 2026-12-09 at 14:30',
      tools: [...calendarTools, createEvent, bookMeeting],
      today: '2026-12-06',
    });
    assert.deepEqual(calls, [{ kind: 'function', tool: 'calendar__book_meeting', arguments: { title: 'Roadmap', date: '2026-12-09', start_time: '14:30' } }]);
  });

  void it('server-memory writes: one entity built from the sentence, never an empty list', () => {
    const [created] = planCalls({ text: 'Remember that Ada Lovelace wrote the first program', tools: memoryTools });
    assert.deepEqual(created, {
      kind: 'function',
      tool: 'memory__create_entities',
      arguments: { entities: [{ name: 'Ada Lovelace', entityType: 'entity', observations: ['wrote the first program'] }] },
    });
    const related = fillArguments({
      clause: 'Ada Lovelace worked with Charles Babbage',
      text: 'Ada Lovelace worked with Charles Babbage',
      schema: memoryTools[1]!.inputSchema,
      today: '2026-12-06',
    });
    assert.deepEqual(related, { relations: [{ from: 'Ada Lovelace', to: 'Charles Babbage', relationType: 'worked_with' }] });
    const opened = fillArguments({
      clause: 'open the nodes of Ada Lovelace and Charles Babbage',
      text: 'open the nodes of Ada Lovelace and Charles Babbage',
      schema: memoryTools[2]!.inputSchema,
      today: '2026-12-06',
    });
    assert.deepEqual(opened, { names: ['Ada Lovelace', 'Charles Babbage'] });
  });

  void it('arrays: attendee e-mails found in the sentence; enums named in it', () => {
    const schema = {
      type: 'object',
      properties: {
        attendees: { type: 'array', items: { type: 'string', format: 'email' } },
        priority: { type: 'string', enum: ['low', 'normal', 'high'] },
      },
      required: ['attendees', 'priority'],
    };
    const text = 'Invite ana@example.com and bo@example.org, high priority';
    assert.deepEqual(fillArguments({ clause: text, text, schema, today: '2026-12-06' }), {
      attendees: ['ana@example.com', 'bo@example.org'],
      priority: 'high',
    });
    assert.deepEqual(fillArguments({ clause: 'invite someone', text: 'invite someone', schema, today: '2026-12-06' }), {
      attendees: ['someone@example.com'],
      priority: 'low',
    });
  });

  void it('reads times, weekdays and month names; numbers skip dates, times and addresses', () => {
    assert.equal(timeFromText('at 3pm'), '15:00');
    assert.equal(timeFromText('at 12am'), '00:00');
    assert.equal(timeFromText('from 9:05 a.m.'), '09:05');
    assert.equal(timeFromText('15:00 sharp'), '15:00');
    assert.equal(timeFromText('at 17'), '17:00');
    assert.equal(timeFromText('at noon'), '12:00');
    assert.equal(timeFromText('for 3 days'), undefined);
    // 2026-12-06 is a Sunday: "Friday" is the 11th, "Sunday" a week later.
    assert.equal(dateFromText('on Friday', '2026-12-06'), '2026-12-11');
    assert.equal(dateFromText('next Sunday', '2026-12-06'), '2026-12-13');
    assert.equal(dateFromText('on December 8', '2026-12-06'), '2026-12-08');
    assert.equal(dateFromText('on 3 March', '2026-12-06'), '2027-03-03');
    assert.equal(dateFromText('in 2 days', '2026-12-06'), '2026-12-08');
    const schema = { type: 'object', properties: { days: { type: 'integer', minimum: 1, maximum: 7 } }, required: ['days'] };
    const text = 'forecast on 2026-12-08 at 10:00 for ana@example.com, 4 days';
    assert.deepEqual(fillArguments({ clause: text, text, schema, today: '2026-12-06' }), { days: 4 });
  });
});
