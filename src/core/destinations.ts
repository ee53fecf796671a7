/**
 * Where the worker (direct mode) and the emulator's MCP bridge may connect: the rules, as pure
 * code. `http:`/`https:` only; never link-local or cloud metadata addresses, nor the unspecified,
 * multicast or broadcast address (an IPv4 address inside an IPv6 one, mapped, NAT64 or 6to4, is
 * judged as that IPv4 address); private and loopback ranges only when `allow_private_networks` says so. The rules are
 * applied to the URL's host and, by src/net/destination-guard.ts, to every address a hostname
 * resolves to at connect time (so a name that re-resolves to 169.254.169.254 is still refused).
 */
import { z } from 'zod';

/** `true`: private and loopback ranges allowed; `'loopback'`: loopback only; `false`: neither. */
export const AllowPrivateNetworksSchema = z.union([z.boolean(), z.literal('loopback')]);
export type AllowPrivateNetworks = z.infer<typeof AllowPrivateNetworksSchema>;
export const ALLOW_PRIVATE_NETWORKS_CHOICES = ['true', 'loopback', 'false'] as const;

/** The command-line / environment form (`true`, `loopback`, `false`) of the setting. */
export function allowPrivateNetworksFromText(text: (typeof ALLOW_PRIVATE_NETWORKS_CHOICES)[number]): AllowPrivateNetworks {
  return text === 'loopback' ? 'loopback' : text === 'true';
}
/**
 * For workers built as a library (tests, `mcpflow dev`/`demo`, whose servers are on loopback);
 * `mcpflow worker` uses the config's `allow_private_networks`, off when absent.
 */
export const DEFAULT_ALLOW_PRIVATE_NETWORKS: AllowPrivateNetworks = 'loopback';

export type DestinationRule = 'scheme' | 'metadata' | 'link-local' | 'unspecified' | 'multicast' | 'broadcast' | 'loopback' | 'private' | 'invalid-address';

export interface DestinationRefusal {
  rule: DestinationRule;
  message: string;
}

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);
const METADATA_ADDRESSES = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', 'fd00:ec2::254']);

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part))) return undefined;
  const octets = parts.map(Number);
  return octets.every((octet) => octet <= 255) ? octets : undefined;
}

