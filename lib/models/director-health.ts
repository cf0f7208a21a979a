import { z } from 'zod/mini';

// The kernel settings and counters that decide whether a director can do its job: forwarding,
// IPVS drain behaviour, DR ARP settings, conntrack fill.
// A null field means the key was not in the input (module not loaded, or not asked for).

/** Per-interface IPv4 settings from `net.ipv4.conf.<if>.*`, including `all` and `default`. */
export const InterfaceSysctls = z.object({
  /** 0 off, 1 strict, 2 loose. The kernel uses max(all, <if>). */
  rpFilter: z.nullable(z.int()),
  /** DR real servers want 1 (reply only for addresses on the incoming interface). max(all, <if>). */
  arpIgnore: z.nullable(z.int()),
  /** DR real servers want 2 (best local source). max(all, <if>). */
  arpAnnounce: z.nullable(z.int()),
  forwarding: z.nullable(z.boolean()),
});
export type InterfaceSysctls = z.infer<typeof InterfaceSysctls>;

export const DirectorHealth = z.object({
  /** net.ipv4.ip_forward: required for NAT (Masq) services. */
  ipForward: z.nullable(z.boolean()),
  /** net.ipv6.conf.all.forwarding. */
  ipv6Forward: z.nullable(z.boolean()),
  /** net.ipv4.ip_nonlocal_bind: lets services bind a VIP the director does not hold (BACKUP). */
  ipNonlocalBind: z.nullable(z.boolean()),
  ipvs: z.object({
    /** 1: persistence templates of weight-0 servers expire, so a drain really stops new clients. */
    expireQuiescentTemplate: z.nullable(z.boolean()),
    /** 1: connections to a deleted real server are expired at once instead of blackholed. */
    expireNodestConn: z.nullable(z.boolean()),
    /** 1: IPVS keeps netfilter conntrack entries (needed for NAT with iptables/nft state). */
    conntrack: z.nullable(z.boolean()),
    sloppyTcp: z.nullable(z.boolean()),
    snatReroute: z.nullable(z.boolean()),
  }),
  /** Keyed by interface name as in the sysctl key (`all`, `default`, `eth0`, `eth0/1` for VLANs). */
  interfaces: z.record(z.string(), InterfaceSysctls),
  conntrack: z.object({
    /** net.netfilter.nf_conntrack_count */
    count: z.nullable(z.int().check(z.nonnegative())),
    /** net.netfilter.nf_conntrack_max (or the legacy net.nf_conntrack_max) */
    max: z.nullable(z.int().check(z.nonnegative())),
  }),
  /** Every key read, verbatim values. */
  sysctls: z.record(z.string(), z.string()),
  /** `sysctl: ...` error lines found in the input (permission denied, unknown key). */
  errors: z.array(z.string()),
});
export type DirectorHealth = z.infer<typeof DirectorHealth>;

/** nf_conntrack fill ratio in [0, ∞) (above 1 cannot happen but is not hidden); null if unknown. */
export function conntrackFillRatio(health: Pick<DirectorHealth, 'conntrack'>): number | null {
  const { count, max } = health.conntrack;
  if (count === null || max === null || max === 0) return null;
  return count / max;
}

/** The value the kernel applies for rp_filter / arp_ignore / arp_announce: max(all, <if>). */
export function effectiveInterfaceSysctl(
  health: Pick<DirectorHealth, 'interfaces'>,
  ifname: string,
  key: 'rpFilter' | 'arpIgnore' | 'arpAnnounce',
): number | null {
  const all = health.interfaces.all?.[key] ?? null;
  const own = health.interfaces[ifname]?.[key] ?? null;
  if (all === null) return own;
  if (own === null) return all;
  return Math.max(all, own);
}
