import { z } from 'zod/mini';
import { AddressFamily, IpvsProtocol, IpvsRates, IpvsStats } from './ipvsadm';
import { DirectorNetwork } from './nmcli';

// The merged view of a cluster that the API serves and the UI renders.
// Everything carries the time it was observed: nothing stale is ever shown as live.
//
// The lib/models schemas are shared with the browser, so they use zod/mini (functional and
// tree-shakable: z.nullable(x), z.string().check(z.minLength(1)), ...): the cluster page's zod code
// measured 30.4 KiB -> 16.9 KiB gzip against classic zod. Server-only schemas use classic zod.

export const VrrpState = z.enum(['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP', 'DELETED', 'UNKNOWN']);
export type VrrpState = z.infer<typeof VrrpState>;

export const DirectorErrorView = z.object({
  /** Closed list from server/ssh/errors.ts (host-key-mismatch, auth-failed, command-timeout, ...). */
  code: z.string(),
  message: z.string(),
  /** When this error was first seen (epoch ms). */
  since: z.number(),
});
export type DirectorErrorView = z.infer<typeof DirectorErrorView>;

/** One VRRP instance as one director sees it. */
export const DirectorVrrpInstance = z.object({
  name: z.string(),
  state: VrrpState,
  priority: z.nullable(z.int()),
  effectivePriority: z.nullable(z.int()),
  /** keepalived's last transition time (epoch ms), when known. */
  lastTransitionAt: z.nullable(z.number()),
  /** VIPs this instance manages (from keepalived's dump). */
  vips: z.array(z.string()),
  /** How many of those VIPs this director actually holds right now (ip addr: the ground truth). */
  vipsHeld: z.int().check(z.nonnegative()),
  syncGroup: z.nullable(z.string()),
  /** The interface VRRP runs on here (keepalived's `Interface`), when the dump said. */
  interface: z.optional(z.nullable(z.string())),
});
export type DirectorVrrpInstance = z.infer<typeof DirectorVrrpInstance>;

export const DirectorHealthView = z.object({
  ipForward: z.nullable(z.boolean()),
  expireQuiescentTemplate: z.nullable(z.boolean()),
  expireNodestConn: z.nullable(z.boolean()),
  conntrackCount: z.nullable(z.int()),
  conntrackMax: z.nullable(z.int()),
});
export type DirectorHealthView = z.infer<typeof DirectorHealthView>;

export const DirectorView = z.object({
  name: z.string(),
  /** host:port as configured (no credentials). */
  endpoint: z.string(),
  /** True when the last refresh succeeded and is recent (within 3 poll intervals). */
  live: z.boolean(),
  /** When the data shown for this director was taken (epoch ms); null if never. */
  takenAt: z.nullable(z.number()),
  /** Duration of the last successful refresh. */
  refreshMs: z.nullable(z.number()),
  /** Time between the starts of its last two scheduled refreshes: the poll interval while the
   *  console keeps up, more when it falls behind (absent before the second refresh). */
  refreshIntervalMs: z.optional(z.nullable(z.number())),
  error: z.nullable(DirectorErrorView),
  keepalivedRunning: z.nullable(z.boolean()),
  keepalivedPid: z.nullable(z.int()),
  instances: z.array(DirectorVrrpInstance),
  /** All addresses this director holds that are VIPs of some instance. */
  heldVips: z.array(z.string()),
  health: z.nullable(DirectorHealthView),
  ipvsadmVersion: z.nullable(z.string()),
  /** NetworkManager on this director: absent/null until it was looked for. */
  network: z.optional(z.nullable(DirectorNetwork)),
});
export type DirectorView = z.infer<typeof DirectorView>;

/** A VRRP instance across the cluster. */
export const ClusterInstance = z.object({
  name: z.string(),
  vips: z.array(z.string()),
  /** The director that holds the VIPs (ground truth), or null when none does. */
  master: z.nullable(z.string()),
  /** Every director holding any of the VIPs: more than one is split brain. */
  holders: z.array(z.string()),
  /** Since when the current master has been master (keepalived's last transition), when known. */
  masterSince: z.nullable(z.number()),
  states: z.record(z.string(), VrrpState),
});
export type ClusterInstance = z.infer<typeof ClusterInstance>;

export const RealServerHealth = z.enum(['up', 'drained', 'down', 'unknown']);
export type RealServerHealth = z.infer<typeof RealServerHealth>;

/** A real server's values in a director's IPVS table (null when absent or unknown). */
const RealServerValues = {
  forward: z.nullable(z.string()),
  weight: z.nullable(z.int()),
  activeConns: z.nullable(z.int()),
  inactiveConns: z.nullable(z.int()),
  persistentConns: z.nullable(z.int()),
};

