import type { AuditEntry } from '@/lib/models/audit';
import { MASTER_KINDS, type ClusterEvent, type EventKind } from '@/lib/models/events';

// Pure: the incident timeline = cluster events and audit entries (operator actions, drift
// repairs) in one list, newest first, with the filters of the timeline page.

export type TimelineItem =
  | { type: 'event'; key: string; at: number; cluster: string; group: TimelineGroup; event: ClusterEvent; gapMs: number | null }
  | { type: 'audit'; key: string; at: number; cluster: string | null; group: TimelineGroup; entry: AuditEntry };

/** What the kind filter offers. */
export const TIMELINE_GROUPS = ['failover', 'vrrp', 'no-master', 'split-brain', 'keepalived', 'real-server', 'director', 'operator', 'drift-repair'] as const;
export type TimelineGroup = (typeof TIMELINE_GROUPS)[number];

export const GROUP_LABELS: Record<TimelineGroup, string> = {
  failover: 'Failovers and elections',
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
  'initial-election': 'failover',
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
  'vip-removed': 'vrrp',
  'rollout-batch': 'operator',
  'rollout-waiting': 'operator',
  'rollout-finished': 'operator',
  'rollout-stopped': 'operator',
};

/** Audit actions that are not about the clusters (logins, accounts, tokens) stay on the audit page. */
const OPERATOR_ACTIONS = new Set(['drain', 'restore', 'weight', 'host-drain', 'hold-expired', 'drain-expired', 'rollout-start', 'rollout-action']);

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

export type EventItem = Extract<TimelineItem, { type: 'event' }>;

/**
 * One burst: a new master on one or more instances (a failover or the initial election, same
 * from -> to within BURST_MS) with the VRRP transitions and no-master gaps around it. `head` is the
 * master event that tells it (the one with a cause when there is one); `members` are all of it, in
 * time order, head included.
 */
export interface TimelineBurst {
  type: 'burst';
  key: string;
  at: number;
  cluster: string;
  group: TimelineGroup;
  head: EventItem;
  members: EventItem[];
  /** Instances whose master changed, sorted. */
  instances: string[];
  /** The longest gap among its failovers (null: none known). */
  gapMs: number | null;
}

export type TimelineEntry = TimelineItem | TimelineBurst;

/** How far apart the rows of one burst may be. */
export const BURST_MS = 10_000;

const masterOf = (e: ClusterEvent) => e.toMaster ?? e.director;

/**
 * Pure: timeline items (newest first, from buildTimeline) -> the same with each failover's rows
 * folded into one burst. A master event with nothing to fold stays a plain item.
 */
export function groupBursts(items: readonly TimelineItem[]): TimelineEntry[] {
  const events = items.filter((i): i is EventItem => i.type === 'event');
  // Master events oldest first, chained into bursts: same cluster, kind and from -> to, each within BURST_MS of the first.
  const masters = events.filter((i) => MASTER_KINDS.includes(i.event.kind)).sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
  const bursts: { members: EventItem[]; masters: EventItem[] }[] = [];
  for (const m of masters) {
    const b = bursts.find((x) => {
      const first = x.masters[0];
      return (
        first !== undefined && first.cluster === m.cluster && first.event.kind === m.event.kind && masterOf(first.event) === masterOf(m.event) &&
        first.event.fromMaster === m.event.fromMaster && m.at - first.at <= BURST_MS && !x.masters.some((y) => y.event.instance === m.event.instance)
      );
    });
    if (b) {
      b.masters.push(m);
      b.members.push(m);
    } else bursts.push({ masters: [m], members: [m] });
  }
  const claimed = new Set<string>(masters.map((m) => m.key));
  // The VRRP transitions and gaps of the same instances around each burst (each row to the nearest burst).
  for (const i of events) {
    const e = i.event;
    if (claimed.has(i.key) || (e.kind !== 'vrrp-transition' && e.kind !== 'no-master')) continue;
    const t = e.kind === 'no-master' ? e.endedAt : e.at;
    if (t === null) continue;
    let best: { b: (typeof bursts)[number]; d: number } | null = null;
    for (const b of bursts) {
      const first = b.masters[0];
      if (!first || first.cluster !== i.cluster || !b.masters.some((m) => m.event.instance === e.instance)) continue;
      const from = Math.min(...b.masters.map((m) => m.at)) - BURST_MS;
      const to = Math.max(...b.masters.map((m) => m.at)) + BURST_MS;
      if (t < from || t > to) continue;
      const d = Math.min(...b.masters.map((m) => Math.abs(m.at - t)));
      if (!best || d < best.d) best = { b, d };
    }
    if (best) {
      best.b.members.push(i);
      claimed.add(i.key);
    }
  }
  const byKey = new Map<string, TimelineBurst>();
  const out: TimelineEntry[] = [];
  for (const b of bursts) {
    if (b.members.length < 2) continue;
    const head = b.masters.find((m) => m.event.cause !== null) ?? b.masters[0];
    if (!head) continue;
    const members = [...b.members].sort((x, y) => x.at - y.at || x.key.localeCompare(y.key));
    const gaps = b.masters.map((m) => m.gapMs).filter((g): g is number => g !== null);
    const burst: TimelineBurst = {
      type: 'burst', key: `b${head.key}`, at: Math.max(...members.map((m) => m.at)), cluster: head.cluster, group: head.group, head, members,
      instances: [...new Set(b.masters.map((m) => m.event.instance ?? ''))].sort(), gapMs: gaps.length > 0 ? Math.max(...gaps) : null,
    };
    for (const m of members) byKey.set(m.key, burst);
  }
  const placed = new Set<string>();
  for (const i of items) {
    const burst = byKey.get(i.key);
    if (!burst) out.push(i);
    else if (!placed.has(burst.key)) {
      placed.add(burst.key);
      out.push(burst);
    }
  }
  // A burst sits at its newest row.
  return out.sort((a, b) => b.at - a.at || a.key.localeCompare(b.key));
}

