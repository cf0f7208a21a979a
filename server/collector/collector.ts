import 'server-only';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import type { ClusterConfig, DirectorConfig } from '@/server/config/schema';
import { mergeSnapshot } from './merge-snapshot';
import type { DirectorObservation, ObservedDirectorData } from './observation';

// The background collector: every director is refreshed on its own timer, so a slow or
// dead director never delays the others; each cluster is re-merged on every poll tick (so
// staleness shows even when nothing answers) and when read after one of its directors reported.

/**
 * `opts.dumpNow`: ask keepalived for a new dump at the end of this refresh (the next one reads it).
 * `opts.networkNow`: read NetworkManager in this refresh (and look for it again where it was absent).
 */
export type RefreshOpts = { dumpNow?: boolean; networkNow?: boolean };
export type RefreshFn = (cluster: ClusterConfig, director: DirectorConfig, previous: ObservedDirectorData | null, opts?: RefreshOpts) => Promise<ObservedDirectorData>;

export interface CollectorOptions {
  clusters: readonly ClusterConfig[];
  pollIntervalMs: number;
  refresh: RefreshFn;
  /** Turns any thrown value into the error shown for a director. */
  describeError: (e: unknown) => { code: string; message: string };
  /** Called once per cluster per poll tick with the merged snapshot (history recording). */
  onTick?: (snapshot: ClusterSnapshot) => void;
  /**
   * Called after every director refresh, successful or not (the drain reconciler). `snapshot()`
   * merges on demand: a large cluster's merge costs hundreds of milliseconds, so a report merges
   * only when someone looks (this callback, a reader, or the poll tick).
   */
  onDirector?: (cluster: string, observation: DirectorObservation, snapshot: () => ClusterSnapshot) => void;
  /** Adds what lives outside the directors to every merged snapshot (drain holds and findings). */
  augment?: (snapshot: ClusterSnapshot) => ClusterSnapshot;
  now?: () => number;
}

interface DirectorSlot {
  config: DirectorConfig;
  obs: DirectorObservation;
  /** The refresh in flight, if any. */
  running: Promise<void> | null;
  timer: NodeJS.Timeout | null;
  /** When its scheduled loop last started a refresh. */
  lastRefreshStartedAt: number | null;
  /** Time between the starts of the last two scheduled refreshes. */
  intervalMs: number | null;
  errors: number;
  successes: number;
}

interface ClusterSlot {
  config: ClusterConfig;
  directors: DirectorSlot[];
  findingSince: Map<string, number>;
  holdingSince: Map<string, number>;
  snapshot: ClusterSnapshot;
  /** True when a director reported since the last merge. */
  dirty: boolean;
  /** Until when the last merge's liveness verdicts hold (the first live director going stale). */
  validUntil: number;
  tick: NodeJS.Timeout | null;
}

