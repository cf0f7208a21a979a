import type { ClusterSnapshot } from '@/lib/models/cluster';
import type { ConnectionDetail, DrainProgress, ProgressEntry, ProgressPoint } from '@/lib/models/drain';
import type { ConnectionSummary } from '@/server/parsers/ipvsadm-connections';
import { selectRealServers } from './plan';

// Pure: how far a drain has got, from the merged snapshot (counts on the director holding each
// service's VIP) and, when asked, a -Lnc summary of that director (expiry timers, clients).

export function progressEntries(
  snapshot: ClusterSnapshot,
  target: string,
  service: string | undefined,
  series: (service: string, realServer: string) => ProgressPoint[],
): ProgressEntry[] {
  return selectRealServers(snapshot, target, service).map(({ service: svc, rs }) => {
    const dir = svc.activeDirector;
    const on = dir !== null ? rs.perDirector[dir] : undefined;
    const present = on?.present ?? false;
    const active = on?.activeConns ?? null;
    const inactive = on?.inactiveConns ?? null;
    const persistent = on?.persistentConns ?? null;
    let state: ProgressEntry['state'];
    if (dir === null) state = 'unknown';
    else if (!present) state = 'absent';
    else if ((on?.weight ?? 0) > 0) state = 'serving';
    else if ((active ?? 0) + (inactive ?? 0) + (persistent ?? 0) === 0 && active !== null && inactive !== null) state = 'drained';
    else state = 'draining';
    return { service: svc.key, realServer: rs.key, director: dir, weight: on?.weight ?? null, active, inactive, persistent, state, series: series(svc.key, rs.key) };
  });
}

/** Overall: serving if any still takes new connections; draining while any has some; drained when all are empty (absent counts as empty). */
export function overallState(entries: readonly ProgressEntry[]): DrainProgress['state'] {
  if (entries.some((e) => e.state === 'serving')) return 'serving';
  if (entries.some((e) => e.state === 'unknown')) return 'unknown';
  if (entries.some((e) => e.state === 'draining')) return 'draining';
  return 'drained';
}

/**
 * Estimated seconds to zero: the latest -Lnc expiry among the entries (persistence templates
 * included). ESTABLISHED entries restart their timer (15 min by default) on every packet, so while
 * such connections carry traffic the figure is a lower bound.
 */
export function estimate(details: readonly ConnectionDetail[]): { seconds: number | null; note: string | null } {
  const known = details.filter((d) => d.error === null);
  if (known.length === 0) return { seconds: null, note: null };
  const secs = Math.max(0, ...known.map((d) => d.maxExpiresInSeconds ?? 0));
  const established = known.reduce((a, d) => a + (d.byState.ESTABLISHED ?? 0), 0);
  const note =
    established > 0
      ? `${established} ESTABLISHED connection${established === 1 ? '' : 's'}: each packet restarts its timer, so this is a lower bound while they carry traffic`
      : null;
  return { seconds: secs, note };
}

export function connectionDetail(director: string, s: ConnectionSummary, takenAt: number): ConnectionDetail {
  return {
    director,
    entries: s.matched,
    templates: s.destinations.reduce((a, d) => a + d.templates, 0),
    byState: s.byState,
    maxExpiresInSeconds: s.maxExpiresInSeconds,
    clients: s.clients.sample,
    distinctClients: s.clients.distinct,
    takenAt,
    error: null,
  };
}

/** A bounded ring of progress points per intent key. */
export class ProgressSeries {
  private readonly points = new Map<string, ProgressPoint[]>();
  constructor(private readonly max = 900) {}

  add(key: string, p: ProgressPoint): void {
    const arr = this.points.get(key) ?? [];
    const last = arr[arr.length - 1];
    if (last && last.t === p.t) return;
    arr.push(p);
    if (arr.length > this.max) arr.splice(0, arr.length - this.max);
    this.points.set(key, arr);
  }

  get(key: string): ProgressPoint[] {
    return [...(this.points.get(key) ?? [])];
  }

  retainWhere(keep: (key: string) => boolean): void {
    for (const k of [...this.points.keys()]) if (!keep(k)) this.points.delete(k);
  }
}
