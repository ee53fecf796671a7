/** Pure parts of issue 27's approvals: the call hash recipe, the approvers policy, the notification's payloads and signature, the config. */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { idempotencyKey, inboxLink, noticePayload, signature, slackPayload } from '../../activities/notify';
import { NotificationsSchema } from '../../src/config/notifications';
import { parseServerSpec } from '../../src/config/server-spec';
import { McpflowConfigSchema } from '../../src/config/schema';
import { approverProblem, approversFor } from '../../src/core/approvers';
import { callHash, sha256Hex, utf8 } from '../../src/core/call-hash';
import { canonicalJson } from '../../src/core/tools';

describe('call hash', () => {
  it('is SHA-256 as node:crypto computes it, for any text (multi-block, non-ASCII, astral, lone surrogates)', () => {
    for (const text of ['', 'abc', 'x'.repeat(55), 'x'.repeat(56), 'y'.repeat(1_000), 'Zürich · 東京 · 🎉', 'broken \ud800 surrogate']) {
      assert.equal(sha256Hex(utf8(text)), createHash('sha256').update(text, 'utf8').digest('hex'), JSON.stringify(text));
    }
  });

  it('follows the README recipe and changes with server, tool, arguments or definition, not with key order', () => {
    const call = { server: 'calendar', tool: 'list_events', arguments: { date: '2026-12-06', limit: 3 }, definition_hash: 'abcd' };
    const expected = createHash('sha256')
      .update(canonicalJson({ v: 1, server: 'calendar', tool: 'list_events', arguments: { date: '2026-12-06', limit: 3 }, definition_hash: 'abcd' }))
      .digest('hex');
    assert.equal(callHash(call), expected);
    assert.equal(callHash({ ...call, arguments: { limit: 3, date: '2026-12-06' } }), expected);
    for (const changed of [{ server: 'other' }, { tool: 'create_event' }, { arguments: { date: '2026-12-07', limit: 3 } }, { definition_hash: null }]) {
      assert.notEqual(callHash({ ...call, ...changed }), expected, JSON.stringify(changed));
    }
  });
});

describe('approvers policy', () => {
  it('a list covers every tool; an object names tools, "*" the rest; absent lets anyone decide', () => {
    assert.deepEqual(approversFor({ approvers: ['alice'] }, 'any'), ['alice']);
    assert.deepEqual(approversFor({ approvers: { drop: ['dba'], '*': ['lead'] } }, 'drop'), ['dba']);
    assert.deepEqual(approversFor({ approvers: { drop: ['dba'], '*': ['lead'] } }, 'select'), ['lead']);
    assert.equal(approversFor({ approvers: { drop: ['dba'] } }, 'select'), undefined);
    assert.equal(approversFor({}, 'select'), undefined);
    assert.equal(approverProblem({ label: 'db', approvers: ['alice'] }, 'drop', 'alice'), undefined);
    assert.match(
      approverProblem({ label: 'db', approvers: ['alice'] }, 'drop', 'bob') ?? '',
      /db · drop may be decided only by alice .*"bob" is not one of them/,
    );
    assert.match(approverProblem({ label: 'db', approvers: ['alice'] }, 'drop', undefined) ?? '', /names no approver/);
  });

  it('is read from --server specs and config files, and refuses an empty list', () => {
    assert.deepEqual(parseServerSpec('db=http://127.0.0.1:8803/mcp,approvers=alice|bob').approvers, ['alice', 'bob']);
    assert.deepEqual(parseServerSpec('db,approvers=alice').approvers, ['alice']);
    const config = McpflowConfigSchema.safeParse({ servers: [{ label: 'db', url: 'http://127.0.0.1:8803/mcp', approvers: [] }] });
    assert.equal(config.success, false);
    assert.match(JSON.stringify(config.error?.issues), /name at least one approver/);
  });
});

describe('notifications', () => {
  const notice = {
    kind: 'approval' as const,
    request_id: 'mcpr_1',
    server: 'calendar',
    tool: 'create_event',
    requested_at: '2026-12-06T10:00:00.000Z',
    arguments_preview: '{"title":"<b>x</b>"}',
    call_hash: 'f'.repeat(64),
  };
  const run = { workflow_id: 'batch-1/line-2', run_id: 'r1', workflow_type: 'runQuery' };

  it('payload: idempotency key, inbox link with encoded ids, no link without an inbox', () => {
    const payload = noticePayload(notice, run, 'http://127.0.0.1:8300/');
    assert.equal(payload.idempotency_key, 'batch-1/line-2/r1/mcpr_1');
    assert.equal(idempotencyKey(notice, run), payload.idempotency_key);
    assert.equal(payload.inbox_url, 'http://127.0.0.1:8300/#/run/batch-1%2Fline-2/approval/mcpr_1');
    assert.equal(inboxLink(undefined, run.workflow_id, notice), null);
    assert.equal(inboxLink('https://inbox.example', 'q', { kind: 'input', request_id: 'input-1' }), 'https://inbox.example/#/run/q/input/input-1');
  });

  it('slack form: text and a mrkdwn block, escaped', () => {
    const slack = slackPayload(noticePayload(notice, run, 'http://127.0.0.1:8300'));
    assert.match(slack.text, /^mcpflow: calendar · create_event waits for approval — http:\/\/127\.0\.0\.1:8300\/#\/run\//);
    assert.match(slack.blocks[0]!.text.text, /&lt;b&gt;x&lt;\/b&gt;/);
  });

  it('signature: sha256= HMAC over timestamp.body', () => {
    assert.equal(signature('s3cret', '1700000000', '{"a":1}'), `sha256=${createHmac('sha256', 's3cret').update('1700000000.{"a":1}').digest('hex')}`);
  });

  it('config: URLs only from the config (http/https, no metadata address), secrets by reference', () => {
    assert.equal(NotificationsSchema.safeParse({ webhooks: [{ url: 'http://169.254.169.254/hook' }] }).success, false);
    assert.equal(NotificationsSchema.safeParse({ webhooks: [{ url: 'file:///etc/passwd' }] }).success, false);
    assert.equal(NotificationsSchema.safeParse({ webhooks: [{ url: 'https://hooks.example/x', secret: 'plain' }] }).success, false);
    const parsed = NotificationsSchema.parse({ webhooks: [{ url: { env: 'SLACK_URL' }, format: 'slack' }, { url: 'http://127.0.0.1:9000/h' }] });
    assert.equal(parsed.webhooks[1]!.format, 'json');
  });
});
