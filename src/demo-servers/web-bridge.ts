/**
 * node:http <-> fetch: the SDK's HTTP entry points are web-standard (`Request` in, `Response` out).
 * `@modelcontextprotocol/node` has `toNodeHandler`, but it brings Hono along and reads the body
 * itself, while the demo endpoint must read the body first (size limit, fault injection); what is
 * left to bridge is these few lines.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The web `Request` for a node request whose body was already read; `signal` aborts it when the client goes away. */
export function toWebRequest(req: IncomingMessage, body: string | undefined, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  return new Request(url, { method: req.method, headers, body, signal });
}

/** Writes a web `Response` (a JSON body or an SSE stream) to the node response, honouring back-pressure. */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  // A client that hangs up mid-stream: stop reading, which lets the SDK close the exchange.
  const stop = (): void => void reader.cancel().catch(() => undefined);
  res.once('close', stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      if (!res.write(value)) await drained(res);
    }
  } catch {
    // The stream was cancelled (client gone) or failed mid-way; there is nobody left to tell.
  } finally {
    res.off('close', stop);
    res.end();
  }
}

/** Resolves when the response can take more data, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.once('drain', done).once('close', done);
  });
}
