/**
 * `mcpflow inbox` in a real browser: headless Chromium (Debian's package, ./chromium.ts) signs in
 * with a named token and decides what a batch, a session and a direct-mode query wait for, on the
 * real dev server, worker, emulator and demo MCP servers:
 * - the link `#/run/<workflowId>/approval/<id>` opens and focuses that item; the keyboard reaches
 *   its Approve button (focus order: run link, reason, Approve) and approves it;
 * - a batch line is denied with a reason; the other lines of that batch are approved in bulk,
 *   through the server filter and "Approve all shown";
 * - the calendar's `book_meeting` question (MCP 2026-07-28) is answered through the form generated
 *   from its schema (real labels: the checkbox is ticked by clicking its label);
 * and each run completes with those decisions. Screenshots: test/.tmp/browser/inbox-*.png.
 *
 * The inbox runs in token mode, as `resolveInboxAccess` sets it up for a non-loopback address
 * (0.0.0.0 here), but listens on 127.0.0.1: tests stay on loopback (the machine is shared), and
 * the mode, not the socket, decides what is refused. Without the token every request is refused.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import { createActivities } from '../../activities';
import { McpflowClient } from '../../src/client/client';
import type { CallRecord, QueryResult } from '../../src/core/records';
import { startDemoServer, startDemoServers, type DemoServerHandle, type DemoServersHandle } from '../../src/demo-servers';
import { SCRIPT_METADATA_KEY, startEmulator, type EmulatorHandle } from '../../src/emulator';
import { resolveInboxAccess, tokenDigestHex } from '../../src/inbox/auth';
import { startInbox, type InboxHandle } from '../../src/inbox/server';
import { lineWorkflowId } from '../../workflows/batch/messages';
import { getTestEnv, REPO_ROOT, startFileWorker, teardownTestEnv, uniqueTaskQueue, uniqueWorkflowId, type TestEnv } from '../helpers/temporal';
import { ensureChromium } from './chromium';
import { acceptedUpdateArguments, eventually, expectRefusedWithoutToken, type Credentials } from './inbox-helpers';

const ARTIFACTS = path.join(REPO_ROOT, 'test', '.tmp', 'browser');
const TOKEN = randomBytes(24).toString('base64url');
const UI_BASE = 'http://127.0.0.1:8233';
const suffix = randomUUID().slice(0, 8);
const LABELS = { batch: `inbox_batch_${suffix}`, session: `inbox_session_${suffix}`, ask: `inbox_ask_${suffix}` };

let env: TestEnv;
let emulator: EmulatorHandle;
let demo: DemoServersHandle;
let calendar2026: DemoServerHandle;
let worker: { stop(): Promise<void> } | undefined;
let client: McpflowClient;
let inbox: InboxHandle | undefined;
let browser: Browser | undefined;
let chromium: { path: string } | { missing: string };
/** The call records of the runs the browser decided, for the approver assertion. */
const decided: CallRecord[] = [];

/** The page's globals as far as the callbacks below read them (the project compiles without the DOM library). */
// Casts only: these callbacks run in the page (serialized), so they may call nothing of this file.
interface PageNode {
  readonly id: string;
  readonly className: string;
  readonly textContent: string | null;
  readonly innerText: string;
  readonly href: string;
  readonly type: string;
  readonly htmlFor: string;
  readonly classList: { contains(name: string): boolean };
  readonly labels: ArrayLike<{ click(): void }> | null;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): Iterable<PageNode>;
}
declare const document: { getElementById(id: string): PageNode | null; readonly activeElement: PageNode | null };

const script = (calls: unknown[]) => ({ [SCRIPT_METADATA_KEY]: JSON.stringify({ calls }) });
const event = (title: string) => ({ title, date: 'today', start_time: '09:00' });

