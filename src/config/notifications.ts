/**
 * `notifications` of the config file: where a worker announces that a run waits for a person
 * (activities/notify.ts). Only the worker's config names webhook URLs: a workflow input never
 * does, so a started workflow cannot make the worker POST anywhere. The HMAC secret is a
 * reference to the worker's environment, never a value.
 */
import { z } from 'zod';
import { checkUrl } from '../core/destinations';
import { SecretRefSchema } from '../core/servers';

export const WEBHOOK_SECRET_ENV = 'MCPFLOW_WEBHOOK_SECRET';
export const INBOX_URL_ENV = 'MCPFLOW_INBOX_URL';

const httpUrl = (example: string) =>
  z.url({ protocol: /^https?$/, error: `must be an http(s) URL, for example ${example}` }).superRefine((url, context) => {
    // The rules no setting relaxes (metadata, link-local, unspecified addresses); the operator chose the rest.
    const refusal = checkUrl(url, true);
    if (refusal) context.addIssue({ code: 'custom', message: refusal.message });
  });

export const WebhookSchema = z.strictObject({
  /** The receiver; `{ "env": "NAME" }` when the URL is itself a secret (a Slack webhook's is). */
  url: z.union([SecretRefSchema, httpUrl('https://hooks.slack.com/services/… or http://127.0.0.1:9000/mcpflow')]),
  /** `json`: mcpflow's own payload; `slack`: a Slack incoming webhook's `{ text, blocks }`. */
  format: z.enum(['json', 'slack']).default('json'),
  /** The HMAC-SHA256 key for X-Mcpflow-Signature, by reference; default MCPFLOW_WEBHOOK_SECRET when set (unsigned otherwise). */
  secret: SecretRefSchema.optional(),
  /** Which waits to announce; default both. */
  kinds: z
    .array(z.enum(['approval', 'input']))
    .min(1)
    .optional(),
});
export type Webhook = z.infer<typeof WebhookSchema>;

export const NotificationsSchema = z.strictObject({
  webhooks: z.array(WebhookSchema).max(20).default([]),
  /** The inbox's base URL (`mcpflow inbox`); each notification links to `<inbox_url>/#/run/<workflow id>/approval/<id>`. MCPFLOW_INBOX_URL wins. */
  inbox_url: httpUrl('http://127.0.0.1:8300').optional(),
});
export type Notifications = z.infer<typeof NotificationsSchema>;
