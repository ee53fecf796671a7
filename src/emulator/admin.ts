import { z } from 'zod';
import { EmulatorApiError } from './errors';
import type { UsageJson } from './responses';
import { DEFAULT_FLEX_LATENCY_MS, flexUnavailableError } from './service-tier';

/**
 * Fault injection and counters, reachable in-process (EmulatorHandle) and over HTTP
 * (`POST /admin/faults`, `POST /admin/reset`, `GET /admin/stats`) for emulators in another process.
 */

export const FailNextSchema = z.strictObject({
  /** How many of the next API requests fail. */
  count: z.number().int().positive().default(1),
  status: z.union([z.literal(400), z.literal(401), z.literal(409), z.literal(429), z.literal(500), z.literal(503)]),
  code: z.string().min(1).optional(),
  retryAfterMs: z.number().int().nonnegative().optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  /** Sends `x-should-retry: true|false`, which the openai client obeys over its defaults. */
  shouldRetry: z.boolean().optional(),
});
export type FailNext = z.infer<typeof FailNextSchema>;
export type FailNextInput = z.input<typeof FailNextSchema>;

export const FaultsSchema = z.strictObject({
  failNext: FailNextSchema.optional(),
  /** Added before every API request is answered. */
  latencyMs: z.number().int().nonnegative().optional(),
  /** The next N API requests have their connection destroyed without an answer. */
  dropConnectionNext: z.number().int().nonnegative().optional(),
  /** The next N requests with `service_tier: "flex"` get the 429 "resource unavailable" (service-tier.ts). */
  flexUnavailableNext: z.number().int().nonnegative().optional(),
  /** The `retry-after-ms` of that 429 (default 1000). */
  flexRetryAfterMs: z.number().int().nonnegative().optional(),
  /** Added to every flex model call (default 200 ms, or the emulator's `flexLatencyMs`). */
  flexLatencyMs: z.number().int().nonnegative().optional(),
});
export type Faults = z.infer<typeof FaultsSchema>;
export type FaultsInput = z.input<typeof FaultsSchema>;

export const EmulatorStatsSchema = z.object({
  /** API requests answered (any status), admin requests excluded. */
  requestsServed: z.number().int(),
  responsesCreated: z.number().int(),
  /** Requests answered with an injected fault or dropped. */
  faultsInjected: z.number().int(),
  /** server_label → tool → number of MCP `tools/call` made. */
  mcpToolCalls: z.record(z.string(), z.record(z.string(), z.number().int())),
  mcpToolCallsTotal: z.number().int(),
  /** server_label → number of `tools/list` made. */
  mcpToolListings: z.record(z.string(), z.number().int()),
  conversationsStored: z.number().int(),
  /** Sums of `usage` over every completed response (stored or not), to check a client's token statistics against. */
  usage: z.object({
    input_tokens: z.number().int(),
    cached_tokens: z.number().int(),
    output_tokens: z.number().int(),
    reasoning_tokens: z.number().int(),
    total_tokens: z.number().int(),
  }),
});
export type EmulatorStats = z.infer<typeof EmulatorStatsSchema>;

export type InjectedFault = { kind: 'error'; error: EmulatorApiError } | { kind: 'drop' };

/** Mutable fault and counter state shared by the server and the handle. */
export class AdminState {
  private failNext: FailNext | undefined;
  private failuresLeft = 0;
  private dropsLeft = 0;
  private flexFailuresLeft = 0;
  private flexRetryAfterMs = 1000;
  latencyMs: number;
  flexLatencyMs: number;
  requestsServed = 0;
  responsesCreated = 0;
  faultsInjected = 0;
  usage = emptyUsage();
  readonly toolCalls = new Map<string, Map<string, number>>();
  readonly toolListings = new Map<string, number>();

  constructor(
    private readonly baseLatencyMs = 0,
    private readonly baseFlexLatencyMs = DEFAULT_FLEX_LATENCY_MS,
  ) {
    this.latencyMs = baseLatencyMs;
    this.flexLatencyMs = baseFlexLatencyMs;
  }

  setFaults(input: FaultsInput): void {
    const faults = FaultsSchema.parse(input);
    if (faults.failNext) {
      this.failNext = faults.failNext;
      this.failuresLeft = faults.failNext.count;
    }
    if (faults.latencyMs !== undefined) this.latencyMs = faults.latencyMs;
    if (faults.dropConnectionNext !== undefined) this.dropsLeft = faults.dropConnectionNext;
    if (faults.flexUnavailableNext !== undefined) this.flexFailuresLeft = faults.flexUnavailableNext;
    if (faults.flexRetryAfterMs !== undefined) this.flexRetryAfterMs = faults.flexRetryAfterMs;
    if (faults.flexLatencyMs !== undefined) this.flexLatencyMs = faults.flexLatencyMs;
  }

  /** The 429 for this flex request, if one is armed; consumes it. */
  takeFlexFault(): EmulatorApiError | undefined {
    if (this.flexFailuresLeft === 0) return undefined;
    this.flexFailuresLeft -= 1;
    this.faultsInjected += 1;
    return flexUnavailableError(this.flexRetryAfterMs);
  }

