/** An HTTP server for one request handler, listening on a host and port (port 0: any free one), loopback by default. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListeningServer {
  url: string;
  server: Server;
  /** Stops listening and drops open connections (keep-alive, a browser's polling). */
  close(): Promise<void>;
}

export async function listen(
  handler: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
  options: { host?: string; port?: number },
): Promise<ListeningServer> {
  const server = createServer((request, response) => void handler(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