before(async () => {
  chromium = ensureChromium((line) => console.log(`browser: ${line}`));
  [env, emulator, demo, calendar2026] = await Promise.all([
    getTestEnv(),
    startEmulator(),
    startDemoServers(),
    startDemoServer('calendar', { protocol: '2026-07-28' }),
  ]);
  const taskQueue = uniqueTaskQueue('inbox');
  worker = await startFileWorker({ taskQueue, activities: createActivities({ openaiBaseURL: emulator.url, env: {}, temporalClient: env.client }) });
  client = new McpflowClient(env.client, env.connection, { address: env.address, namespace: env.namespace }, taskQueue);
  // What `mcpflow inbox --host 0.0.0.0` with one named token sets up; bound to loopback for the test.
  assert.throws(() => resolveInboxAccess('0.0.0.0', new Map()), /needs named tokens/);
  const access = resolveInboxAccess('0.0.0.0', new Map([['alice', Buffer.from(tokenDigestHex(TOKEN), 'hex')]]));
  assert.equal(access.kind, 'tokens');
  inbox = await startInbox({
    client,
    access,
    host: '127.0.0.1',
    port: 0,
    uiUrl: (id) => `${UI_BASE}/namespaces/${env.namespace}/workflows/${encodeURIComponent(id)}`,
  });
});

after(async () => {
  await browser?.close();
  await inbox?.close();
  await worker?.stop();
  await Promise.all([emulator?.close(), demo?.close(), calendar2026?.close()]);
  await teardownTestEnv();
});

async function pendingApprovalId(workflowId: string): Promise<string> {
  return eventually(`an approval request of ${workflowId}`, async () => (await client.progress(workflowId).catch(() => undefined))?.pending_approvals[0]?.id);
}

async function item(page: Page, kind: 'approval' | 'input', workflowId: string): Promise<ElementHandle> {
  const selector = `li.item[data-kind="${kind}"][data-workflow-id="${workflowId}"]`;
  const found = await page.waitForSelector(selector, { timeout: 20_000 });
  return found!;
}

async function waitForStatus(page: Page, text: string): Promise<void> {
  await page.waitForFunction((wanted) => document.getElementById('status')!.textContent!.includes(wanted), { timeout: 20_000 }, text);
}

/** The control a <label> names, found through the label's `for`: the form is usable only if the labels are real. */
async function controlLabelled(scope: ElementHandle, text: string): Promise<ElementHandle> {
  const handle = await scope.evaluateHandle((root, wanted) => {
    const label = [...(root as unknown as PageNode).querySelectorAll('label')].find((each) => each.textContent!.trim() === wanted);
    return label ? document.getElementById(label.htmlFor) : null;
  }, text);
  const control = handle.asElement() as ElementHandle | null;
  assert.ok(control, `a control labelled "${text}"`);
  return control;
}