/** One director's values for a real server; null fields when absent there. */
export const RealServerOnDirector = z.object({ present: z.boolean(), ...RealServerValues });
export type RealServerOnDirector = z.infer<typeof RealServerOnDirector>;

/** A keepalived FILE_CHECK track file whose number sets this real server's weight: weight = base + value x multiplier. */
export const TrackFileRef = z.object({
  /** Absolute path on the directors, e.g. /var/lib/lvs-console/track/rs3-80. */
  path: z.string(),
  /** The FILE_CHECK's weight (what one unit in the file adds). */
  multiplier: z.int(),
  /** The real server's configured weight before the file is added. */
  base: z.int(),
});
export type TrackFileRef = z.infer<typeof TrackFileRef>;

/** An open drain/weight intent holding this real server (see lib/models/drain.ts for the full record). */
export const RealServerHold = z.object({
  intentId: z.string(),
  kind: z.enum(['drain', 'weight']),
  weight: z.int(),
  mechanism: z.enum(['ipvsadm', 'track-file']),
  actor: z.string(),
  reason: z.string(),
  createdAt: z.number(),
  expiresAt: z.nullable(z.number()),
});
export type RealServerHold = z.infer<typeof RealServerHold>;

export const MergedRealServer = z.object({
  /** "192.0.2.11:80" or "[2001:db8::11]:80". */
  key: z.string(),
  address: z.string(),
  port: z.int(),
  /** Values on the active director (the one holding the service's VIP). */
  ...RealServerValues,
  stats: z.nullable(IpvsStats),
  rates: z.nullable(IpvsRates),
  /** The weight keepalived's configuration gives it, when known. */
  configuredWeight: z.nullable(z.int()),
  /** keepalived's checker verdict, when known. */
  checkerAlive: z.nullable(z.boolean()),
  health: RealServerHealth,
  /** Set when keepalived tracks a file for this real server (the drain can be held by writing it). */
  trackFile: z.optional(z.nullable(TrackFileRef)),
  /** The console's open intent holding this real server's weight, if any. */
  hold: z.optional(z.nullable(RealServerHold)),
  /**
   * Each director's own values. GET /api/clusters/:cluster leaves it out when `differs` is empty
   * (a third of the bytes at 20,000 real servers); it then parses as {}. Everything else has it.
   */
  perDirector: z._default(z.record(z.string(), RealServerOnDirector), {}),
  /** Fields whose values differ between live directors (e.g. ["weight"], ["present"]). */
  differs: z.array(z.string()),
});
export type MergedRealServer = z.infer<typeof MergedRealServer>;

export const MergedService = z.object({
  /** Stable id: "TCP 192.0.2.100:80", "UDP [2001:db8::1]:53", "FWM 1", "FWM 1 IPv6". */
  key: z.string(),
  protocol: IpvsProtocol,
  family: AddressFamily,
  address: z.nullable(z.string()),
  port: z.nullable(z.int()),
  fwmark: z.nullable(z.int()),
  scheduler: z.nullable(z.string()),
  flags: z.array(z.string()),
  persistent: z.nullable(z.object({ timeout: z.int(), netmask: z.nullable(z.string()) })),
  pe: z.nullable(z.string()),
  ops: z.boolean(),
  /** The director whose figures are shown (holds this service's VIP), or null. */
  activeDirector: z.nullable(z.string()),
  presentOn: z.array(z.string()),
  stats: z.nullable(IpvsStats),
  rates: z.nullable(IpvsRates),
  realServers: z.array(MergedRealServer),
  differs: z.array(z.string()),
});
export type MergedService = z.infer<typeof MergedService>;

export const FindingKind = z.enum([
  'split-brain',
  'no-master',
  'directors-disagree',
  'director-unreachable',
  'keepalived-down',
  'stale-master-claim',
  'conntrack-near-full',
  'orphan-drain',
  'old-drain',
  'persistence-quiescent',
  'drain-expired',
  'drift-repair-failing',
  'parse-error',
  /** A VIP written into a NetworkManager profile (on every boot it comes back, whatever keepalived says). */
  'nm-vip-in-profile',
  /** A VRRP or real-server-facing device that NetworkManager reports not connected. */
  'nm-device-not-connected',
  /** A VRRP interface NetworkManager manages on some directors and not on others. */
  'nm-managed-inconsistent',
  /** An autoconnect DHCP profile on a VRRP interface: a renewal or re-apply can flush keepalived's VIPs. */
  'nm-dhcp-on-vrrp',
]);
export type FindingKind = z.infer<typeof FindingKind>;

