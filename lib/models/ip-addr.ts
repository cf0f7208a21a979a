import { z } from 'zod/mini';

// `ip -j addr show` as the app uses it. The VIP's owner is the director whose addresses hold it.
// Lifetimes: iproute2 prints 4294967295 for "forever"; the model says null (JSON has no Infinity).

export const IpAddressFamily = z.enum(['inet', 'inet6']);
export type IpAddressFamily = z.infer<typeof IpAddressFamily>;

export const IpAddress = z.object({
  family: IpAddressFamily,
  /** As printed by ip (IPv6 already compressed, lowercase). */
  local: z.string(),
  prefixlen: z.int().check(z.gte(0), z.lte(128)),
  /** Point-to-point peer (`address` in ip's JSON), null when absent. */
  peer: z.nullable(z.string()),
  broadcast: z.nullable(z.string()),
  /** global, link, host, site, nowhere or a number. */
  scope: z.string(),
  /** IPv4 label (e.g. `eth0:vip`); null for IPv6 or when ip prints none. */
  label: z.nullable(z.string()),
  secondary: z.boolean(),
  dynamic: z.boolean(),
  deprecated: z.boolean(),
  tentative: z.boolean(),
  noprefixroute: z.boolean(),
  /** Seconds, null = forever. */
  validLifetime: z.nullable(z.int().check(z.nonnegative())),
  preferredLifetime: z.nullable(z.int().check(z.nonnegative())),
});
export type IpAddress = z.infer<typeof IpAddress>;

export const IpLink = z.object({
  ifindex: z.int().check(z.nonnegative()),
  ifname: z.string(),
  /** Peer/master link for `eth0@if5` style names, as ip prints it (`link`), else null. */
  link: z.nullable(z.string()),
  flags: z.array(z.string()),
  mtu: z.nullable(z.int().check(z.nonnegative())),
  /** UP, DOWN, UNKNOWN, LOWERLAYERDOWN, ... */
  operstate: z.string(),
  linkType: z.nullable(z.string()),
  macAddress: z.nullable(z.string()),
  master: z.nullable(z.string()),
  addresses: z.array(IpAddress),
});
export type IpLink = z.infer<typeof IpLink>;

export const IpAddrTable = z.object({ links: z.array(IpLink) });
export type IpAddrTable = z.infer<typeof IpAddrTable>;
