import { z } from 'zod/mini';

// The IPVS table as ipvsadm prints it, in every list mode. Field names are part of the
// `lvsctl parse ipvsadm` JSON contract: add fields, never rename them.

export const IpvsProtocol = z.enum(['TCP', 'UDP', 'SCTP', 'FWM']);
export type IpvsProtocol = z.infer<typeof IpvsProtocol>;

export const AddressFamily = z.enum(['inet', 'inet6']);
export type AddressFamily = z.infer<typeof AddressFamily>;

export const IpvsListMode = z.enum([
  'list',
  'stats',
  'rate',
  'thresholds',
  'persistent-conn',
  'tun-info',
  'connections',
  'save',
  'timeout',
  'daemon',
]);
export type IpvsListMode = z.infer<typeof IpvsListMode>;

/** An object of non-negative figures under these names, in this order. */
function figures<const K extends string>(...names: K[]) {
  return z.object(Object.fromEntries(names.map((n) => [n, z.number().check(z.nonnegative())])) as Record<K, z.ZodMiniNumber<number>>);
}

/** Cumulative counters (`--stats`). Abbreviated values (`123K`) are expanded lower bounds. */
export const IpvsStats = figures('conns', 'inPkts', 'outPkts', 'inBytes', 'outBytes');
export type IpvsStats = z.infer<typeof IpvsStats>;

/** Per-second rates (`--rate`). */
export const IpvsRates = figures('cps', 'inPps', 'outPps', 'inBps', 'outBps');
export type IpvsRates = z.infer<typeof IpvsRates>;

/**
 * Forwarding method as printed: Masq (NAT), Route (DR), Tunnel, Local, or any other
 * name a fork prints (kept verbatim, e.g. FullNat, "(null)").
 */
export const ForwardMethod = z.string().check(z.minLength(1));
export type ForwardMethod = z.infer<typeof ForwardMethod>;

export const TunnelInfo = z.object({
  /** e.g. ipip, gue, gre (`--tun-info`, ipvsadm 1.31). */
  type: z.string(),
  port: z.nullable(z.int()),
  flags: z.array(z.string()),
});
export type TunnelInfo = z.infer<typeof TunnelInfo>;

export const IpvsRealServer = z.object({
  address: z.string(),
  port: z.int().check(z.gte(0), z.lte(65535)),
  forward: z.nullable(ForwardMethod),
  weight: z.nullable(z.int().check(z.gte(0))),
  activeConns: z.nullable(z.int().check(z.nonnegative())),
  inactiveConns: z.nullable(z.int().check(z.nonnegative())),
  persistentConns: z.nullable(z.int().check(z.nonnegative())),
  upperThreshold: z.nullable(z.int().check(z.nonnegative())),
  lowerThreshold: z.nullable(z.int().check(z.nonnegative())),
  stats: z.nullable(IpvsStats),
  rates: z.nullable(IpvsRates),
  tunnel: z.optional(z.nullable(TunnelInfo)),
  approximate: z.boolean(),
});
export type IpvsRealServer = z.infer<typeof IpvsRealServer>;

export const IpvsService = z.object({
  protocol: IpvsProtocol,
  family: AddressFamily,
  address: z.nullable(z.string()),
  port: z.nullable(z.int().check(z.gte(0), z.lte(65535))),
  fwmark: z.nullable(z.int().check(z.nonnegative())),
  scheduler: z.nullable(z.string()),
  flags: z.array(z.string()),
  persistent: z.nullable(z.object({ timeout: z.int().check(z.nonnegative()), netmask: z.nullable(z.string()) })),
  pe: z.nullable(z.string()),
  ops: z.boolean(),
  stats: z.nullable(IpvsStats),
  rates: z.nullable(IpvsRates),
  approximate: z.boolean(),
  realServers: z.array(IpvsRealServer),
});
export type IpvsService = z.infer<typeof IpvsService>;

export const Endpoint = z.object({ address: z.string(), port: z.int().check(z.gte(0), z.lte(65535)) });
export type Endpoint = z.infer<typeof Endpoint>;

/** One row of `ipvsadm -Lnc` (one entry of /proc/net/ip_vs_conn). */
export const IpvsConnection = z.object({
  /** TCP, UDP, SCTP, or IP for a persistence template. */
  protocol: z.string(),
  state: z.string(),
  expiresInSeconds: z.int().check(z.nonnegative()),
  client: Endpoint,
  virtual: Endpoint,
  destination: Endpoint,
  /** With `--persistent-conn`: persistence engine name and data. */
  pe: z.optional(z.nullable(z.object({ name: z.string(), data: z.string() }))),
});
export type IpvsConnection = z.infer<typeof IpvsConnection>;

export const IpvsTimeouts = z.object({ tcp: z.int(), tcpfin: z.int(), udp: z.int() });
export type IpvsTimeouts = z.infer<typeof IpvsTimeouts>;

export const IpvsSyncDaemon = z.object({
  role: z.enum(['master', 'backup']),
  mcastInterface: z.string(),
  syncId: z.int(),
  /** Other `key=value` settings ipvsadm 1.28+ prints (maxlen, group, port, ttl). */
  options: z.record(z.string(), z.string()),
});
export type IpvsSyncDaemon = z.infer<typeof IpvsSyncDaemon>;

export const IpvsTable = z.object({
  mode: IpvsListMode,
  /** From `IP Virtual Server version X.Y.Z (size=N)`, null when the title is absent. */
  version: z.nullable(z.string()),
  connTableSize: z.nullable(z.int()),
  services: z.array(IpvsService),
  connections: z.array(IpvsConnection),
  timeout: z.optional(z.nullable(IpvsTimeouts)),
  daemons: z.optional(z.array(IpvsSyncDaemon)),
});
export type IpvsTable = z.infer<typeof IpvsTable>;
