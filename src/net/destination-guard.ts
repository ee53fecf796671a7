/**
 * The destination rules of src/core/destinations.ts applied to real connections: a `fetch` for
 * the MCP SDK's transport whose every connection checks the URL first and then each address the
 * hostname resolves to, at connect time (a custom `lookup` on undici's connector), so a name
 * that re-resolves to a refused address (DNS rebinding) is refused too. Used by the worker's
 * direct-mode MCP connections and by the emulator's MCP bridge.
 */
import dns, { type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';
import { checkAddress, checkUrl, type AllowPrivateNetworks, type DestinationRefusal, type DestinationRule } from '../core/destinations';
import { McpflowError } from '../core/mcpflow-error';

export class DestinationRefusedError extends McpflowError {
  readonly rule: DestinationRule;
  constructor(refusal: DestinationRefusal) {
    super(refusal.message);
    this.rule = refusal.rule;
  }
}

/** The refusal in an error's cause chain (fetch wraps it: TypeError('fetch failed', { cause })). */
export function findDestinationRefusal(error: unknown): DestinationRefusedError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 6; current = current.cause, depth++) {
    if (current instanceof DestinationRefusedError) return current;
  }
  return undefined;
}

/** Throws DestinationRefusedError when `url` breaks a rule before any lookup (scheme, metadata name, IP literal). */
export function assertDestinationUrl(url: string, allow: AllowPrivateNetworks): void {
  const refusal = checkUrl(url, allow);
  if (refusal) throw new DestinationRefusedError(refusal);
}

type BaseLookup = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** A `lookup` for net/tls.connect that resolves every address and refuses the connection if any breaks a rule. */
export function guardedLookup(allow: AllowPrivateNetworks, base: BaseLookup = dns.lookup as BaseLookup): LookupFunction {
  return (hostname, options, callback) => {
    base(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      for (const { address } of addresses) {
        const refusal = checkAddress(address, allow);
        if (refusal)
          return callback(
            Object.assign(new DestinationRefusedError({ ...refusal, message: refusal.message.replace(address, `${hostname} → ${address}`) }), {
              code: 'EDESTINATION',
            }),
            '',
            0,
          );
      }
      if (!addresses.length) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

export interface GuardOptions {
  /** Resolves hostnames; tests pass one that maps names to planted addresses (no real traffic). */
  lookup?: BaseLookup;
}

const agents = new Map<string, Agent>();

function agentFor(allow: AllowPrivateNetworks, options: GuardOptions): Agent {
  if (options.lookup) return new Agent({ connect: { lookup: guardedLookup(allow, options.lookup) } });
  const key = String(allow);
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup(allow) } });
    agents.set(key, agent);
  }
  return agent;
}

/** A fetch (for StreamableHTTPClientTransport's `fetch` option) that connects only where the rules allow. */
export function guardedFetch(allow: AllowPrivateNetworks, options: GuardOptions = {}): typeof fetch {
  const agent = agentFor(allow, options);
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    // An IP literal is never looked up: the URL check judges it.
    assertDestinationUrl(url, allow);
    return undiciFetch(url, { ...(init as UndiciRequestInit), dispatcher: agent });
  }) as unknown as typeof fetch;
}