export class Collector {
  private readonly clusters = new Map<string, ClusterSlot>();
  private readonly now: () => number;
  private stopped = true;
  /** Set by stop(): a refresh still in flight then reports to no listener (its stores may be closed). */
  private closed = false;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly opts: CollectorOptions) {
    this.now = opts.now ?? Date.now;
    for (const c of opts.clusters) {
      const directors = c.directors.map<DirectorSlot>((d) => ({
        config: d,
        obs: { name: d.name, endpoint: `${d.host}:${d.port}`, data: null, error: null },
        running: null,
        timer: null,
        lastRefreshStartedAt: null,
        intervalMs: null,
        errors: 0,
        successes: 0,
      }));
      const slot: ClusterSlot = { config: c, directors, findingSince: new Map(), holdingSince: new Map(), snapshot: this.emptySnapshot(c.name), dirty: true, validUntil: 0, tick: null };
      this.clusters.set(c.name, slot);
      slot.snapshot = this.merge(slot);
    }
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.closed = false;
    for (const slot of this.clusters.values()) {
      slot.directors.forEach((d, i) => {
        // Spread first refreshes a little so many directors don't all connect in the same millisecond.
        d.timer = setTimeout(() => void this.refreshLoop(slot, d), Math.min(i * 25, 500));
      });
      slot.tick = setInterval(() => {
        slot.snapshot = this.merge(slot);
        this.opts.onTick?.(slot.snapshot);
      }, this.opts.pollIntervalMs);
      slot.tick.unref();
    }
  }

  stop(): void {
    this.stopped = true;
    this.closed = true;
    for (const slot of this.clusters.values()) {
      if (slot.tick) clearInterval(slot.tick);
      for (const d of slot.directors) if (d.timer) clearTimeout(d.timer);
    }
  }

  clusterNames(): string[] {
    return [...this.clusters.keys()];
  }

  snapshot(name: string): ClusterSnapshot | undefined {
    const slot = this.clusters.get(name);
    if (!slot) return undefined;
    // Re-merged on read only when a director reported since, or when a director's data may have
    // gone stale (liveness is judged against the current time); otherwise every reader shares the
    // last merge (a large cluster's merge costs tens of milliseconds).
    if (slot.dirty || this.now() > slot.validUntil) slot.snapshot = this.merge(slot);
    return slot.snapshot;
  }

  /** The last merge as it is (no re-merge, even when a director reported since). */
  lastSnapshot(name: string): ClusterSnapshot | undefined {
    return this.clusters.get(name)?.snapshot;
  }

  /** Each director's latest observation, as the merge reads it (keepalived's instances, track files, checkers). */
  observations(name: string): DirectorObservation[] {
    return this.clusters.get(name)?.directors.map((d) => d.obs) ?? [];
  }

  /** Forces the next read to re-merge (after something the merge reads besides observations changed). */
  invalidate(name: string): void {
    const slot = this.clusters.get(name);
    if (slot) slot.dirty = true;
  }

  snapshots(): ClusterSnapshot[] {
    return this.clusterNames().flatMap((n) => this.snapshot(n) ?? []);
  }

  /**
   * Refreshes one cluster's directors now (after an action) and resolves with the new snapshot: a
   * refresh already in flight is waited for, then a new one runs (its data may predate the action).
   * `keepalivedDump`: keepalived's state too (its dump is asked for, then read by a second refresh),
   * not the last dump, which may be a minute old.
   */
  async refreshNow(name: string, opts: { keepalivedDump?: boolean; network?: boolean } = {}): Promise<ClusterSnapshot | undefined> {
    const slot = this.clusters.get(name);
    if (!slot) return undefined;
    const again = async (d: DirectorSlot, o: RefreshOpts | undefined) => {
      await d.running;
      await this.refreshOnce(slot, d, o);
    };
    const first: RefreshOpts = { ...(opts.keepalivedDump ? { dumpNow: true } : {}), ...(opts.network ? { networkNow: true } : {}) };
    await Promise.all(slot.directors.map((d) => again(d, Object.keys(first).length > 0 ? first : undefined)));
    if (opts.keepalivedDump) await Promise.all(slot.directors.map((d) => again(d, undefined)));
    return this.snapshot(name);
  }

  /** Resolves after the next director refresh anywhere (tests, long-polling). */
  nextUpdate(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.waiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  stats(): { cluster: string; director: string; successes: number; errors: number; lastSuccessAt: number | null; refreshMs: number | null; intervalMs: number | null; error: string | null }[] {
    return [...this.clusters.values()].flatMap((c) =>
      c.directors.map((d) => ({
        cluster: c.config.name,
        director: d.config.name,
        successes: d.successes,
        errors: d.errors,
        lastSuccessAt: d.obs.data?.takenAt ?? null,
        refreshMs: d.obs.data?.durationMs ?? null,
        intervalMs: d.intervalMs,
        error: d.obs.error?.code ?? null,
      })),
    );
  }

  private async refreshLoop(slot: ClusterSlot, d: DirectorSlot): Promise<void> {
    if (this.stopped) return;
    const started = this.now();
    // The interval each director actually gets: when refreshes outlast the poll interval (a slow
    // director, or a console short of CPU), it stretches, and the page and /metrics say so.
    if (d.lastRefreshStartedAt !== null) d.intervalMs = started - d.lastRefreshStartedAt;
    d.lastRefreshStartedAt = started;
    await this.refreshOnce(slot, d);
    if (this.stopped) return;
    const wait = Math.max(0, this.opts.pollIntervalMs - (this.now() - started));
    d.timer = setTimeout(() => void this.refreshLoop(slot, d), wait);
  }

  private refreshOnce(slot: ClusterSlot, d: DirectorSlot, opts?: RefreshOpts): Promise<void> {
    if (d.running) return d.running;
    d.running = this.runRefresh(slot, d, opts).finally(() => (d.running = null));
    return d.running;
  }

  private async runRefresh(slot: ClusterSlot, d: DirectorSlot, opts?: RefreshOpts): Promise<void> {
    try {
      const data = await this.opts.refresh(slot.config, d.config, d.obs.data, opts);
      d.obs = { ...d.obs, data, error: null, intervalMs: d.intervalMs };
      d.successes++;
    } catch (e) {
      const { code, message } = this.opts.describeError(e);
      const since = d.obs.error?.code === code ? d.obs.error.since : this.now();
      d.obs = { ...d.obs, error: { code, message, since } };
      d.errors++;
    } finally {
      slot.dirty = true;
    }
    if (this.closed) return;
    try {
      this.opts.onDirector?.(slot.config.name, d.obs, () => this.snapshot(slot.config.name) ?? slot.snapshot);
    } catch (e) {
      // A listener's failure (the process closing its database meanwhile) must not stop the loop.
      console.error('[collector] onDirector failed', e);
    }
    for (const w of [...this.waiters]) w();
  }

  private merge(slot: ClusterSlot): ClusterSnapshot {
    const now = this.now();
    const poll = this.opts.pollIntervalMs;
    const merged = mergeSnapshot({
      cluster: slot.config.name,
      now,
      pollIntervalMs: poll,
      observations: slot.directors.map((d) => d.obs),
      findingSince: slot.findingSince,
      holdingSince: slot.holdingSince,
    });
    const snapshot = this.opts.augment ? this.opts.augment(merged) : merged;
    slot.dirty = false;
    // isLive(): live while now - takenAt <= 3 * poll + durationMs. Re-judge at the first such
    // deadline, and at least once per poll interval.
    let until = now + poll;
    for (const d of slot.directors) {
      const data = d.obs.data;
      if (d.obs.error === null && data !== null) {
        const deadline = data.takenAt + 3 * poll + data.durationMs;
        if (deadline >= now) until = Math.min(until, deadline);
      }
    }
    slot.validUntil = until;
    return snapshot;
  }

  private emptySnapshot(name: string): ClusterSnapshot {
    return { name, takenAt: this.now(), pollIntervalMs: this.opts.pollIntervalMs, directors: [], instances: [], services: [], findings: [] };
  }
}
