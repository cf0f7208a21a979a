import { z } from 'zod/mini';

// Director maintenance (issue 17): move the VIPs off a director through keepalived's own VRRP track
// file, checked before (the pre-flight), verified after, and given back the same way. The request
// bodies, the pre-flight, the held maintenance (an intent like a drain) and the action's result.
// Shared by the server, the browser and lvsctl.

/** The track file under the console's track directory that the VRRP instances track for maintenance. */
export const MAINTENANCE_TRACK_FILE = 'vrrp-maint';

export const MaintenanceAction = z.enum(['enter', 'exit']);
export type MaintenanceAction = z.infer<typeof MaintenanceAction>;

export const CheckStatus = z.enum(['ok', 'warning', 'refusal']);
export type CheckStatus = z.infer<typeof CheckStatus>;

/** One pre-flight item: ok, warning (shown, does not stop), or refusal (stops unless forced, where forcing is allowed). */
export const MaintenanceCheck = z.object({
  /** Stable id: track-file, peer-live, peer-keepalived, peer-fault, tables, checkers, moves, preempt, connections, last-director. */
  id: z.string(),
  status: CheckStatus,
  title: z.string(),
  detail: z.string(),
  /** A refusal `force` may override (drift); the others hold even when forced. */
  forcible: z.boolean(),
});
export type MaintenanceCheck = z.infer<typeof MaintenanceCheck>;

/**
 * The refusals that stop the action: every refusal, but the forcible ones when `force` (the
 * server's verdict, and the dialog's when its force box is ticked over an unforced pre-flight).
 */
export function blockingRefusals(checks: readonly MaintenanceCheck[], force: boolean): MaintenanceCheck[] {
  return checks.filter((c) => c.status === 'refusal' && !(c.forcible && force));
}

/** A VRRP instance whose VIPs move, and where (sync group members move together). */
export const MaintenanceMove = z.object({
  instance: z.string(),
  syncGroup: z.nullable(z.string()),
  vips: z.array(z.string()),
  /** Who holds the VIPs now (ip addr), null when nobody does. */
  from: z.nullable(z.string()),
  /** Who should hold them after (the highest effective priority among the others), null when nobody can. */
  to: z.nullable(z.string()),
});
export type MaintenanceMove = z.infer<typeof MaintenanceMove>;

export const SyncDaemonState = z.object({
  director: z.string(),
  master: z.boolean(),
  backup: z.boolean(),
  /** The master daemon's syncid (else the backup's), null when neither runs or the read failed. */
  syncId: z.nullable(z.int()),
  error: z.nullable(z.string()),
});
export type SyncDaemonState = z.infer<typeof SyncDaemonState>;

/** Whether the connections through the director the VIPs leave survive the switch. */
export const ConnectionSurvival = z.object({
  /** The director whose connections are counted (the one holding the VIPs now), null when none does. */
  director: z.nullable(z.string()),
  /** Established TCP entries there (`ipvsadm -Lnc`), null when unread. */
  established: z.nullable(z.int().check(z.nonnegative())),
  /** Of those, how many the peer that takes over has no entry for: they break at the switch. */
  wouldBreak: z.nullable(z.int().check(z.nonnegative())),
  /** The peer counted against. */
  peer: z.nullable(z.string()),
  syncDaemons: z.array(SyncDaemonState),
  /** net.ipv4.vs.sloppy_tcp on the peer: it takes over mid-stream TCP it has no entry for. */
  peerSloppyTcp: z.nullable(z.boolean()),
  errors: z.array(z.string()),
});
export type ConnectionSurvival = z.infer<typeof ConnectionSurvival>;

export const MaintenancePreflight = z.object({
  cluster: z.string(),
  director: z.string(),
  action: MaintenanceAction,
  /** The track file's path on the director when keepalived tracks it, else null. */
  trackFile: z.nullable(z.string()),
  /** The keepalived.conf lines to add when the track file is not configured, else null. */
  configHint: z.nullable(z.string()),
  moves: z.array(MaintenanceMove),
  connections: ConnectionSurvival,
  checks: z.array(MaintenanceCheck),
  /** No refusal (or only forcible ones and force was asked for). */
  allowed: z.boolean(),
  takenAt: z.number(),
});
export type MaintenancePreflight = z.infer<typeof MaintenancePreflight>;

/** A director held in maintenance: who, why, since when; ended when given back. */
export const DirectorMaintenance = z.object({
  id: z.string(),
  cluster: z.string(),
  director: z.string(),
  actor: z.string(),
  reason: z.string(),
  ticket: z.nullable(z.string()),
  createdAt: z.number(),
  /** Lease: when the console gives the director back by itself (null: held until given back). */
  expiresAt: z.nullable(z.number()),
  endedAt: z.nullable(z.number()),
  endedBy: z.nullable(z.string()),
  endReason: z.nullable(z.string()),
});
export type DirectorMaintenance = z.infer<typeof DirectorMaintenance>;

