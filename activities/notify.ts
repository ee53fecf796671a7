/**
 * notifyWaiting: a run started to wait for a person, and the worker's webhooks hear of it. The
 * workflow schedules this once per wait (never again on replay: the activity is in history), so
 * receivers get one notification per wait; a retry after a cut call may deliver it twice, and the
 * idempotency key (workflow id, run id, request id) lets a receiver drop the second. Each POST is
 * signed: X-Mcpflow-Signature = sha256=HMAC-SHA256(secret, `${X-Mcpflow-Timestamp}.${body}`).
 * Failures go through the error table (activities/errors.ts): a receiver that is down is retried
 * with backoff, a 4xx is not.
 */
import { createHmac } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Notifications, Webhook } from '../src/config/notifications';
import { INBOX_URL_ENV, WEBHOOK_SECRET_ENV } from '../src/config/notifications';
import { checkUrl } from '../src/core/destinations';
import { classify, retryAfterFromHeaders } from '../src/core/errors';
import { DEFAULT_RETRY_SETTINGS, type RetrySettings } from '../src/core/retry';
import type { WaitNotice, WaitNoticeResult } from '../src/core/wait-notice';
import { failureFromClassification, nonRetryableFailure, toApplicationFailure } from './errors';
import { redactText, resolveSecret, type Env } from './secrets';

/** One POST's bound, under the activity's start-to-close timeout (workflows/query/notify.ts). */
const POST_TIMEOUT_MS = 10_000;

export interface NotifyDeps {
  notifications?: Notifications | undefined;
  env: Env;
}

export interface WaitingRun {
  workflow_id: string;
  run_id: string;
  workflow_type: string;
}

/** The `json` payload: what receivers get, apart from the headers. */
export function noticePayload(notice: WaitNotice, run: WaitingRun, inboxUrl: string | undefined) {
  return {
    type: 'mcpflow.waiting' as const,
    kind: notice.kind,
    idempotency_key: idempotencyKey(notice, run),
    workflow_id: run.workflow_id,
    run_id: run.run_id,
    workflow_type: run.workflow_type,
    request_id: notice.request_id,
    server: notice.server,
    tool: notice.tool,
    requested_at: notice.requested_at,
    ...(notice.arguments_preview !== undefined ? { arguments_preview: notice.arguments_preview } : {}),
    ...(notice.message !== undefined ? { message: notice.message } : {}),
    ...(notice.call_hash ? { call_hash: notice.call_hash } : {}),
    ...(notice.schema_problems?.length ? { schema_problems: notice.schema_problems } : {}),
    ...(notice.approvers?.length ? { approvers: notice.approvers } : {}),
    inbox_url: inboxLink(inboxUrl, run.workflow_id, notice),
  };
}

export function idempotencyKey(notice: Pick<WaitNotice, 'request_id'>, run: Pick<WaitingRun, 'workflow_id' | 'run_id'>): string {
  return `${run.workflow_id}/${run.run_id}/${notice.request_id}`;
}

/** `<inbox_url>/#/run/<workflow id>/approval/<id>` (questions: `/input/<id>`), each part URL-encoded. */
export function inboxLink(inboxUrl: string | undefined, workflowId: string, notice: Pick<WaitNotice, 'kind' | 'request_id'>): string | null {
  if (!inboxUrl) return null;
  return `${inboxUrl.replace(/\/+$/, '')}/#/run/${encodeURIComponent(workflowId)}/${notice.kind}/${encodeURIComponent(notice.request_id)}`;
}