/**
 * A row of the cluster page's "last hour" list: a timeline entry, or real servers that went down
 * together for one cause (a host down on every service, or keepalived tearing a director's table
 * down as it stops), which would otherwise push the failover they came with off the short list.
 */
export type RecentRow = { type: 'entry'; key: string; entry: TimelineEntry } | { type: 'real-servers-down'; key: string; at: number; events: ClusterEvent[] };

/**
 * Pure: entries (newest first) -> rows, each run of real-server-down events of one cluster with
 * one cause, within BURST_MS of the run's newest, folded into one row (newest event first). A run
 * of one stays a plain entry; anything else between two such events ends the run.
 */
export function foldRealServerDowns(entries: readonly TimelineEntry[]): RecentRow[] {
  const out: RecentRow[] = [];
  let run: EventItem[] = [];
  const flush = () => {
    const [first] = run;
    if (first && run.length === 1) out.push({ type: 'entry', key: first.key, entry: first });
    else if (first) out.push({ type: 'real-servers-down', key: `r${first.key}`, at: first.at, events: run.map((i) => i.event) });
    run = [];
  };
  for (const entry of entries) {
    const isDown = entry.type === 'event' && entry.event.kind === 'real-server-down';
    const head = run[0];
    if (isDown && head && head.cluster === entry.cluster && head.event.cause === entry.event.cause && head.at - entry.at <= BURST_MS) {
      run.push(entry);
      continue;
    }
    flush();
    if (isDown) run.push(entry);
    else out.push({ type: 'entry', key: entry.key, entry });
  }
  flush();
  return out;
}

/** The burst (or plain item) that shows the event with this id, for a link to it. */
export function entryOfEvent(entries: readonly TimelineEntry[], id: string): TimelineEntry | null {
  return (
    entries.find((x) => (x.type === 'event' && x.event.id === id) || (x.type === 'burst' && x.members.some((m) => m.event.id === id))) ?? null
  );
}

/** The element id of an event's row (its anchor: `#event-<id>`). */
export function eventAnchor(id: string): string {
  return `event-${id}`;
}

/** The event id in a location hash (`#event-42` -> "42"), or null. */
export function eventIdFromHash(hash: string): string | null {
  const m = /^#?event-(\d+)$/.exec(hash);
  return m?.[1] ?? null;
}

/** What the timeline shows, as kept in the page's URL so a link shows the same window and kinds. */
export interface TimelineUrlState {
  range: TimeRange;
  groups: TimelineGroup[];
  /** The all-clusters timeline's cluster filter ('' = every cluster). */
  cluster: string;
}

export const TIMELINE_URL_KEYS = { range: 'range', from: 'from', to: 'to', kinds: 'kinds', cluster: 'in' } as const;
const PRESETS: readonly RangePreset[] = ['1h', '24h', '7d', 'custom'];
const DEFAULT_PRESET: RangePreset = '24h';

/** The state a URL asks for; anything unreadable falls back to the default for that part. */
export function timelineStateFromUrl(params: { get(key: string): string | null } | null): TimelineUrlState {
  const get = (k: string) => params?.get(k) ?? null;
  const preset = PRESETS.find((p) => p === get(TIMELINE_URL_KEYS.range)) ?? DEFAULT_PRESET;
  const time = (k: string): number | undefined => {
    const v = get(k);
    if (v === null || !/^\d{1,15}$/.test(v)) return undefined;
    return Number(v);
  };
  const range: TimeRange = preset === 'custom' ? { preset, from: time(TIMELINE_URL_KEYS.from), to: time(TIMELINE_URL_KEYS.to) } : { preset };
  const groups = (get(TIMELINE_URL_KEYS.kinds) ?? '')
    .split(',')
    .filter((g, i, all): g is TimelineGroup => (TIMELINE_GROUPS as readonly string[]).includes(g) && all.indexOf(g) === i);
  return { range, groups, cluster: (get(TIMELINE_URL_KEYS.cluster) ?? '').slice(0, 200) };
}

/** `search` (a location's query) with the timeline's state written in, the defaults left out. */
export function timelineStateToUrl(search: string, s: TimelineUrlState): string {
  const params = new URLSearchParams(search);
  for (const k of Object.values(TIMELINE_URL_KEYS)) params.delete(k);
  if (s.range.preset !== DEFAULT_PRESET) params.set(TIMELINE_URL_KEYS.range, s.range.preset);
  if (s.range.preset === 'custom') {
    if (s.range.from !== undefined) params.set(TIMELINE_URL_KEYS.from, String(Math.floor(s.range.from)));
    if (s.range.to !== undefined) params.set(TIMELINE_URL_KEYS.to, String(Math.floor(s.range.to)));
  }
  if (s.groups.length > 0) params.set(TIMELINE_URL_KEYS.kinds, s.groups.join(','));
  if (s.cluster) params.set(TIMELINE_URL_KEYS.cluster, s.cluster);
  return params.toString();
}
