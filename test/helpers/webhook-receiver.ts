/** A webhook receiver on 127.0.0.1 for the notification tests: keeps every POST, can be down. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedNotification {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: Record<string, unknown>;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedNotification[];
  /** Answer the next `count` POSTs with this status instead of 200. */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

/** Starts listening on `port` (0: any free one). */
export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const received: ReceivedNotification[] = [];
  let failures: { count: number; status: number } = { count: 0, status: 200 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (failures.count > 0) {
        failures.count--;
        response.writeHead(failures.status).end();
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: request.headers, body, json: JSON.parse(body) as Record<string, unknown> });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/hook`,
    port: actual,
    received,
    failNext: (count, status) => (failures = { count, status }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What a receiver does: recompute the HMAC over `${timestamp}.${body}` and compare in constant time. */
export function signatureValid(notification: ReceivedNotification, secret: string): boolean {
  const timestamp = String(notification.headers['x-mcpflow-timestamp'] ?? '');
  const given = Buffer.from(String(notification.headers['x-mcpflow-signature'] ?? ''));
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${notification.body}`).digest('hex')}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
