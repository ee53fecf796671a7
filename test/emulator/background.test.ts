/**
 * The emulator's background mode (`background: true`): stored from the first event, retrievable
 * while in progress, run to its end after a streaming client went away; refused without `store`;
 * a follow-up cannot name a response still in progress. The calendar demo server's latency keeps
 * the approved call running while the test looks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDemoServer, type DemoServerHandle } from '../../src/demo-servers';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { postJson } from './helpers';

const SCRIPT = JSON.stringify({
  calls: [{ server: 'calendar', tool: 'create_event', arguments: { title: 'Background', date: 'today', start_time: '10:00' } }],
  answer: 'Booked.',
});

describe('emulator: background mode', () => {
  let emulator: EmulatorHandle;
  let calendar: DemoServerHandle;
  before(async () => {
    [emulator, calendar] = await Promise.all([startEmulator(), startDemoServer('calendar')]);
  });
  after(async () => {
    await Promise.all([emulator?.close(), calendar?.close()]);
  });

  const tools = () => [{ type: 'mcp', server_label: 'calendar', server_url: calendar.url, require_approval: 'always' }];
  const get = async (id: string) => {
    const response = await fetch(`${emulator.url}/responses/${id}`, { headers: { authorization: 'Bearer test' } });
    return {
      status: response.status,
      body: (await response.json()) as { status: string; background: boolean; output: Array<{ type: string; output?: string | null }> },
    };
  };

  /** A stored conversation stopped at the approval request of create_event. */
  async function approvalRequest() {
    const first = await postJson(
      `${emulator.url}/responses`,
      JSON.stringify({ model: 'gpt-4o-mini', input: 'Book it', tools: tools(), metadata: { mcpflow_script: SCRIPT } }),
    );
    const body = first.body as { id: string; output: Array<{ type: string; id: string }> };
    const request = body.output.find((item) => item.type === 'mcp_approval_request');
    assert.ok(request, JSON.stringify(body));
    return { previous: body.id, approval: request.id };
  }

  it('a streamed background turn goes on after its client leaves; GET shows it in progress, then completed; the tool ran once', async () => {
    calendar.reset();
    const { previous, approval } = await approvalRequest();
    calendar.setFaults({ latencyMs: 1_000 });
    const controller = new AbortController();
    const response = await fetch(`${emulator.url}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        previous_response_id: previous,
        stream: true,
        background: true,
        tools: tools(),
        input: [{ type: 'mcp_approval_response', approval_request_id: approval, approve: true }],
      }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('response.mcp_call.in_progress')) text += new TextDecoder().decode((await reader.read()).value);
    const id = /"id":"(resp_[^"]+)"/.exec(text)?.[1];
    assert.ok(id, text);
    controller.abort();
    const during = await get(id);
    assert.equal(during.status, 200);
    assert.equal(during.body.status, 'in_progress');
    assert.equal(during.body.background, true);
    let after = during;
    for (let i = 0; i < 100 && after.body.status === 'in_progress'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await get(id);
    }
    calendar.setFaults({ latencyMs: 0 });
    assert.equal(after.body.status, 'completed');
    assert.ok(
      after.body.output.some((item) => item.type === 'mcp_call' && item.output),
      JSON.stringify(after.body.output),
    );
    assert.equal(calendar.counters().executed.create_event, 1);
  });

  it('a plain background request is answered at once, queued; a follow-up naming it while it runs is refused', async () => {
    calendar.reset();
    const { previous, approval } = await approvalRequest();
    calendar.setFaults({ latencyMs: 1_000 });
    const started = await postJson(
      `${emulator.url}/responses`,
      JSON.stringify({
        model: 'gpt-4o-mini',
        previous_response_id: previous,
        background: true,
        tools: tools(),
        input: [{ type: 'mcp_approval_response', approval_request_id: approval, approve: true }],
      }),
    );
    const body = started.body as { id: string; status: string };
    assert.equal(started.status, 200);
    assert.equal(body.status, 'queued');
    const followUp = await postJson(`${emulator.url}/responses`, JSON.stringify({ model: 'gpt-4o-mini', previous_response_id: body.id, input: 'and then?' }));
    assert.equal(followUp.status, 400);
    assert.match(JSON.stringify(followUp.body), /still in progress/);
    calendar.setFaults({ latencyMs: 0 });
  });

  it('background without store is refused', async () => {
    const refused = await postJson(`${emulator.url}/responses`, JSON.stringify({ model: 'gpt-4o-mini', input: 'hi', background: true, store: false }));
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body), /store/);
  });
});
