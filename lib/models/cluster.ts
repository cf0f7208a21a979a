import { z } from 'zod';
import { AddressFamily, IpvsProtocol, IpvsRates, IpvsStats } from './ipvsadm';

// The merged view of a cluster that the API serves and the UI renders.
// Everything carries the time it was observed: nothing stale is ever shown as live.

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
  priority: z.number().int().nullable(),
  effectivePriority: z.number().int().nullable(),
  /** keepalived's last transition time (epoch ms), when known. */
  lastTransitionAt: z.number().nullable(),
  /** VIPs this instance manages (from keepalived's dump). */
  vips: z.array(z.string()),
  /** How many of those VIPs this director actually holds right now (ip addr: the ground truth). */
  vipsHeld: z.number().int().nonnegative(),
  syncGroup: z.string().nullable(),
});
export type DirectorVrrpInstance = z.infer<typeof DirectorVrrpInstance>;

export const DirectorHealthView = z.object({
  ipForward: z.boolean().nullable(),
  expireQuiescentTemplate: z.boolean().nullable(),
  expireNodestConn: z.boolean().nullable(),
  conntrackCount: z.number().int().nullable(),
  conntrackMax: z.number().int().nullable(),
});
export type DirectorHealthView = z.infer<typeof DirectorHealthView>;

export const DirectorView = z.object({
  name: z.string(),
  /** host:port as configured (no credentials). */
  endpoint: z.string(),
  /** True when the last refresh succeeded and is recent (within 3 poll intervals). */
  live: z.boolean(),
  /** When the data shown for this director was taken (epoch ms); null if never. */
  takenAt: z.number().nullable(),
  /** Duration of the last successful refresh. */
  refreshMs: z.number().nullable(),
  error: DirectorErrorView.nullable(),
  keepalivedRunning: z.boolean().nullable(),
  keepalivedPid: z.number().int().nullable(),
  instances: z.array(DirectorVrrpInstance),
  /** All addresses this director holds that are VIPs of some instance. */
  heldVips: z.array(z.string()),
  health: DirectorHealthView.nullable(),
  ipvsadmVersion: z.string().nullable(),
});
export type DirectorView = z.infer<typeof DirectorView>;

/** A VRRP instance across the cluster. */
export const ClusterInstance = z.object({
  name: z.string(),
  vips: z.array(z.string()),
  /** The director that holds the VIPs (ground truth), or null when none does. */
  master: z.string().nullable(),
  /** Every director holding any of the VIPs: more than one is split brain. */
  holders: z.array(z.string()),
  /** Since when the current master has been master (keepalived's last transition), when known. */
  masterSince: z.number().nullable(),
  states: z.record(z.string(), VrrpState),
});
export type ClusterInstance = z.infer<typeof ClusterInstance>;

export const RealServerHealth = z.enum(['up', 'drained', 'down', 'unknown']);
export type RealServerHealth = z.infer<typeof RealServerHealth>;

/** A real server's values in a director's IPVS table (null when absent or unknown). */
const RealServerValues = {
  forward: z.string().nullable(),
  weight: z.number().int().nullable(),
  activeConns: z.number().int().nullable(),
  inactiveConns: z.number().int().nullable(),
  persistentConns: z.number().int().nullable(),
};

/** One director's values for a real server; null fields when absent there. */
export const RealServerOnDirector = z.object({ present: z.boolean(), ...RealServerValues });
export type RealServerOnDirector = z.infer<typeof RealServerOnDirector>;

/** A keepalived FILE_CHECK track file whose number sets this real server's weight: weight = base + value x multiplier. */
export const TrackFileRef = z.object({
  /** Absolute path on the directors, e.g. /var/lib/lvs-console/track/rs3-80. */
  path: z.string(),
  /** The FILE_CHECK's weight (what one unit in the file adds). */
  multiplier: z.number().int(),
  /** The real server's configured weight before the file is added. */
  base: z.number().int(),
});
export type TrackFileRef = z.infer<typeof TrackFileRef>;

/** An open drain/weight intent holding this real server (see lib/models/drain.ts for the full record). */
export const RealServerHold = z.object({
  intentId: z.string(),
  kind: z.enum(['drain', 'weight']),
  weight: z.number().int(),
  mechanism: z.enum(['ipvsadm', 'track-file']),
  actor: z.string(),
  reason: z.string(),
  createdAt: z.number(),
  expiresAt: z.number().nullable(),
});
export type RealServerHold = z.infer<typeof RealServerHold>;

