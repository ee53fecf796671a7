/**
 * The fault state of one demo server: added latency, a countdown of failures to inject into the
 * next tools/call requests, and an outage window. Pure state, no I/O: http.ts decides how each
 * fault looks on the wire.
 */
import type { FailNext, FaultSettings, FaultStatus } from './schemas';

export interface InjectedFault {
  kind: FailNext['kind'];
  retryAfterSeconds: number;
  jsonrpcCode: number;
}

export class FaultController {
  private latencyMs = 0;
  private failNext: FailNext | null = null;
  private unavailableUntil = 0;

  /** `now` is injectable so the outage window can be tested without waiting. */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Applies a validated change; fields that are absent keep their value. */
  apply(settings: FaultSettings): FaultStatus {
    if (settings.latencyMs !== undefined) this.latencyMs = settings.latencyMs;
    if (settings.failNext !== undefined) this.failNext = settings.failNext && settings.failNext.count > 0 ? { ...settings.failNext } : null;
    if (settings.unavailableForMs !== undefined) {
      this.unavailableUntil = settings.unavailableForMs > 0 ? this.now() + settings.unavailableForMs : 0;
    }
    return this.status();
  }

  status(): FaultStatus {
    return { latencyMs: this.latencyMs, failNext: this.failNext ? { ...this.failNext } : null, unavailableForMs: this.unavailableRemainingMs() };
  }

  get latency(): number {
    return this.latencyMs;
  }

  unavailableRemainingMs(): number {
    return Math.max(0, Math.ceil(this.unavailableUntil - this.now()));
  }

  /** Consumes one pending failure if the call to `toolName` should fail. */
  take(toolName: string | undefined): InjectedFault | undefined {
    const pending = this.failNext;
    if (!pending || pending.count <= 0) return undefined;
    if (pending.tool !== undefined && pending.tool !== toolName) return undefined;
    pending.count -= 1;
    if (pending.count === 0) this.failNext = null;
    return { kind: pending.kind, retryAfterSeconds: pending.retryAfterSeconds ?? 1, jsonrpcCode: pending.jsonrpcCode ?? -32603 };
  }

  reset(): void {
    this.latencyMs = 0;
    this.failNext = null;
    this.unavailableUntil = 0;
  }
}