describe('mcpflow inbox (headless Chromium)', () => {
  it('refuses every request without the token in token mode; Host and Origin are checked first', async () => {
    await expectRefusedWithoutToken(inbox!.url, { name: 'alice', token: TOKEN } satisfies Credentials);
  });

  it('lists a batch, a session and a question; approves, denies with a reason, approves in bulk, answers a form', async (t) => {
    if ('missing' in chromium) {
      t.skip(chromium.missing);
      return;
    }
    const calendar = demo.servers.calendar.url;
    // A batch of three bookings, each waiting for approval (hosted mode).
    const batchId = uniqueWorkflowId('inbox-batch');
    await client.batches.startOrAttach(batchId, {
      total: 3,
      concurrency: 3,
      servers: [{ label: LABELS.batch, url: calendar, require_approval: 'always' }],
      lines: [1, 2, 3].map((n) => ({
        n,
        key: `line-${n}`,
        query: `Book batch meeting ${n}`,
        servers: [LABELS.batch],
        metadata: script([{ server: LABELS.batch, tool: 'create_event', arguments: event(`batch ${n}`) }]),
      })),
    });
    // A session's query waiting for approval.
    const sessionId = uniqueWorkflowId('inbox-session');
    await client.sessions.startOrGet(sessionId, { servers: [{ label: LABELS.session, url: calendar, require_approval: 'always' }] });
    const sessionQuery = await client.sessions.startQuery(sessionId, {
      query: 'Book the session meeting',
      metadata: script([{ server: LABELS.session, tool: 'create_event', arguments: event('session') }]),
    });
    // A direct-mode query whose MCP 2026-07-28 server asks who attends.
    const askId = await client.startQuery({
      query: 'Book a meeting called Roadmap',
      mode: 'direct',
      servers: [{ label: LABELS.ask, url: calendar2026.url, require_approval: 'never' }],
      metadata: script([{ tool: `${LABELS.ask}__book_meeting`, arguments: { title: 'Roadmap', date: 'tomorrow', start_time: '15:00' } }]),
    });
    const lines = [1, 2, 3].map((n) => lineWorkflowId(batchId, `line-${n}`));
    const sessionApproval = await pendingApprovalId(sessionQuery.query_workflow_id);
    const sessionPending = (await client.progress(sessionQuery.query_workflow_id)).pending_approvals[0]!;
    for (const line of lines) await pendingApprovalId(line);
    await eventually('the question', async () => ((await client.progress(askId)).pending_input ?? [])[0]);

    // Without the token, a decision about a real pending call is refused and changes nothing.
    const refused = await fetch(`${inbox!.url}/api/decide`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve', items: [{ workflow_id: sessionQuery.query_workflow_id, id: sessionApproval }] }),
    });
    assert.equal(refused.status, 401);
    assert.equal((await client.progress(sessionQuery.query_workflow_id)).pending_approvals[0]?.id, sessionApproval, 'still pending');

    browser = await puppeteer.launch({ executablePath: chromium.path, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 2000 });
    await page.authenticate({ username: 'alice', password: TOKEN });
    // The item link a notification carries: the workflow id percent-encoded (a session's child id has a "/").
    await page.goto(`${inbox!.url}/#/run/${encodeURIComponent(sessionQuery.query_workflow_id)}/approval/${sessionApproval}`, { waitUntil: 'load' });
    const sessionItem = await item(page, 'approval', sessionQuery.query_workflow_id);
    for (const line of lines) await item(page, 'approval', line);
    const askItem = await item(page, 'input', askId);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'inbox-listed.png'), fullPage: true });
    assert.match(await page.$eval('#me', (each) => (each as unknown as PageNode).textContent!), /Signed in as alice/);

    // The linked item is highlighted and has the focus; its facts are shown.
    await page.waitForFunction((id) => document.activeElement?.getAttribute('data-workflow-id') === id, { timeout: 10_000 }, sessionQuery.query_workflow_id);
    const sessionText = await sessionItem.evaluate((each) => (each as unknown as PageNode).innerText);
    for (const fragment of [LABELS.session, 'create_event', '"title": "session"', 'Book the session meeting', sessionId]) {
      assert.ok(sessionText.includes(fragment), `the session's item shows ${fragment}:\n${sessionText}`);
    }
    assert.ok(await sessionItem.evaluate((each) => (each as unknown as PageNode).classList.contains('highlight')));
    const link = await sessionItem.$eval('dd a', (a) => (a as unknown as PageNode).href);
    assert.equal(link, `${UI_BASE}/namespaces/${env.namespace}/workflows/${encodeURIComponent(sessionQuery.query_workflow_id)}`);

    // Keyboard only: Tab through the run link and the reason to Approve, then Enter.
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'approve');
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'Approved 1 of 1');

    // Deny one batch line with a reason.
    const first = await item(page, 'approval', lines[0]!);
    await (await first.$('input.reason'))!.type('not on a Sunday');
    await (await first.$('button.deny'))!.click();
    await waitForStatus(page, 'Denied 1 of 1');

    // The rest of the batch in bulk: filtered by its server, then "Approve all shown", confirmed.
    await page.type('#filter-server', LABELS.batch);
    await page.type('#filter-tool', 'create_event');
    await page.waitForFunction(() => document.getElementById('shown-count')!.textContent === '2', { timeout: 20_000 });
    await page.click('#approve-shown');
    assert.match(await page.$eval('#bulk-question', (each) => (each as unknown as PageNode).textContent!), /Approve these 2 request\(s\) in 2 run\(s\)\?/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'bulk-yes');
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'Approved 2 of 2');

    // The question, through the form built from its schema (the filters cleared first: they hide it).
    for (const filter of ['#filter-server', '#filter-tool']) {
      await page.click(filter, { clickCount: 3 });
      await page.keyboard.press('Backspace');
    }
    await (await controlLabelled(askItem, 'Book it? (required)')).evaluate((box) => (box as unknown as PageNode).labels![0]!.click());
    const email = await controlLabelled(askItem, 'Attendee email (required)');
    assert.equal(await email.evaluate((input) => (input as unknown as PageNode).type), 'email');
    await email.type('dana@example.com');
    await page.screenshot({ path: path.join(ARTIFACTS, 'inbox-form.png'), fullPage: true });
    await email.press('Enter');
    await waitForStatus(page, `Answered input-1 of ${askId}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'inbox-done.png'), fullPage: true });

    // Each run completes with the decisions made in the browser.
    const sessionResult: QueryResult = await sessionQuery.result;
    assert.equal(sessionResult.success, true, sessionResult.error ?? '');
    assert.equal(sessionResult.tool_calls[0]?.status, 'completed');
    const batch = await client.batches.result(batchId);
    assert.equal(batch.status, 'completed');
    assert.equal(batch.progress.done, 3);
    const [denied, ...approved] = await Promise.all(lines.map(async (line) => (await client.history(line))[0]!));
    assert.equal(denied!.status, 'denied');
    assert.equal(denied!.error_message, 'not on a Sunday');
    for (const call of approved) assert.equal(call.status, 'completed');
    const asked = await client.waitForQuery(askId);
    assert.equal(asked.succeeded, true, asked.error ?? '');
    assert.match(asked.result!.tool_calls[0]!.output ?? '', /Booked Roadmap \(with dana@example\.com\)/);
    // Every decision went out under the signed-in name, with the reason where one was given.
    assert.deepEqual(await acceptedUpdateArguments(env.client, sessionQuery.query_workflow_id, 'approve'), [
      { approval_request_id: sessionApproval, approver: 'alice', ...(sessionPending.call_hash ? { call_hash: sessionPending.call_hash } : {}) },
    ]);
    assert.deepEqual(
      (await acceptedUpdateArguments(env.client, lines[0]!, 'deny')).map(({ approver, reason }) => ({ approver, reason })),
      [{ approver: 'alice', reason: 'not on a Sunday' }],
    );
    for (const line of lines.slice(1)) assert.equal((await acceptedUpdateArguments(env.client, line, 'approve'))[0]?.approver, 'alice');
    assert.deepEqual(await acceptedUpdateArguments(env.client, askId, 'answer'), [
      { request_id: 'input-1', action: 'accept', content: { confirm: true, attendee: 'dana@example.com' }, approver: 'alice' },
    ]);
    decided.push(sessionResult.tool_calls[0]!, denied!, ...approved);
  });

  it('every decided call record names alice as its approver, and the session call the hash she saw', () => {
    assert.equal(decided.length, 4, 'the browser test ran');
    for (const call of decided) {
      assert.equal(call.decision?.approver, 'alice', `${call.id} records its approver`);
      assert.equal(call.decision?.decided_by, 'person');
    }
    assert.ok(decided[0]!.decision?.call_hash, 'the inbox echoed the call_hash of the pending approval');
  });
});