export const MergedRealServer = z.object({
  /** "192.0.2.11:80" or "[2001:db8::11]:80". */
  key: z.string(),
  address: z.string(),
  port: z.number().int(),
  /** Values on the active director (the one holding the service's VIP). */
  ...RealServerValues,
  stats: IpvsStats.nullable(),
  rates: IpvsRates.nullable(),
  /** The weight keepalived's configuration gives it, when known. */
  configuredWeight: z.number().int().nullable(),
  /** keepalived's checker verdict, when known. */
  checkerAlive: z.boolean().nullable(),
  health: RealServerHealth,
  /** Set when keepalived tracks a file for this real server (the drain can be held by writing it). */
  trackFile: TrackFileRef.nullable().optional(),
  /** The console's open intent holding this real server's weight, if any. */
  hold: RealServerHold.nullable().optional(),
  /**
   * Each director's own values. GET /api/clusters/:cluster leaves it out when `differs` is empty
   * (a third of the bytes at 20,000 real servers); it then parses as {}. Everything else has it.
   */
  perDirector: z.record(z.string(), RealServerOnDirector).default({}),
  /** Fields whose values differ between live directors (e.g. ["weight"], ["present"]). */
  differs: z.array(z.string()),
});
export type MergedRealServer = z.infer<typeof MergedRealServer>;

export const MergedService = z.object({
  /** Stable id: "TCP 192.0.2.100:80", "UDP [2001:db8::1]:53", "FWM 1", "FWM 1 IPv6". */
  key: z.string(),
  protocol: IpvsProtocol,
  family: AddressFamily,
  address: z.string().nullable(),
  port: z.number().int().nullable(),
  fwmark: z.number().int().nullable(),
  scheduler: z.string().nullable(),
  flags: z.array(z.string()),
  persistent: z.object({ timeout: z.number().int(), netmask: z.string().nullable() }).nullable(),
  pe: z.string().nullable(),
  ops: z.boolean(),
  /** The director whose figures are shown (holds this service's VIP), or null. */
  activeDirector: z.string().nullable(),
  presentOn: z.array(z.string()),
  stats: IpvsStats.nullable(),
  rates: IpvsRates.nullable(),
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
]);
export type FindingKind = z.infer<typeof FindingKind>;

export const Finding = z.object({
  /** Stable for as long as the condition lasts (used to merge and to track "since"). */
  id: z.string(),
  kind: FindingKind,
  severity: z.enum(['critical', 'warning', 'info']),
  message: z.string(),
  director: z.string().nullable(),
  service: z.string().nullable(),
  realServer: z.string().nullable(),
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
  servicesTotal: z.number().int().optional(),
});
export type ClusterSnapshot = z.infer<typeof ClusterSnapshot>;

/** `GET /api/clusters/:cluster?services=N`: the first screen of a large cluster, small and fast. */
export const ClusterSnapshotQuery = z
  .object({ services: z.coerce.number().int().min(1).max(1000).optional() })
  .strict();

export const RealServerCounts = z.object({
  up: z.number().int(),
  drained: z.number().int(),
  down: z.number().int(),
  unknown: z.number().int(),
});

export const ClusterSummary = z.object({
  name: z.string(),
  takenAt: z.number(),
  health: ClusterHealth,
  directors: z.array(
    z.object({ name: z.string(), live: z.boolean(), takenAt: z.number().nullable(), error: z.string().nullable() }),
  ),
  instances: z.array(z.object({ name: z.string(), master: z.string().nullable(), vips: z.array(z.string()), masterSince: z.number().nullable() })),
  serviceCount: z.number().int(),
  realServers: RealServerCounts,
  findings: z.array(Finding),
});
export type ClusterSummary = z.infer<typeof ClusterSummary>;

export const ClusterList = z.object({ clusters: z.array(ClusterSummary), generatedAt: z.number() });
export type ClusterList = z.infer<typeof ClusterList>;

export const HostMembership = z.object({
  address: z.string(),
  /** The host's names in the configuration (realServerHosts of the clusters it serves), if any. */
  names: z.array(z.string()).default([]),
  entries: z.array(
    z.object({
      cluster: z.string(),
      service: z.string(),
      realServer: MergedRealServer,
      activeDirector: z.string().nullable(),
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
  spanMs: z.number().optional(),
  /** The largest value within the point's span (a one-poll peak the average hides). */
  max: z.object({ activeConns: z.number(), cps: z.number(), inBps: z.number(), outBps: z.number() }).optional(),
});
export type HistoryPoint = z.infer<typeof HistoryPoint>;

export const HistorySeries = z.object({
  cluster: z.string(),
  /** MergedService key; '' = the cluster as a whole (the sum of its services). */
  service: z.string(),
  /** null: the service as a whole. */
  realServer: z.string().nullable(),
  points: z.array(HistoryPoint),
});
export type HistorySeries = z.infer<typeof HistorySeries>;
export const HistoryResponse = z.object({
  from: z.number(),
  to: z.number(),
  /** The bucket every series was averaged into (older parts are at least their rollup's minute or hour). */
  resolutionMs: z.number().optional(),
  series: z.array(HistorySeries),
});
export type HistoryResponse = z.infer<typeof HistoryResponse>;
