/**
 * The loopback redirect listener of a sign-in (RFC 8252 §7.3): the browser comes back to
 * http://127.0.0.1:<port>/callback with the code. Only an answer carrying the sign-in's `state`
 * counts; anything else is told so and waited past (a stray or forged request cannot end it).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignInError } from './errors';

export interface CallbackAnswer {
  code?: string;
  iss?: string;
  error?: string;
  errorDescription?: string;
}

export interface CallbackListener {
  redirectUrl: string;
  /** The answer whose `state` matches, or a timeout error. */
  answer(state: string, timeoutMs: number): Promise<CallbackAnswer>;
  close(): Promise<void>;
}

const PATH = '/callback';

function page(response: ServerResponse, status: number, text: string): void {
  const escaped = text.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  response.end(`<!doctype html><meta charset="utf-8"><title>mcpflow</title><p>${escaped}</p>`);
}

export async function startCallbackListener(port: number): Promise<CallbackListener> {
  let expected: { state: string; resolve: (answer: CallbackAnswer) => void } | undefined;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method !== 'GET' || url.pathname !== PATH) return page(response, 404, 'Not found.');
    const param = (name: string) => url.searchParams.get(name) ?? undefined;
    if (!expected || param('state') !== expected.state)
      return page(response, 400, 'This answer does not belong to the sign-in mcpflow is waiting for (its state does not match).');
    const answer: CallbackAnswer = {};
    for (const [key, name] of [
      ['code', 'code'],
      ['iss', 'iss'],
      ['error', 'error'],
      ['errorDescription', 'error_description'],
    ] as const) {
      const value = param(name);
      if (value !== undefined) answer[key] = value;
    }
    page(
      response,
      200,
      answer.error
        ? `mcpflow: the sign-in failed (${answer.error}). You can close this tab.`
        : 'mcpflow: signed in. You can close this tab and go back to the terminal.',
    );
    const { resolve } = expected;
    expected = undefined;
    resolve(answer);
  });
  // Loopback only: nothing on the network can deliver (or steal) the code.
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new SignInError(`port ${port} of 127.0.0.1 is in use: give another with --port, or leave --port out for any free port`)
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    redirectUrl: `http://127.0.0.1:${bound}${PATH}`,
    answer: (state, timeoutMs) =>
      new Promise<CallbackAnswer>((resolve, reject) => {
        const timer = setTimeout(() => {
          expected = undefined;
          reject(new SignInError(`no answer from the browser within ${Math.round(timeoutMs / 1000)} s: run the command again (--timeout gives more time)`));
        }, timeoutMs);
        expected = {
          state,
          resolve: (answer) => {
            clearTimeout(timer);
            resolve(answer);
          },
        };
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