/** Eight 16-bit groups, or undefined; accepts `::`, an embedded IPv4 tail and a zone id. */
function parseIpv6(text: string): number[] | undefined {
  let address = text.replace(/%.*$/, '').toLowerCase();
  if (!address.includes(':')) return undefined;
  const v4 = /:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (v4) {
    const octets = parseIpv4(v4[1]!);
    if (!octets) return undefined;
    const hex = (high: number, low: number) => ((high << 8) | low).toString(16);
    address = `${address.slice(0, -v4[1]!.length)}${hex(octets[0]!, octets[1]!)}:${hex(octets[2]!, octets[3]!)}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const group = (part: string) => (part ? part.split(':') : []);
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  const known = head.length + rest.length;
  if (known > 8 || (halves.length === 1 && known !== 8) || (halves.length === 2 && known > 7)) return undefined;
  const fill = halves.length === 2 ? new Array<string>(8 - known).fill('0') : [];
  const groups = [...head, ...fill, ...rest].map((hex) => (/^[0-9a-f]{1,4}$/.test(hex) ? parseInt(hex, 16) : NaN));
  return groups.every((value) => Number.isInteger(value)) ? groups : undefined;
}

function ipv4Rule(octets: number[], allow: AllowPrivateNetworks): DestinationRule | undefined {
  const [a, b] = octets as [number, number, number, number];
  if (METADATA_ADDRESSES.has(octets.join('.'))) return 'metadata';
  if (a === 0) return 'unspecified';
  if (a === 169 && b === 254) return 'link-local';
  if (a >= 224 && a <= 239) return 'multicast';
  if (octets.every((octet) => octet === 255)) return 'broadcast';
  if (a === 127) return allow === false ? 'loopback' : undefined;
  const isPrivate =
    a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || (a === 198 && (b === 18 || b === 19));
  if (isPrivate) return allow === true ? undefined : 'private';
  return undefined;
}

function ipv6Rule(groups: number[], allow: AllowPrivateNetworks): DestinationRule | undefined {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  const embedded = (high: number, low: number) => ipv4Rule([high >> 8, high & 0xff, low >> 8, low & 0xff], allow);
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses are the IPv4 address.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && ((g4 === 0 && (g5 === 0xffff || (g5 === 0 && (g6 !== 0 || g7 > 1)))) || (g4 === 0xffff && g5 === 0))) {
    return embedded(g6, g7);
  }
  // NAT64 (64:ff9b::/96, RFC 6052) reaches the IPv4 address in its last 32 bits through a translator: judged as that address.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return embedded(g6, g7);
  // Local-use NAT64 (64:ff9b:1::/48, RFC 8215): the prefix length is the network's choice, so the /96 form is judged, and the rest is a private range.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return embedded(g6, g7) ?? (allow === true ? undefined : 'private');
  // 6to4 (2002::/16, RFC 3056) carries the IPv4 address of its relay in bits 16-47.
  if (g0 === 0x2002) return embedded(g1, g2);
  if (groups.every((group) => group === 0)) return 'unspecified';
  if ((g0 & 0xff00) === 0xff00) return 'multicast';
  if (g0 === 0xfd00 && g1 === 0x0ec2 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0 && g6 === 0 && g7 === 0x254) return 'metadata';
  if (groups.slice(0, 7).every((group) => group === 0) && g7 === 1) return allow === false ? 'loopback' : undefined;
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((g0 & 0xfe00) === 0xfc00) return allow === true ? undefined : 'private';
  return undefined;
}

const RULE_WORDS: Record<DestinationRule, string> = {
  scheme: 'only http and https URLs are allowed',
  metadata: 'cloud metadata endpoints are never allowed',
  'link-local': 'link-local addresses are never allowed',
  unspecified: 'the unspecified address is never allowed',
  multicast: 'multicast addresses are never allowed',
  broadcast: 'the broadcast address is never allowed',
  loopback: 'loopback addresses are refused (allow_private_networks is off)',
  private: 'private network addresses are refused (set allow_private_networks: true to allow them)',
  'invalid-address': 'the address cannot be read',
};

function refusal(rule: DestinationRule, what: string): DestinationRefusal {
  return { rule, message: `destination refused (${rule}): ${what}: ${RULE_WORDS[rule]}` };
}

/** The rule an IP address breaks, or undefined when it may be connected to. */
export function checkAddress(address: string, allow: AllowPrivateNetworks): DestinationRefusal | undefined {
  const v4 = parseIpv4(address);
  const v6 = v4 ? undefined : parseIpv6(address);
  if (!v4 && !v6) return refusal('invalid-address', address);
  const rule = v4 ? ipv4Rule(v4, allow) : ipv6Rule(v6!, allow);
  return rule ? refusal(rule, address) : undefined;
}

/** Whether `host` (as in a URL, IPv6 without brackets) is an IP literal. */
export function isIpLiteral(host: string): boolean {
  return parseIpv4(host) !== undefined || parseIpv6(host) !== undefined;
}

/** The rule a URL breaks before any lookup: its scheme, a metadata hostname, an IP literal's range. */
export function checkUrl(url: string, allow: AllowPrivateNetworks): DestinationRefusal | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refusal('scheme', `${url} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return refusal('scheme', `${parsed.protocol} in ${url}`);
  const host = parsed.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (METADATA_HOSTS.has(host)) return refusal('metadata', host);
  if (isIpLiteral(host)) return checkAddress(host, allow);
  if (host === 'localhost' || host.endsWith('.localhost')) return allow === false ? refusal('loopback', host) : undefined;
  return undefined;
}
