/**
 * Which revision a Streamable HTTP server speaks, found the way the 2026-07-28 transport page
 * describes ("Backward Compatibility"): send a modern request first (`server/discover`); a
 * `DiscoverResult` listing 2026-07-28, or a modern JSON-RPC error, means a modern server; a 4xx
 * or a JSON-RPC error that is not a modern one (an SDK 1.x server answers an unknown method, or
 * "not initialized") means a legacy server, spoken to with the SDK 1.x client.
 *
 * The answer is a property of the server, so each worker remembers it per URL (the spec's
 * "cache the result for the lifetime of the origin") and forgets it when a request to that server
 * fails, so the next attempt asks again.
 */
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Mcp2026Client, RequestOptions } from './client';
import { DiscoverResultSchema, ERROR_CODES, MODERN_ERROR_CODES, PROTOCOL_2026, type DiscoverResult } from './schema';

export type Era = 'modern' | 'legacy';

export interface Negotiated {
  era: Era;
  /** Not remembered: the probe was refused for its credentials, so the answer says nothing about the revision. */
  provisional?: boolean;
  /** The discovery result when the server is modern. */
  discover?: DiscoverResult;
}

/** A modern server that supports neither 2026-07-28 nor a revision the SDK 1.x client speaks. */
export class NoCommonProtocolError extends Error {
  override name = 'NoCommonProtocolError';
}

const UnsupportedDataSchema = z.object({ supported: z.array(z.string()) });

export class ProtocolMemory {
  private readonly eras = new Map<string, Negotiated>();

  get(url: string): Negotiated | undefined {
    return this.eras.get(url);
  }

  /** Negotiates once per server URL; concurrent first uses each probe (cheap, and the answers agree). */
  async negotiate(url: string, client: Mcp2026Client, options: RequestOptions): Promise<Negotiated> {
    const known = this.eras.get(url);
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

/** Legacy hints over HTTP: the statuses the SSE fallback also takes as "another era" (not 401/403/408/429). */
function isLegacyStatus(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status);
}

export async function probe(client: Mcp2026Client, options: RequestOptions): Promise<Negotiated> {
  let raw: Record<string, unknown>;
  try {
    raw = await client.request('server/discover', {}, options);
  } catch (error) {
    if (error instanceof McpError) {
      if (error.code === ERROR_CODES.unsupportedProtocolVersion) {
        const supported = UnsupportedDataSchema.safeParse(error.data);
        const versions = supported.success ? supported.data.supported : [];
        if (versions.some((version) => version.startsWith('2025-') || version.startsWith('2024-'))) return { era: 'legacy' };
        throw new NoCommonProtocolError(`the MCP server at ${client.url} supports protocol versions ${versions.join(', ') || '(none listed)'}; mcpflow speaks ${PROTOCOL_2026} and 2025-11-25`);
      }
      // Another modern error (header mismatch, missing capability) is mcpflow's to fix, not a reason to fall back.
      if (MODERN_ERROR_CODES.includes(error.code)) throw error;
      return { era: 'legacy' };
    }
    if (error instanceof StreamableHTTPError && isLegacyStatus(error.code)) return { era: 'legacy' };
    // Refused credentials: the SDK path (whose transport may add credentials of its own, e.g. an
    // OAuth token) gets the call and reports the refusal itself; the next activity asks again.
    if (error instanceof StreamableHTTPError && (error.code === 401 || error.code === 403)) return { era: 'legacy', provisional: true };
    throw error;
  }
  const discover = DiscoverResultSchema.safeParse(raw);
  if (!discover.success) return { era: 'legacy' };
  if (discover.data.supportedVersions.includes(PROTOCOL_2026)) return { era: 'modern', discover: discover.data };
  return { era: 'legacy' };
}

let shared: ProtocolMemory | undefined;

/** The worker's memory of which servers speak which revision. */
export function sharedProtocolMemory(): ProtocolMemory {
  return (shared ??= new ProtocolMemory());
}
