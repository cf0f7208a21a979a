import type { ClusterSnapshot } from '@/lib/models/cluster';
import type { ConnectionDetail, DrainProgress, ProgressEntry, ProgressPoint, WaitRequest } from '@/lib/models/drain';
import type { ConsoleConfig } from '@/server/config/schema';
import type { SshPool } from '@/server/ssh/pool';
import { SharedReads } from '@/server/ssh/shared-reads';
import { readConnections } from './connections-read';
import type { IntentStore } from './intent-store';
import { clusterConfig, guardPlan, snapshotOf, type ClusterView } from './ports';
import { parseTarget, selectRealServers } from './plan';

// How far a drain has got, from the merged snapshot (counts on the director holding each service's
// VIP) and, when asked, a -Lnc summary of that director (expiry timers, clients; the SSH read is in
// connections-read.ts). The functions are pure; DrainProgressTracker answers the progress route,
// long-polls, and samples each tick's counts into a series.

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

/** Wait no longer than this per wait call; clients loop for longer waits. */
export const MAX_WAIT_MS = 300_000;

/** A -Lnc summary younger than this is answered again (the page polls every 2 s; each answer has its takenAt). */
export const CONNECTIONS_REUSE_MS = 5000;

export interface DrainProgressDeps {
  config: Pick<ConsoleConfig, 'clusters' | 'pollIntervalMs'>;
  store: IntentStore;
  pool: SshPool;
  clusters: () => Pick<ClusterView, 'snapshot' | 'nextUpdate'>;
  now: () => number;
}

export class DrainProgressTracker {
  private readonly series = new ProgressSeries();
  /**
   * -Lnc summaries, per cluster|director|destination: however many viewers poll the progress with
   * connections=1, one `ipvsadm -Lnc` per key runs at a time, as a low-priority SSH read.
   */
  private readonly connectionReads = new SharedReads<ConnectionDetail>(CONNECTIONS_REUSE_MS);

  constructor(private readonly deps: DrainProgressDeps) {}

  async progress(cluster: string, target: string, service: string | undefined, withConnections: boolean): Promise<DrainProgress> {
    const c = clusterConfig(this.deps.config, cluster);
    const snapshot = snapshotOf(this.deps.clusters(), cluster);
    const entries = guardPlan(() => progressEntries(snapshot, target, service, (s, r) => this.series.get(`${cluster}|${s}|${r}`)));
    const connections: ConnectionDetail[] = [];
    if (withConnections) {
      const t = parseTarget(target);
      const byDirector = new Set(entries.map((e) => e.director).filter((d): d is string => d !== null));
      await Promise.all(
        [...byDirector].map(async (name) => {
          const d = c.directors.find((x) => x.name === name);
          if (!d) return;
          const key = `${cluster}|${name}|${t.address}|${t.port ?? ''}`;
          connections.push(await this.connectionReads.get(key, () => readConnections(d, name, t, this.deps)));
        }),
      );
    }
    const est = estimate(connections);
    const state = overallState(entries);
    return {
      cluster,
      target,
      service: service ?? null,
      state,
      entries,
      estimatedSecondsToZero: state === 'drained' ? 0 : est.seconds,
      estimateNote: state === 'drained' ? null : est.note,
      connections,
      takenAt: snapshot.takenAt,
    };
  }

  /**
   * Long-poll until the drain is complete (or the server stops being drained), or time runs out.
   * Waiting holds the HTTP request, never an SSH channel: each round reads the collector's snapshot
   * and sleeps on its next update; only a wait that times out reads -Lnc once (shared, as above).
   */
  async wait(cluster: string, req: WaitRequest): Promise<DrainProgress> {
    const deadline = this.deps.now() + Math.min(req.timeoutSeconds * 1000, MAX_WAIT_MS);
    for (;;) {
      const p = await this.progress(cluster, req.target, req.service, false);
      // 'serving' ends the wait only when nothing holds these servers at 0: right after a drain the
      // snapshot may predate it for one refresh.
      const held = new Set(this.deps.store.open(cluster).filter((i) => i.weight === 0).map((i) => `${i.service}|${i.realServer}`));
      const servingUnheld = p.state === 'serving' && !p.entries.some((e) => e.state === 'serving' && held.has(`${e.service}|${e.realServer}`));
      if (p.state === 'drained' || servingUnheld) return { ...p, timedOut: false };
      const left = deadline - this.deps.now();
      if (left <= 0) return { ...(await this.progress(cluster, req.target, req.service, true)), timedOut: true };
      await this.deps.clusters().nextUpdate(Math.min(left, this.deps.config.pollIntervalMs * 2));
    }
  }

  /** Record drain progress points for open drains (counts on the VIP holder); each collector tick. */
  sample(snapshot: ClusterSnapshot): void {
    const keys = new Set<string>();
    for (const i of this.deps.store.open(snapshot.name)) {
      const svc = snapshot.services.find((s) => s.key === i.service);
      const rs = svc?.realServers.find((r) => r.key === i.realServer);
      const key = `${snapshot.name}|${i.service}|${i.realServer}`;
      keys.add(key);
      if (!svc || !rs || svc.activeDirector === null) continue;
      const on = rs.perDirector[svc.activeDirector];
      if (!on?.present) continue;
      this.series.add(key, { t: snapshot.takenAt, active: on.activeConns ?? 0, inactive: on.inactiveConns ?? 0, persistent: on.persistentConns ?? 0 });
    }
    const prefix = `${snapshot.name}|`;
    this.series.retainWhere((k) => !k.startsWith(prefix) || keys.has(k));
  }

  /** Something changed on the cluster: answer the next -Lnc poll from a new read. */
  forget(cluster: string): void {
    this.connectionReads.invalidate((k) => k.startsWith(`${cluster}|`));
  }
}