export const Finding = z.object({
  /** Stable for as long as the condition lasts (used to merge and to track "since"). */
  id: z.string(),
  kind: FindingKind,
  severity: z.enum(['critical', 'warning', 'info']),
  message: z.string(),
  director: z.nullable(z.string()),
  service: z.nullable(z.string()),
  realServer: z.nullable(z.string()),
  since: z.number(),
});
export type Finding = z.infer<typeof Finding>;

export const ClusterHealth = z.enum(['ok', 'warning', 'critical']);
export type ClusterHealth = z.infer<typeof ClusterHealth>;

/** A cluster's health: the worst severity among its findings (info does not count). */
export function clusterHealth(findings: readonly Pick<Finding, 'severity'>[]): ClusterHealth {
  if (findings.some((f) => f.severity === 'critical')) return 'critical';
  if (findings.some((f) => f.severity === 'warning')) return 'warning';
  return 'ok';
}

export const ClusterSnapshot = z.object({
  name: z.string(),
  /** When this merged snapshot was built (epoch ms). */
  takenAt: z.number(),
  pollIntervalMs: z.number(),
  directors: z.array(DirectorView),
  instances: z.array(ClusterInstance),
  services: z.array(MergedService),
  findings: z.array(Finding),
  /**
   * Only on a first-screen answer (`?services=N`): the services were cut to the first N, of this
   * many. Everything else (directors, instances, findings) is complete.
   */
  servicesTotal: z.optional(z.int()),
});
export type ClusterSnapshot = z.infer<typeof ClusterSnapshot>;

/**
 * `GET /api/clusters/:cluster?services=N`: the first screen of a large cluster, small and fast.
 * `form=rows`: real servers as rows (lib/models/compact-snapshot.ts; the browser's form).
 */
export const ClusterSnapshotQuery = z.strictObject({
  services: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000))),
  form: z.optional(z.enum(['rows'])),
});

export const RealServerCounts = z.object({
  up: z.int(),
  drained: z.int(),
  down: z.int(),
  unknown: z.int(),
});

export const ClusterSummary = z.object({
  name: z.string(),
  takenAt: z.number(),
  health: ClusterHealth,
  directors: z.array(
    z.object({ name: z.string(), live: z.boolean(), takenAt: z.nullable(z.number()), error: z.nullable(z.string()) }),
  ),
  instances: z.array(z.object({ name: z.string(), master: z.nullable(z.string()), vips: z.array(z.string()), masterSince: z.nullable(z.number()) })),
  serviceCount: z.int(),
  realServers: RealServerCounts,
  findings: z.array(Finding),
});
export type ClusterSummary = z.infer<typeof ClusterSummary>;

export const ClusterList = z.object({ clusters: z.array(ClusterSummary), generatedAt: z.number() });
export type ClusterList = z.infer<typeof ClusterList>;

export const HostMembership = z.object({
  address: z.string(),
  /** The host's names in the configuration (realServerHosts of the clusters it serves), if any. */
  names: z._default(z.array(z.string()), []),
  entries: z.array(
    z.object({
      cluster: z.string(),
      service: z.string(),
      realServer: MergedRealServer,
      activeDirector: z.nullable(z.string()),
    }),
  ),
});
export type HostMembership = z.infer<typeof HostMembership>;

export const HistoryPoint = z.object({
  t: z.number(),
  activeConns: z.number(),
  inactiveConns: z.number(),
  cps: z.number(),
  inPps: z.number(),
  outPps: z.number(),
  inBps: z.number(),
  outBps: z.number(),
  /** The time the point stands for: its bucket (a rolled-up minute or hour at least); absent from older servers. */
  spanMs: z.optional(z.number()),
  /** The largest value within the point's span (a one-poll peak the average hides). */
  max: z.optional(z.object({ activeConns: z.number(), cps: z.number(), inBps: z.number(), outBps: z.number() })),
});
export type HistoryPoint = z.infer<typeof HistoryPoint>;

export const HistorySeries = z.object({
  cluster: z.string(),
  /** MergedService key; '' = the cluster as a whole (the sum of its services). */
  service: z.string(),
  /** null: the service as a whole. */
  realServer: z.nullable(z.string()),
  points: z.array(HistoryPoint),
});
export type HistorySeries = z.infer<typeof HistorySeries>;
export const HistoryResponse = z.object({
  from: z.number(),
  to: z.number(),
  /** The bucket every series was averaged into (older parts are at least their rollup's minute or hour). */
  resolutionMs: z.optional(z.number()),
  series: z.array(HistorySeries),
});
export type HistoryResponse = z.infer<typeof HistoryResponse>;
