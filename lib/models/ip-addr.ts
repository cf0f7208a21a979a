import { z } from 'zod';

// `ip -j addr show` as the app uses it. The VIP's owner is the director whose addresses hold it.
// Lifetimes: iproute2 prints 4294967295 for "forever"; the model says null (JSON has no Infinity).

export const IpAddressFamily = z.enum(['inet', 'inet6']);
export type IpAddressFamily = z.infer<typeof IpAddressFamily>;

export const IpAddress = z.object({
  family: IpAddressFamily,
  /** As printed by ip (IPv6 already compressed, lowercase). */
  local: z.string(),
  prefixlen: z.number().int().min(0).max(128),
  /** Point-to-point peer (`address` in ip's JSON), null when absent. */
  peer: z.string().nullable(),
  broadcast: z.string().nullable(),
  /** global, link, host, site, nowhere or a number. */
  scope: z.string(),
  /** IPv4 label (e.g. `eth0:vip`); null for IPv6 or when ip prints none. */
  label: z.string().nullable(),
  secondary: z.boolean(),
  dynamic: z.boolean(),
  deprecated: z.boolean(),
  tentative: z.boolean(),
  noprefixroute: z.boolean(),
  /** Seconds, null = forever. */
  validLifetime: z.number().int().nonnegative().nullable(),
  preferredLifetime: z.number().int().nonnegative().nullable(),
});
export type IpAddress = z.infer<typeof IpAddress>;

export const IpLink = z.object({
  ifindex: z.number().int().nonnegative(),
  ifname: z.string(),
  /** Peer/master link for `eth0@if5` style names, as ip prints it (`link`), else null. */
  link: z.string().nullable(),
  flags: z.array(z.string()),
  mtu: z.number().int().nonnegative().nullable(),
  /** UP, DOWN, UNKNOWN, LOWERLAYERDOWN, ... */
  operstate: z.string(),
  linkType: z.string().nullable(),
  macAddress: z.string().nullable(),
  master: z.string().nullable(),
  addresses: z.array(IpAddress),
});
export type IpLink = z.infer<typeof IpLink>;

export const IpAddrTable = z.object({ links: z.array(IpLink) });
export type IpAddrTable = z.infer<typeof IpAddrTable>;
