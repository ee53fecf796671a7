/** Loopback ports: a free one for tests, and whether one is free before the dev server binds it. */
import net from 'node:net';
import { DEFAULT_DEV_SERVER_IP } from './args';
import { McpflowError } from '../core/mcpflow-error';

/** Asks the OS for a free TCP port on `host` (listening on port 0). */
export function findFreePort(host = DEFAULT_DEV_SERVER_IP): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error(`could not read the port of a listener on ${host}`));
      });
    });
  });
}

/**
 * `count` distinct free ports on `host`, none of them in `taken`: all are held open together, so
 * the OS cannot hand out one twice.
 */
export async function findFreePortsBesides(count: number, taken: readonly number[], host = DEFAULT_DEV_SERVER_IP): Promise<number[]> {
  const held: net.Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      const server = net.createServer();
      held.push(server);
      const port = await new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port: 0 }, () => resolve((server.address() as net.AddressInfo).port));
      });
      if (!taken.includes(port)) ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(held.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

/** Resolves true when `host:port` can be bound right now. */
export function isPortFree(port: number, host = DEFAULT_DEV_SERVER_IP): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function assertPortFree(port: number, host: string, what: 'gRPC' | 'Web UI'): Promise<void> {
  if (!(await isPortFree(port, host))) throw new PortInUseError(port, host, what);
}

/** A port the dev server needs is taken; the message says what to do. */
export class PortInUseError extends McpflowError {
  constructor(
    readonly port: number,
    readonly host: string,
    readonly what: 'gRPC' | 'Web UI',
  ) {
    super(
      what === 'gRPC'
        ? `port ${port} is already in use: another Temporal server is running? stop it or pass --port`
        : `Web UI port ${port} is already in use: stop the program using it or pass --ui-port`,
    );
  }
}
