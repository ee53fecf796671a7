/**
 * Which revision a Streamable HTTP server speaks, found by the SDK's own probe (`server/discover`,
 * pinned to 2026-07-28 so that it never falls back to `initialize` by itself: the 2025 path is
 * the worker's connection pool, ../2025/connections.ts). A server that does not answer the probe
 * as a 2026-07-28 one is a legacy server; an auth refusal, a 5xx or a network failure says
 * nothing about the revision and is reported as it is.
 *
 * The answer is a property of the server, so each worker remembers it per URL (the spec's
 * "cache the result for the lifetime of the origin"; for a modern server the `DiscoverResult`,
 * handed to the SDK as `prior` so later clients skip the probe) and forgets it when a request to
 * that server fails, so the next attempt asks again.
 */
import { ProtocolError, ProtocolErrorCode, SdkError, SdkErrorCode, SdkHttpError, type DiscoverResult } from '@modelcontextprotocol/client';
import { z } from 'zod';
import { isLegacyHint } from '../2025/connection';
import type { Mcp2026Client, RequestOptions } from './client';
import { PROTOCOL_2026 } from './schema';
import { McpflowError } from '../../../src/core/mcpflow-error';

export type Era = 'modern' | 'legacy';

export interface Negotiated {
  era: Era;
  /** Not remembered: the probe was refused for its credentials, so the answer says nothing about the revision. */
  provisional?: boolean;
  /** The discovery result when the server is modern. */
  discover?: DiscoverResult;
}

/** A modern server that supports neither 2026-07-28 nor a revision of the 2025 era. */
export class NoCommonProtocolError extends McpflowError {}

export class ProtocolMemory {
  private readonly eras = new Map<string, Negotiated>();

  get(url: string): Negotiated | undefined {
    return this.eras.get(url);
  }

  /** Negotiates once per server URL (concurrent first uses each probe: cheap, and the answers agree); connects `client` when modern. */
  async negotiate(url: string, client: Mcp2026Client, options: RequestOptions): Promise<Negotiated> {
    const known = this.eras.get(url);
    if (known?.discover) await client.adopt(known.discover, options);
    if (known) return known;
    const found = await probe(client, options);
    if (!found.provisional) this.eras.set(url, found);
    return found;
  }

  forget(url: string): void {
    this.eras.delete(url);
  }

  get size(): number {
    return this.eras.size;
  }
}

/** `-32020` HeaderMismatch (SEP-2243; the SDK's enum has no member for it). */
const HEADER_MISMATCH = -32_020;
/** Codes only a modern server sends about a request it could have served. */
const MODERN_REFUSALS: readonly number[] = [HEADER_MISMATCH, ProtocolErrorCode.MissingRequiredClientCapability];

const SupportedSchema = z.object({ supported: z.array(z.string()) });

export async function probe(client: Mcp2026Client, options: RequestOptions): Promise<Negotiated> {
  try {
    return { era: 'modern', discover: await client.probe(options) };
  } catch (error) {
    if (error instanceof SdkHttpError) {
      // Refused credentials: the 2025 path (whose transport may add credentials of its own) gets
      // the call and reports the refusal itself; the next activity asks again.
      if (error.status === 401 || error.status === 403) return { era: 'legacy', provisional: true };
      if (isLegacyHint(error.status)) return { era: 'legacy' };
      throw withAnswerText(error);
    }
    if (error instanceof ProtocolError) {
      // A modern refusal other than the version (header mismatch, missing capability) is mcpflow's to fix, not a reason to fall back.
      if (MODERN_REFUSALS.includes(error.code)) throw error;
      if (error.code !== ProtocolErrorCode.UnsupportedProtocolVersion) return { era: 'legacy' };
    } else if (!(error instanceof SdkError && error.code === SdkErrorCode.EraNegotiationFailed)) {
      throw error;
    } else if (error.cause instanceof Error && !(error.cause instanceof SdkError)) {
      // The probe never got an answer (refused, reset, DNS): nothing about the revision; the cause is what to classify.
      throw error.cause;
    }
    const versions = supportedVersionsIn(error);
    if (versions && !versions.some((version) => version.startsWith('2025-') || version.startsWith('2024-'))) {
      throw new NoCommonProtocolError(
        `the MCP server at ${client.url} supports protocol versions ${versions.join(', ') || '(none listed)'}; mcpflow speaks ${PROTOCOL_2026} and 2025-11-25`,
      );
    }
    return { era: 'legacy' };
  }
}

/** The versions a `-32022` answer to the probe listed, wherever the SDK kept them. */
function supportedVersionsIn(error: Error): string[] | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const data = (current as { data?: unknown }).data;
    const parsed = SupportedSchema.safeParse(data);
    if (parsed.success) return parsed.data.supported;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The SDK keeps the body of a refused probe out of its message; the server's words say what went wrong (secrets are redacted by the caller). */
function withAnswerText(error: SdkHttpError): SdkHttpError {
  const text = typeof error.data.text === 'string' ? error.data.text.trim() : '';
  if (!text) return error;
  return new SdkHttpError(error.code, `${error.message}: ${text.slice(0, 1_000)}`, error.data, { cause: error });
}

let shared: ProtocolMemory | undefined;

/** The worker's memory of which servers speak which revision. */
export function sharedProtocolMemory(): ProtocolMemory {
  return (shared ??= new ProtocolMemory());
}
