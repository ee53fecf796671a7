/** Starts the three demo servers together, as `mcpflow demo-servers` and `mcpflow dev` do. */
import { DEMO_SERVER_KINDS, type DemoServerKind, type FaultSettings } from './schemas';
import type { DemoProtocol } from './protocol';
import { startDemoServer, type DemoServerHandle } from './server';

export interface StartDemoServersOptions {
  host?: string;
  /** weather = basePort, calendar = basePort + 1, database = basePort + 2; omitted = free ports. */
  basePort?: number;
  /** Per-server ports; win over basePort. */
  ports?: Partial<Record<DemoServerKind, number>>;
  faults?: Partial<Record<DemoServerKind, FaultSettings>>;
  enableJsonResponse?: boolean;
  /** The MCP revision every server speaks (default 2025-11-25). */
  protocol?: DemoProtocol;
}

export interface DemoServersHandle {
  servers: Record<DemoServerKind, DemoServerHandle>;
  close(): Promise<void>;
}

export async function startDemoServers(opts: StartDemoServersOptions = {}): Promise<DemoServersHandle> {
  const portOf = (kind: DemoServerKind, index: number): number =>
    opts.ports?.[kind] ?? (opts.basePort !== undefined && opts.basePort !== 0 ? opts.basePort + index : 0);
  const results = await Promise.allSettled(
    DEMO_SERVER_KINDS.map((kind, index) =>
      startDemoServer(kind, {
        host: opts.host,
        port: portOf(kind, index),
        faults: opts.faults?.[kind],
        enableJsonResponse: opts.enableJsonResponse,
        protocol: opts.protocol,
      }),
    ),
  );
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    // All or nothing: a half-started set would leave ports bound behind a thrown error.
    await Promise.all(started.map((s) => s.close()));
    throw failure.reason;
  }
  const servers = Object.fromEntries(started.map((s) => [s.kind, s])) as Record<DemoServerKind, DemoServerHandle>;
  return { servers, close: async () => void (await Promise.all(started.map((s) => s.close()))) };
}