  /** Clears faults and counters (conversations are cleared by the caller). */
  reset(): void {
    this.failNext = undefined;
    this.failuresLeft = 0;
    this.dropsLeft = 0;
    this.flexFailuresLeft = 0;
    this.flexRetryAfterMs = 1000;
    this.latencyMs = this.baseLatencyMs;
    this.flexLatencyMs = this.baseFlexLatencyMs;
    this.requestsServed = 0;
    this.responsesCreated = 0;
    this.usage = emptyUsage();
    this.faultsInjected = 0;
    this.toolCalls.clear();
    this.toolListings.clear();
  }

  /** The fault for this request, if one is armed; consumes it. */
  takeFault(): InjectedFault | undefined {
    if (this.dropsLeft > 0) {
      this.dropsLeft -= 1;
      this.faultsInjected += 1;
      return { kind: 'drop' };
    }
    if (this.failNext && this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      this.faultsInjected += 1;
      const fault = this.failNext;
      if (this.failuresLeft === 0) this.failNext = undefined;
      return { kind: 'error', error: faultError(fault) };
    }
    return undefined;
  }

  /** A response completed: its usage counts in the totals. */
  recordUsage(usage: UsageJson | null): void {
    if (!usage) return;
    this.usage.input_tokens += usage.input_tokens;
    this.usage.cached_tokens += usage.input_tokens_details.cached_tokens;
    this.usage.output_tokens += usage.output_tokens;
    this.usage.reasoning_tokens += usage.output_tokens_details.reasoning_tokens;
    this.usage.total_tokens += usage.total_tokens;
  }

  recordToolCall(serverLabel: string, tool: string): void {
    const perTool = this.toolCalls.get(serverLabel) ?? new Map<string, number>();
    perTool.set(tool, (perTool.get(tool) ?? 0) + 1);
    this.toolCalls.set(serverLabel, perTool);
  }

  recordToolListing(serverLabel: string): void {
    this.toolListings.set(serverLabel, (this.toolListings.get(serverLabel) ?? 0) + 1);
  }

  stats(conversationsStored: number): EmulatorStats {
    const mcpToolCalls: Record<string, Record<string, number>> = {};
    let total = 0;
    for (const [server, perTool] of this.toolCalls) {
      mcpToolCalls[server] = Object.fromEntries(perTool);
      for (const count of perTool.values()) total += count;
    }
    return {
      requestsServed: this.requestsServed,
      responsesCreated: this.responsesCreated,
      faultsInjected: this.faultsInjected,
      mcpToolCalls,
      mcpToolCallsTotal: total,
      mcpToolListings: Object.fromEntries(this.toolListings),
      conversationsStored,
      usage: { ...this.usage },
    };
  }
}

function emptyUsage(): EmulatorStats['usage'] {
  return { input_tokens: 0, cached_tokens: 0, output_tokens: 0, reasoning_tokens: 0, total_tokens: 0 };
}

/** The error the real API sends for each injected status, with its retry headers. */
export function faultError(fault: FailNext): EmulatorApiError {
  const headers: Record<string, string> = {};
  if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
  if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
  if (fault.shouldRetry !== undefined) headers['x-should-retry'] = String(fault.shouldRetry);
  switch (fault.status) {
    case 429: {
      const code = fault.code ?? 'rate_limit_exceeded';
      if (code === 'insufficient_quota') {
        return new EmulatorApiError(
          429,
          'insufficient_quota',
          'You exceeded your current quota, please check your plan and billing details.',
          null,
          code,
          headers,
        );
      }
      const seconds = fault.retryAfterSeconds ?? (fault.retryAfterMs !== undefined ? fault.retryAfterMs / 1000 : 1);
      return new EmulatorApiError(
        429,
        'requests',
        `Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${seconds}s.`,
        null,
        code,
        headers,
      );
    }
    case 400:
      return new EmulatorApiError(400, 'invalid_request_error', 'The request could not be processed.', null, fault.code ?? null, headers);
    case 409:
      return new EmulatorApiError(
        409,
        'invalid_request_error',
        'The request conflicts with another request in progress; try again.',
        null,
        fault.code ?? 'conflict',
        headers,
      );
    case 401:
      return new EmulatorApiError(
        401,
        'invalid_request_error',
        'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
        null,
        fault.code ?? 'invalid_api_key',
        headers,
      );
    case 503:
      return new EmulatorApiError(503, 'server_error', 'The engine is currently overloaded, please try again later.', null, fault.code ?? null, headers);
    case 500:
      return new EmulatorApiError(
        500,
        'server_error',
        'The server had an error while processing your request. Sorry about that!',
        null,
        fault.code ?? null,
        headers,
      );
  }
}

/** Controls an emulator running in another process through its admin endpoints. */
export class EmulatorAdminClient {
  /** `adminUrl` is the emulator's `.../admin` URL (EmulatorHandle.adminUrl). */
  constructor(private readonly adminUrl: string) {}

  async setFaults(faults: FaultsInput): Promise<void> {
    await this.send('POST', '/faults', FaultsSchema.parse(faults));
  }

  async reset(): Promise<void> {
    await this.send('POST', '/reset', {});
  }

  /** Forgets every stored response (as after the API's 30-day retention); counters and faults stay. */
  async forgetResponses(): Promise<number> {
    const body = (await this.send('POST', '/forget', {})) as { forgotten?: number } | undefined;
    return body?.forgotten ?? 0;
  }

  async stats(): Promise<EmulatorStats> {
    return EmulatorStatsSchema.parse(await this.send('GET', '/stats'));
  }

  private async send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.adminUrl.replace(/\/$/, '')}${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`emulator admin ${method} ${path} failed with HTTP ${response.status}: ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}