const Reason = z.string().check(z.trim(), z.minLength(1, 'reason is required: say why (it goes to the audit log)'), z.maxLength(500));

export const MaintenanceRequest = z.strictObject({
  reason: Reason,
  ticket: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
  /** Lease: give the director back by itself after this many minutes (at most 7 days). */
  expiresInMinutes: z.optional(z.int().check(z.gte(1), z.lte(7 * 24 * 60))),
  /** Go ahead although the peer's IPVS table differs from this one's (the only forcible refusal). */
  force: z.optional(z.boolean()),
  /** Pre-flight only: change nothing. */
  dryRun: z.optional(z.boolean()),
});
export type MaintenanceRequest = z.infer<typeof MaintenanceRequest>;

export const GiveBackRequest = z.strictObject({
  reason: z.optional(z.string().check(z.trim(), z.maxLength(500))),
  force: z.optional(z.boolean()),
  dryRun: z.optional(z.boolean()),
});
export type GiveBackRequest = z.infer<typeof GiveBackRequest>;

/** What was seen after the track file was written. */
export const MaintenanceVerification = z.object({
  /** Every moving instance's VIPs on the expected director and on no other. */
  moved: z.boolean(),
  /** Per instance: who held its VIPs at the last look. */
  holders: z.record(z.string(), z.array(z.string())),
  waitedMs: z.number(),
  /** Time with no director holding a moving instance's VIPs, as far as the looks could tell (null: never seen empty). */
  gapMs: z.nullable(z.number()),
  /** The track file was written back because the VIPs did not move in time. */
  rolledBack: z.boolean(),
  /**
   * After the move, keepalived's own view (a fresh dump): the new holder MASTER and the old one
   * BACKUP for every moving instance. null when not checked (nothing moved, or it did not move).
   */
  keepalivedAgrees: z.nullable(z.boolean()),
  /** The failover events the console recorded for the move (the timeline's #event-<id>). */
  failoverEventIds: z.array(z.string()),
  /**
   * The no-master gap of the move as keepalived's logs measured it (the failover events' gap, from
   * the old master leaving MASTER to the new one entering it; 0 when preempted): the longest over
   * the moving instances. null when the logs did not say (not read yet, or unreadable).
   */
  eventGapMs: z._default(z.nullable(z.number()), null),
});
export type MaintenanceVerification = z.infer<typeof MaintenanceVerification>;

export const MaintenanceResult = z.object({
  action: MaintenanceAction,
  cluster: z.string(),
  director: z.string(),
  dryRun: z.boolean(),
  /** ok: done and verified; rolled-back: the VIPs did not move and the file was written back; failed: the write failed. */
  outcome: z.enum(['ok', 'rolled-back', 'failed', 'planned']),
  message: z.string(),
  preflight: MaintenancePreflight,
  maintenance: z.nullable(DirectorMaintenance),
  verification: z.nullable(MaintenanceVerification),
  auditId: z.nullable(z.string()),
});
export type MaintenanceResult = z.infer<typeof MaintenanceResult>;

/** Per director: whether keepalived tracks the maintenance file, the number it read there, the console's open row. */
export const DirectorMaintenanceStatus = z.object({
  director: z.string(),
  /** The file's path when keepalived tracks it (from its last dump), else null: not configured, or not read yet. */
  trackFile: z.nullable(z.string()),
  /** keepalived's last reading of it: 0 in service, anything else in maintenance. */
  value: z.nullable(z.int()),
  maintenance: z.nullable(DirectorMaintenance),
});
export type DirectorMaintenanceStatus = z.infer<typeof DirectorMaintenanceStatus>;

export const MaintenanceStatus = z.object({ cluster: z.string(), directors: z.array(DirectorMaintenanceStatus) });
export type MaintenanceStatus = z.infer<typeof MaintenanceStatus>;

export const MaintenanceList = z.object({ cluster: z.string(), maintenance: z.array(DirectorMaintenance) });
export type MaintenanceList = z.infer<typeof MaintenanceList>;

/** The keepalived.conf lines that make a director's VRRP instances track the maintenance file. */
export function maintenanceConfigHint(path: string, instances: readonly string[], syncGroups: readonly string[]): string {
  const lines = [
    `track_file vrrp_maint {`,
    `    file "${path}"`,
    `}`,
    '',
    ...syncGroups.flatMap((g) => [`vrrp_sync_group ${g} {`, `    sync_group_tracking_weight   # else keepalived ignores the weight below in a sync group`, `    ...`, `}`, '']),
    ...instances.flatMap((i) => [
      `vrrp_instance ${i} {`,
      `    ...`,
      `    track_file {`,
      `        vrrp_maint weight -253   # 1 in the file: priority 1, below every peer (below -253 is FAULT)`,
      `    }`,
      `}`,
    ]),
  ];
  return lines.join('\n');
}