/** The Slack incoming-webhook form: text for notifications, blocks for the channel. */
export function slackPayload(payload: ReturnType<typeof noticePayload>) {
  const what =
    payload.kind === 'approval'
      ? `${payload.server} · ${payload.tool} waits for approval`
      : `${payload.server} · ${payload.tool} asks: ${payload.message ?? ''}`;
  const lines = [
    `*${escapeSlack(what)}*`,
    `run \`${escapeSlack(payload.workflow_id)}\`, request \`${escapeSlack(payload.request_id)}\``,
    ...(payload.arguments_preview ? [`arguments: \`${escapeSlack(payload.arguments_preview)}\``] : []),
    ...(payload.schema_problems ? [`:warning: arguments do not match the tool's schema: ${escapeSlack(payload.schema_problems.join('; '))}`] : []),
    ...(payload.inbox_url ? [`<${payload.inbox_url}|Open in the mcpflow inbox>`] : []),
  ];
  return {
    text: `mcpflow: ${what}${payload.inbox_url ? ` — ${payload.inbox_url}` : ''}`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }],
  };
}

function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `sha256=<hex>` over `${timestamp}.${body}`: what a receiver recomputes with the shared secret. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function createNotifyActivities(deps: NotifyDeps) {
  async function notifyWaiting(notice: WaitNotice): Promise<WaitNoticeResult> {
    const hooks = (deps.notifications?.webhooks ?? []).filter((hook) => !hook.kinds || hook.kinds.includes(notice.kind));
    if (!hooks.length) return { delivered: 0 };
    const context = Context.current();
    const { workflowExecution, workflowType } = context.info;
    const run: WaitingRun = { workflow_id: workflowExecution?.workflowId ?? '', run_id: workflowExecution?.runId ?? '', workflow_type: workflowType ?? '' };
    const payload = noticePayload(notice, run, deps.env[INBOX_URL_ENV] || deps.notifications?.inbox_url);
    const secrets: string[] = [];
    for (const hook of hooks) await post(hook, payload, context, secrets, notice.retry ?? DEFAULT_RETRY_SETTINGS);
    return { delivered: hooks.length };
  }

  async function post(hook: Webhook, payload: ReturnType<typeof noticePayload>, context: Context, secrets: string[], retry: RetrySettings): Promise<void> {
    const attempt = context.info.attempt;
    const url = webhookUrl(hook, deps.env, attempt);
    if (typeof hook.url !== 'string') secrets.push(url);
    const secret = hook.secret ? resolveSecret(hook.secret, deps.env, 'notifications.webhooks[].secret') : deps.env[WEBHOOK_SECRET_ENV] || undefined;
    if (secret) secrets.push(secret);
    const outgoing = hook.format === 'slack' ? slackPayload(payload) : payload;
    // Secrets the worker knows, and key-shaped text, never leave in a notification (arguments may echo one).
    const body = redactText(JSON.stringify(outgoing), secrets);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'mcpflow-notify',
      'idempotency-key': payload.idempotency_key,
      'x-mcpflow-event': `waiting.${payload.kind}`,
      'x-mcpflow-timestamp': timestamp,
      ...(secret ? { 'x-mcpflow-signature': signature(secret, timestamp, body) } : {}),
    };
    const where = describeHook(url);
    const failureContext = { attempt, settings: retry, doing: `notifying ${where}`, secrets };
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'error',
        signal: AbortSignal.any([AbortSignal.timeout(POST_TIMEOUT_MS), context.cancellationSignal]),
      });
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      throw toApplicationFailure(error, failureContext);
    }
    if (response.ok) return;
    const classification = classify({
      source: 'http',
      status: response.status,
      retryAfterMs: retryAfterFromHeaders((name) => response.headers.get(name), Date.now()),
    });
    throw failureFromClassification(classification, `notifying ${where} failed: HTTP ${response.status}`, failureContext);
  }

  return { notifyWaiting };
}

/** The webhook's URL; one given by reference is checked here, where its value is known. */
function webhookUrl(hook: Webhook, env: Env, attempt: number): string {
  if (typeof hook.url === 'string') return hook.url;
  const url = resolveSecret(hook.url, env, 'notifications.webhooks[].url');
  const refusal = URL.canParse(url) ? checkUrl(url, true) : { message: 'not a URL' };
  if (refusal) throw nonRetryableFailure('invalid_arguments', `notifications.webhooks[].url (${hook.url.env}): ${refusal.message}`, attempt);
  return url;
}

/** The webhook's origin only: a Slack webhook's path is its secret. */
function describeHook(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'a webhook';
  }
}
