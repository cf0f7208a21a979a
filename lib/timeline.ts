import type { AuditEntry } from '@/lib/models/audit';
import type { ClusterEvent, EventKind } from '@/lib/models/events';

// Pure: the incident timeline = cluster events and audit entries (operator actions, drift
// repairs) in one list, newest first, with the filters of the timeline page.

export type TimelineItem =
  | { type: 'event'; key: string; at: number; cluster: string; group: TimelineGroup; event: ClusterEvent; gapMs: number | null }
  | { type: 'audit'; key: string; at: number; cluster: string | null; group: TimelineGroup; entry: AuditEntry };

/** What the kind filter offers. */
export const TIMELINE_GROUPS = ['failover', 'vrrp', 'no-master', 'split-brain', 'keepalived', 'real-server', 'director', 'operator', 'drift-repair'] as const;
export type TimelineGroup = (typeof TIMELINE_GROUPS)[number];

export const GROUP_LABELS: Record<TimelineGroup, string> = {
  failover: 'Failovers',
  vrrp: 'VRRP transitions',
  'no-master': 'No-master gaps',
  'split-brain': 'Split brains',
  keepalived: 'keepalived down/up',
  'real-server': 'Real servers up/down',
  director: 'Director reachability',
  operator: 'Operator actions',
  'drift-repair': 'Drift repairs',
};

const EVENT_GROUP: Record<EventKind, TimelineGroup> = {
  failover: 'failover',
  'vrrp-transition': 'vrrp',
  'no-master': 'no-master',
  'split-brain': 'split-brain',
  'keepalived-down': 'keepalived',
  'keepalived-up': 'keepalived',
  'real-server-down': 'real-server',
  'real-server-up': 'real-server',
  'director-unreachable': 'director',
  'director-reachable': 'director',
  'drift-repair': 'drift-repair',
  'hold-expired': 'operator',
};

/** Audit actions that are not about the clusters (logins, accounts, tokens) stay on the audit page. */
const OPERATOR_ACTIONS = new Set(['drain', 'restore', 'weight', 'host-drain', 'hold-expired', 'drain-expired']);

export function auditGroup(e: AuditEntry): TimelineGroup | null {
  if (e.action === 'drift-repair') return 'drift-repair';
  if (OPERATOR_ACTIONS.has(e.action) || (e.cluster !== null && !e.action.startsWith('POST ') && !e.action.startsWith('DELETE '))) return 'operator';
  return null;
}

export type RangePreset = '1h' | '24h' | '7d' | 'custom';
export const RANGE_MS: Record<Exclude<RangePreset, 'custom'>, number> = { '1h': 3_600_000, '24h': 24 * 3_600_000, '7d': 7 * 24 * 3_600_000 };

export interface TimeRange {
  preset: RangePreset;
  /** For 'custom' (epoch ms). */
  from?: number;
  to?: number;
}

export function resolveRange(r: TimeRange, now: number): { from: number; to: number } {
  if (r.preset === 'custom') {
    const to = r.to ?? now;
    return { from: Math.min(r.from ?? to - RANGE_MS['24h'], to), to };
  }
  return { from: now - RANGE_MS[r.preset], to: now };
}

/** A failover's gap: its own (from the logs) or that of the no-master interval it ended. */
function gapOf(e: ClusterEvent, all: readonly ClusterEvent[]): number | null {
  if (e.kind !== 'failover') return null;
  if (e.durationMs !== null) return e.durationMs;
  const gap = all.find((x) => x.kind === 'no-master' && x.cluster === e.cluster && x.instance === e.instance && x.endedAt !== null && Math.abs(x.endedAt - e.at) <= 3000);
  return gap?.durationMs ?? null;
}

export interface TimelineFilter {
  /** Empty: every group. */
  groups: readonly TimelineGroup[];
  /** null: every cluster. */
  cluster: string | null;
  from: number;
  to: number;
}

export function buildTimeline(events: readonly ClusterEvent[], audit: readonly AuditEntry[], f: TimelineFilter): TimelineItem[] {
  const want = (g: TimelineGroup) => f.groups.length === 0 || f.groups.includes(g);
  const inCluster = (c: string | null) => f.cluster === null || c === f.cluster;
  const items: TimelineItem[] = [];
  for (const e of events) {
    const group = EVENT_GROUP[e.kind];
    if (!want(group) || !inCluster(e.cluster)) continue;
    items.push({ type: 'event', key: `e${e.id}`, at: e.at, cluster: e.cluster, group, event: e, gapMs: gapOf(e, events) });
  }
  for (const a of audit) {
    // A completed attempt is told by its outcome row; an attempt without one stays (no outcome recorded).
    if (a.outcome === 'attempted' && a.outcomeId !== null) continue;
    const group = auditGroup(a);
    if (group === null || !want(group) || !inCluster(a.cluster) || a.at < f.from || a.at > f.to) continue;
    items.push({ type: 'audit', key: `a${a.id}`, at: a.at, cluster: a.cluster, group, entry: a });
  }
  return items.sort((a, b) => b.at - a.at || a.key.localeCompare(b.key));
}

/** Event kinds to ask the API for, given the groups (null: all). */
export function kindsFor(groups: readonly TimelineGroup[]): EventKind[] | null {
  if (groups.length === 0) return null;
  const kinds = (Object.keys(EVENT_GROUP) as EventKind[]).filter((k) => groups.includes(EVENT_GROUP[k]));
  return kinds;
}
