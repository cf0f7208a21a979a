// `ip -j addr show` (iproute2 >= 4.14) -> IpAddrTable, validated with zod. Unknown fields are
// ignored; empty `{}` entries in addr_info (printed by some iproute2 versions when a family filter
// hides every address of a link) are dropped. Lifetimes of 4294967295 ("forever") become null.
// Helpers answer "does this director hold the VIP?" with canonical address comparison.

import { z } from 'zod';
import { canonicalAddress } from '@/lib/address';
import { type IpAddrTable, type IpAddress, type IpLink } from '@/lib/models/ip-addr';
import { parseJsonDocument, ParseError } from './parse-error';

const KIND = 'ip-addr';
const FOREVER = 4294967295;

const WireAddr = z
  .object({
    family: z.string().optional(),
    local: z.string().optional(),
    address: z.string().optional(),
    prefixlen: z.number().int().min(0).max(128).optional(),
    broadcast: z.string().optional(),
    scope: z.union([z.string(), z.number()]).optional(),
    label: z.string().optional(),
    secondary: z.boolean().optional(),
    dynamic: z.boolean().optional(),
    deprecated: z.boolean().optional(),
    tentative: z.boolean().optional(),
    noprefixroute: z.boolean().optional(),
    valid_life_time: z.number().int().nonnegative().optional(),
    preferred_life_time: z.number().int().nonnegative().optional(),
  })
  .loose();

const WireLink = z
  .object({
    ifindex: z.number().int().nonnegative(),
    ifname: z.string(),
    link: z.string().nullable().optional(),
    flags: z.array(z.string()).optional(),
    mtu: z.number().int().nonnegative().optional(),
    operstate: z.string().optional(),
    link_type: z.string().optional(),
    address: z.string().optional(),
    master: z.string().optional(),
    addr_info: z.array(WireAddr).optional(),
  })
  .loose();

const Wire = z.array(WireLink);

function lifetime(v: number | undefined): number | null {
  return v === undefined || v === FOREVER ? null : v;
}

function toAddress(a: z.infer<typeof WireAddr>, path: string): IpAddress | null {
  if (a.family === undefined && a.local === undefined) return null; // `{}` placeholder
  if (a.family !== 'inet' && a.family !== 'inet6') {
    // Other families (e.g. mpls) are not addresses the console cares about.
    return null;
  }
  if (a.local === undefined || a.prefixlen === undefined) {
    throw new ParseError(KIND, 0, '', `${path}: an ${a.family} address needs "local" and "prefixlen"`);
  }
  const maxPrefix = a.family === 'inet' ? 32 : 128;
  if (a.prefixlen > maxPrefix) throw new ParseError(KIND, 0, '', `${path}: prefixlen ${a.prefixlen} > ${maxPrefix}`);
  return {
    family: a.family,
    local: a.local,
    prefixlen: a.prefixlen,
    peer: a.address ?? null,
    broadcast: a.broadcast ?? null,
    scope: a.scope === undefined ? 'global' : String(a.scope),
    label: a.label ?? null,
    secondary: a.secondary ?? false,
    dynamic: a.dynamic ?? false,
    deprecated: a.deprecated ?? false,
    tentative: a.tentative ?? false,
    noprefixroute: a.noprefixroute ?? false,
    validLifetime: lifetime(a.valid_life_time),
    preferredLifetime: lifetime(a.preferred_life_time),
  };
}

/** Parses `ip -j addr show` (or `ip -j -p addr show`). Bad JSON or shape -> ParseError line 0. */
export function parseIpAddrJson(text: string): IpAddrTable {
  const links: IpLink[] = parseJsonDocument(KIND, text, Wire).map((l, i) => ({
    ifindex: l.ifindex,
    ifname: l.ifname,
    link: l.link ?? null,
    flags: l.flags ?? [],
    mtu: l.mtu ?? null,
    operstate: l.operstate ?? 'UNKNOWN',
    linkType: l.link_type ?? null,
    macAddress: l.address ?? null,
    master: l.master ?? null,
    addresses: (l.addr_info ?? [])
      .map((a, j) => toAddress(a, `[${i}].addr_info[${j}]`))
      .filter((a): a is IpAddress => a !== null),
  }));
  return { links };
}

// ---------------------------------------------------------------------------------------------
// Address lookups (pure; the address arithmetic lives in lib/address.ts, shared with the browser)

/** Interface name -> its addresses (all families). */
export function addressesByInterface(table: IpAddrTable): Map<string, IpAddress[]> {
  return new Map(table.links.map((l) => [l.ifname, l.addresses]));
}

/** The links that hold `address` (canonical comparison; a `/prefix` on the argument is ignored). */
export function linksHoldingAddress(table: IpAddrTable, address: string): IpLink[] {
  const want = canonicalAddress(address);
  return table.links.filter((l) => l.addresses.some((a) => canonicalAddress(a.local) === want));
}

/** True when any link holds the address: for a VIP, this director is the one serving it. */
export function holdsAddress(table: IpAddrTable, address: string): boolean {
  return linksHoldingAddress(table, address).length > 0;
}
